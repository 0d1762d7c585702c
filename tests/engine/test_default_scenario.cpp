// The shipped scenarios and the scenario reference stay true to the code: every key the built-in
// agents and the market read is in scenarios/feb2024.toml (the built-in default, with its
// calibrated values), and docs/scenario.md's tables are the specs (with the value a key takes
// when a file leaves it out).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agents/builtin_agents.hpp"
#include "sim/scenario/param_docs.hpp"

using namespace stampede;

namespace {
std::string read(const std::string& relative) {
  std::ifstream in(std::string(STAMPEDE_SOURCE_DIR) + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
std::string leaf(const std::string& key) { return key.substr(key.find('.') + 1); }
std::string section(const std::string& key) {
  auto dot = key.find('.');
  return dot == std::string::npos ? std::string() : key.substr(0, dot);
}
}  // namespace

TEST_CASE("the shipped scenario files parse, and feb2024 (the built-in default) lists every key", "[scenario]") {
  const auto specs = builtin_agents().all_params();
  const Scenario shipped = Scenario::load(std::string(STAMPEDE_SOURCE_DIR) + "/scenarios/feb2024.toml", specs);
  CHECK(shipped.name() == "feb2024");
  for (const ParamSpec& s : specs) {
    INFO("key " << s.key);
    const std::string line = '\n' + leaf(s.key) + " = ";   // '\n', not "\n": a false -Wrestrict in gcc 12
    CHECK(shipped.source_text().find(line) != std::string::npos);
    if (!section(s.key).empty()) CHECK(shipped.has_section(section(s.key)));
  }
  // Every other shipped scenario loads (most build on feb2024.toml) and keeps its own name.
  for (const auto& entry : std::filesystem::directory_iterator(std::string(STAMPEDE_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    INFO("scenario " << entry.path());
    Scenario s;
    REQUIRE_NOTHROW(s = Scenario::load(entry.path(), specs));
    CHECK(s.name() == entry.path().stem().string());
  }
}

TEST_CASE("docs/scenario.md's parameter tables are the code's, cell by cell", "[scenario]") {
  // Every key's key, type, default, unit, range and meaning; a stale cell is named with its
  // section, key and column. `stampede check --doc docs/scenario.md` rewrites the tables.
  const auto differences = parameter_table_differences(read("docs/scenario.md"), builtin_agents().all_params());
  std::string listed;
  for (const auto& d : differences) listed += "\n  " + d;
  INFO("docs/scenario.md differs from the code (run stampede check --doc docs/scenario.md):" << listed);
  CHECK(differences.empty());
}

TEST_CASE("the scenario fuzzer's dictionary has every key, as a leaf, a --set prefix and its section", "[scenario]") {
  // tests/fuzz/scenario.dict (docs/fuzzing.md): a key missing there is a key the fuzzer rarely writes.
  const std::string dict = read("tests/fuzz/scenario.dict");
  for (const ParamSpec& s : builtin_agents().all_params()) {
    INFO("key " << s.key);
    CHECK(dict.find("\n\"" + leaf(s.key) + "\"\n") != std::string::npos);
    if (section(s.key).empty()) continue;
    CHECK(dict.find("\n\"" + s.key + "=\"\n") != std::string::npos);
    CHECK(dict.find("\n\"[" + section(s.key) + "]\"\n") != std::string::npos);
  }
}
