// Agent ids are positions in the order the registry's sections populate the world, and every
// agent's random streams are keyed by its id: moving a section in agents/builtin_agents.cpp
// changes every later agent's id and draws, so every run's numbers. The order is pinned here; a
// new section goes last (and is added here), which leaves every existing agent as it was.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "agents/builtin_agents.hpp"

using namespace stampede;

TEST_CASE("the built-in sections populate the world in their pinned order", "[registry]") {
  const std::vector<std::string> pinned{
      "liquidity_providers", "noise_traders",  "snowball",        "retail",          "neutral_funds", "dma",
      "national_team",       "index_enhanced", "value_investors", "margin_investors"};
  std::vector<std::string> sections;
  const AgentRegistry registry = builtin_agents();
  for (const AgentKind& k : registry.kinds()) sections.push_back(k.section);
  CHECK(sections == pinned);
}
