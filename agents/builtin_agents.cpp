#include "agents/builtin_agents.hpp"

#include "agents/dma_account.hpp"
#include "agents/index_enhanced_fund.hpp"
#include "agents/liquidity_provider.hpp"
#include "agents/margin_investors.hpp"
#include "agents/national_team.hpp"
#include "agents/neutral_fund.hpp"
#include "agents/noise_traders.hpp"
#include "agents/retail_population.hpp"
#include "agents/snowball_issuer.hpp"
#include "agents/value_investor.hpp"

namespace stampede {

// The sections of the first release, in the order they populated the world then. Their agents key
// their random streams by agent id (make_stream(seed, name, id)), and an id is a position in the
// world, so they keep populating first, in this order: then every run keeps its numbers (the
// default run's log stays bit-identical). A section added since is not listed here: it populates
// after these, in the order of section names, and keys its streams by its section name
// (WorldSetup::stream), so adding one changes no other section's ids or draws.
// tests/engine/test_registration_order.cpp pins this list.
const std::vector<std::string>& first_release_sections() {
  static const std::vector<std::string> sections{
      "liquidity_providers", "noise_traders",  "snowball",        "retail",          "neutral_funds", "dma",
      "national_team",       "index_enhanced", "value_investors", "margin_investors"};
  return sections;
}

// Registered in any order: where each section populates is declared above.
AgentRegistry builtin_agents() {
  AgentRegistry r;
  r.add(liquidity_providers_kind());
  r.add(noise_traders_kind());
  r.add(snowball_kind());
  r.add(retail_population_kind());
  r.add(neutral_funds_kind());
  r.add(dma_accounts_kind());
  r.add(national_team_kind());
  r.add(index_enhanced_kind());
  r.add(value_investors_kind());
  r.add(margin_investors_kind());
  r.populate_first(first_release_sections());
  return r;
}

}  // namespace stampede
