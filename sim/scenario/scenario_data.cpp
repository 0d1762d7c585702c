#include "sim/scenario/scenario_data.hpp"

#include <fstream>
#include <stdexcept>
#include <sstream>

namespace stampede {

std::string read_input_file(const std::filesystem::path& path, const std::string& what, std::uintmax_t max_bytes) {
  const std::string who = what + " '" + path.string() + "': ";
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);   // follows symbolic links; never opens the file
  if (ec || !std::filesystem::exists(st)) throw std::runtime_error(who + "no such file");
  if (std::filesystem::is_directory(st)) throw std::runtime_error(who + "it is a directory; give a file");
  if (!std::filesystem::is_regular_file(st))
    throw std::runtime_error(who + "not a regular file (a device, FIFO or socket would be read without end or block); "
                             "give a file");
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  auto too_large = [&](std::uintmax_t n) {
    return std::runtime_error(who + "it is " + std::to_string(n) + " bytes; at most " + std::to_string(max_bytes >> 20) +
                              " MiB are read");
  };
  if (!ec && size > max_bytes) throw too_large(size);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(who + "cannot open it (permissions?)");
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) throw too_large(text.size());   // it grew while being read
  }
  if (in.bad()) throw std::runtime_error(who + "read error");
  return text;
}

namespace {
std::optional<std::string> read_file(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) return std::nullopt;
  return read_input_file(p, "data file", kMaxDataFileBytes);
}
}  // namespace

std::optional<ScenarioDataFile> read_scenario_data(const std::string& relative,
                                                   const std::vector<std::filesystem::path>& dirs) {
  const std::filesystem::path rel(relative);
  if (rel.is_absolute()) {
    if (auto text = read_file(rel)) return ScenarioDataFile{rel.string(), std::move(*text)};
    return std::nullopt;
  }
  for (const auto& dir : dirs) {
    const std::filesystem::path p = (dir / rel).lexically_normal();
    if (auto text = read_file(p)) return ScenarioDataFile{p.string(), std::move(*text)};
  }
  const std::string wanted = rel.lexically_normal().generic_string();
  for (const EmbeddedDataFile& f : embedded_scenario_data())
    if (f.name == wanted) return ScenarioDataFile{"built-in " + wanted, std::string(f.text)};
  return std::nullopt;
}

}  // namespace stampede
