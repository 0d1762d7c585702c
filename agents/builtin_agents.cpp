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

// The order is part of every run's numbers: agent ids are positions in it, and each agent's random
// streams are keyed by its id. tests/engine/test_registration_order.cpp pins it; a new section goes
// last, leaving every existing agent's id and draws as they were.
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
  r.add(margin_investors_kind());   // last: adding it leaves every other agent's id and random stream as they were
  return r;
}

}  // namespace stampede
