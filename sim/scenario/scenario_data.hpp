#pragma once
// Data files a scenario names (e.g. `fundamentals.market_driver = "data/...csv"`): looked up next
// to the scenario file and the files it builds on, then among the copies of scenarios/data/
// compiled into the binary, so the built-in scenario and a copied scenario run from anywhere.
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

struct ScenarioDataFile {
  std::string name;   // the path read, or "built-in data/<file>"
  std::string text;
};
// `relative` from the first directory of `dirs` that holds it (an absolute path is read as it
// is), else the compiled-in copy of that name; nullopt when neither exists.
std::optional<ScenarioDataFile> read_scenario_data(const std::string& relative,
                                                   const std::vector<std::filesystem::path>& dirs);

}  // namespace stampede
