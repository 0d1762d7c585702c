#include "sim/scenario/scenario_data.hpp"

#include <fstream>
#include <sstream>

namespace stampede {

namespace {
std::optional<std::string> read_file(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
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
