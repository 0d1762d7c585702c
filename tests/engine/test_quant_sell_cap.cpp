// The regulator's per-day sell cap (MarketView::rules.quant_sell_cap_per_day) binds quant funds and
// DMA accounts, forced sales included: a broker liquidation and a fund's risk cut sell far more in
// a day without the cap than the cap allows, and no more than it allows with it.
#include <catch2/catch.hpp>

#include "funds_world.hpp"

using namespace stampede;

namespace {

// Shares sold by the agent on `day` and its holdings at the start of that day, both valued at the
// previous close (the cap's measure: a share of the holdings, weighted by yesterday's prices).
struct DaySales { double sold = 0, start_value = 0; };

template <class Agent>
DaySales run_and_measure(Simulation& sim, const Agent& agent, DayIndex day) {
  DaySales out;
  std::vector<StockPosition> start;
  std::vector<double> reference;
  while (!sim.finished()) {
    if (sim.day() == day && sim.view().step_in_day == 0 && start.empty()) {
      const auto held = sim.accounts()[agent.account()].stocks();
      start.assign(held.begin(), held.end());
      for (const StockPosition& p : start) {
        reference.push_back(sim.view().quote(p.stock).reference / 100.0);
        out.start_value += static_cast<double>(p.qty) * reference.back();
      }
    }
    const bool day_end = sim.step();
    REQUIRE(sim.conservation_problems().empty());
    if (day_end && sim.day() == day + 1)
      for (std::size_t k = 0; k < start.size(); ++k) {
        const StockPosition& p = start[k];
        const Qty now = sim.accounts()[agent.account()].holding(p.stock);
        if (now < p.qty) out.sold += static_cast<double>(p.qty - now) * reference[k];
      }
  }
  return out;
}

}  // namespace

TEST_CASE("the sell cap limits a DMA liquidation's daily selling", "[dma][regulator]") {
  auto measure = [](bool capped) {
    auto plan = std::make_shared<test::DumpPlan>();
    plan->days = {1};   // liquidation starts on day 1 behind a locked book; day 2 the books are open
    const AgentRegistry r = test::registry_with_dumper(plan);
    std::vector<std::string> o{"days=3", "neutral_funds.count=0", "dma.accounts=1", "dma.basket_size=3",
                               "dma.equity_yuan_median=3e5", "dma.equity_dispersion=0", "dma.warning_ratio=0.9",
                               "dma.liquidation_ratio=0.7", "regulator.sell_cap_fraction_per_day=0.05"};
    if (capped) o.push_back("regulator.sell_cap_from_day=2");
    Simulation sim(test::small_world(r, o), r);
    const DmaAccount& dma = *test::agents_of<DmaAccount>(sim).at(0);
    plan->stocks = dma.basket().basket();
    const DaySales s = run_and_measure(sim, dma, 2);
    CHECK(dma.state() == AgentState::Liquidating);
    return s;
  };
  const DaySales free = measure(false), capped = measure(true);
  INFO("day 2 sold " << free.sold << " of " << free.start_value << " without the cap, " << capped.sold << " of "
                     << capped.start_value << " with a 5% cap");
  REQUIRE(free.start_value > 0);
  CHECK(free.sold > 0.2 * free.start_value);
  CHECK(capped.sold > 0);
  CHECK(capped.sold <= 0.05 * capped.start_value + 1e-6);
}

TEST_CASE("the sell cap limits a neutral fund's risk-limit selling", "[neutral_fund][regulator]") {
  auto measure = [](bool capped) {
    const AgentRegistry r = builtin_agents();
    // Any volatility trips the limit at the close of day 1: day 2 cuts half the book.
    std::vector<std::string> o{"days=3", "dma.accounts=0", "neutral_funds.count=1", "neutral_funds.capital_dispersion=0",
                               "neutral_funds.capital_yuan_median=3e6", "neutral_funds.risk_vol_limit=0",
                               "neutral_funds.risk_vol_window_days=2", "neutral_funds.risk_drawdown_limit=0.9",
                               "neutral_funds.forced_pace=0.2", "regulator.sell_cap_fraction_per_day=0.05"};
    if (capped) o.push_back("regulator.sell_cap_from_day=2");
    Simulation sim(test::small_world(r, o), r);
    const NeutralFund& fund = *test::agents_of<NeutralFund>(sim).at(0);
    const DaySales s = run_and_measure(sim, fund, 2);
    CHECK(fund.state() == AgentState::RiskCut);
    return s;
  };
  const DaySales free = measure(false), capped = measure(true);
  INFO("day 2 sold " << free.sold << " of " << free.start_value << " without the cap, " << capped.sold << " of "
                     << capped.start_value << " with a 5% cap");
  REQUIRE(free.start_value > 0);
  CHECK(free.sold > 0.2 * free.start_value);
  CHECK(capped.sold > 0);
  CHECK(capped.sold <= 0.05 * capped.start_value + 1e-6);
}
