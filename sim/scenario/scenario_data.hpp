#pragma once
// Data files a scenario names (e.g. `fundamentals.market_driver = "data/...csv"`): looked up next
// to the scenario file and the files it builds on, then among the copies of scenarios/data/
// compiled into the binary, so the built-in scenario and a copied scenario run from anywhere.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stampede {

struct EmbeddedDataFile {
  std::string_view name;   // "data/<file>", as a scenario in scenarios/ names it
  std::string_view text;
};
// Every file of scenarios/data/ at build time (generated: sim/scenario/embedded_data.cpp.in).
const std::vector<EmbeddedDataFile>& embedded_scenario_data();

// Input files are read only when they are regular files of at most `max_bytes`: a device
// (/dev/zero), FIFO or socket would be read until memory runs out, or block. Returns the text, or
// throws std::runtime_error "<what> '<path>': <why>; <allowed>" (no such file, not a regular file,
// too large, unreadable). The size is checked before reading and the read stops past the limit.
std::string read_input_file(const std::filesystem::path& path, const std::string& what, std::uintmax_t max_bytes);
inline constexpr std::uintmax_t kMaxScenarioFileBytes = std::uintmax_t{4} << 20;   // a scenario or base file
inline constexpr std::uintmax_t kMaxDataFileBytes = std::uintmax_t{64} << 20;      // a CSV a scenario names

struct ScenarioDataFile {
  std::string name;   // the path read, or "built-in data/<file>"
  std::string text;
};
// `relative` from the first directory of `dirs` that holds it (an absolute path is read as it
// is), else the compiled-in copy of that name; nullopt when neither exists. A path that exists but
// is not a regular file, or is larger than kMaxDataFileBytes, throws (read_input_file).
std::optional<ScenarioDataFile> read_scenario_data(const std::string& relative,
                                                   const std::vector<std::filesystem::path>& dirs);

}  // namespace stampede
