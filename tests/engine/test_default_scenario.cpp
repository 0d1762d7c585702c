// The shipped default scenario and the scenario reference stay true to the code: every key the
// built-in agents and the market read is in scenarios/feb2024.toml at its default value, and in
// docs/scenario.md.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "agents/builtin_agents.hpp"

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

TEST_CASE("the shipped default scenario lists every key at its default value", "[scenario]") {
  const auto specs = builtin_agents().all_params();
  const Scenario shipped = Scenario::load(std::string(STAMPEDE_SOURCE_DIR) + "/scenarios/feb2024.toml", specs);
  const Scenario defaults = Scenario::parse("", "defaults", specs);
  CHECK(shipped.resolved_toml().substr(shipped.resolved_toml().find('\n', shipped.resolved_toml().find('\n') + 1)) ==
        defaults.resolved_toml().substr(defaults.resolved_toml().find('\n', defaults.resolved_toml().find('\n') + 1)));
  for (const ParamSpec& s : specs) {
    INFO("key " << s.key);
    CHECK(shipped.source_text().find("\n" + leaf(s.key) + " = ") != std::string::npos);
    if (!section(s.key).empty()) CHECK(shipped.has_section(section(s.key)));
  }
}

TEST_CASE("docs/scenario.md documents every key", "[scenario]") {
  const std::string doc = read("docs/scenario.md");
  for (const ParamSpec& s : builtin_agents().all_params()) {
    INFO("key " << s.key);
    CHECK(doc.find("| `" + leaf(s.key) + "` |") != std::string::npos);
    if (!section(s.key).empty()) CHECK(doc.find("### `[" + section(s.key) + "]`") != std::string::npos);
  }
}
