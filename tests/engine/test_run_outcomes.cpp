// The agents' part of the run summary (sim/engine/run_outcomes.hpp), from synthetic events and
// daily rows, and summary_metrics naming every measure once.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "sim/engine/run.hpp"
#include "sim/engine/run_outcomes.hpp"

using namespace stampede;

namespace {
EventRow ev(std::int32_t agent, const char* cls, double price, const char* reason) {
  return EventRow{0, 0, agent, cls, -1, 0, price, reason};
}
AgentDayRecord nav(double x, double equity = std::nan("")) {
  AgentDayRecord r;
  r.nav = x;
  r.equity = std::isnan(equity) ? x : equity;
  return r;
}
}  // namespace

TEST_CASE("outcome tracker: DMA liquidations, margin calls, shortfalls and NAV medians", "[summary]") {
  constexpr SummaryGroup dma = SummaryGroup::dma_accounts, neutral = SummaryGroup::neutral_funds;
  OutcomeTracker t(
      {{3, 100.0, dma}, {4, 100.0, dma}, {5, 100.0, dma}, {7, 1000.0, neutral}, {8, 1000.0, neutral}, {9, 5.0}});
  // Day 0: account 3 warned twice (two separate calls), account 4 once.
  t.observe_events("margin_calls", {ev(3, "dma_account", 0.1, "warning"), ev(3, "dma_account", 0.2, "cured"),
                                    ev(3, "dma_account", 0.1, "warning"), ev(4, "dma_account", 0.1, "warning")});
  t.observe_day("2024-01-02", {nav(90), nav(80), nav(100), nav(990), nav(1000), nav(5)});
  // Day 1: both warned accounts start liquidations; fund 7 asks for 100 yuan back (its NAV falls by
  // the request, which is no loss).
  t.observe_events("liquidations", {ev(3, "dma_account", 0.05, "start_liquidation_line"),
                                    ev(3, "dma_account", 1e5, "orders"),
                                    ev(4, "dma_account", 0.05, "start_grace_expired")});
  t.observe_events("redemption_requests", {ev(7, "neutral_fund", 99.0, "drawdown")});
  // Account 4 is under water while its broker still liquidates it: the shortfall counts at once.
  t.observe_day("2024-01-03", {nav(40), nav(0, -3000.0), nav(100), nav(891), nav(950), nav(5)});
  // Day 2: account 4 leaves its broker 1234.5 yuan short; more orders from account 3 (no new start).
  t.observe_events("liquidations", {ev(3, "dma_account", 1e5, "orders"), ev(4, "dma_account", 0, "end")});
  t.observe_events("broker_shortfalls", {ev(4, "dma_account", 1234.5, "loan_unpaid")});
  t.observe_day("2024-01-04", {nav(20), nav(0, -1234.5), nav(110), nav(801.9), nav(1000), nav(5)});
  t.observe_day("2024-01-05", {nav(20, -1.5), nav(0, -1234.5), nav(110), nav(801.9), nav(1100), nav(-7.0)});

  const AgentOutcomes o = t.result();
  CHECK(o.dma_accounts == 3);
  CHECK(o.dma_accounts_liquidated == 2);
  CHECK(o.dma_liquidated_share() == Approx(2.0 / 3.0));
  CHECK(o.dma_accounts_margin_called == 2);
  CHECK(o.margin_calls == 3);
  // Marked at the last close: accounts 3 and 4 under water (the retail row's -7 is no DMA's).
  CHECK(o.broker_shortfall == 1236.0);
  CHECK(o.broker_shortfall_accounts == 2);
  CHECK(o.broker_shortfall_peak == 3000.0);
  CHECK(o.broker_shortfall_peak_date == "2024-01-03");
  CHECK(o.broker_shortfall_realised == 1234.5);
  CHECK(o.first_liquidation_date == "2024-01-03");
  CHECK(o.peak_liquidation_date == "2024-01-03");
  CHECK(o.peak_liquidations == 2);
  // DMA returns -80%, -100%, +10%: median -80%; drawdowns -80%, -100%, 0: median -80%.
  CHECK(o.dma.agents == 3);
  CHECK(o.dma.median_return == Approx(-0.8));
  CHECK(o.dma.median_max_drawdown == Approx(-0.8));
  // Fund 7 per unit: 1, .99, (891 + 99) / 990 -> .99, 801.9 / 891 -> .891, .891.
  // Fund 8: 1, 1, .95, 1, 1.1. Worst 3 days: fund 7 .891 / 1 - 1, fund 8 .95 - 1.
  CHECK(o.neutral.agents == 2);
  CHECK(o.neutral.median_return == Approx(0.5 * (-0.109 + 0.1)));
  CHECK(o.neutral.median_max_drawdown == Approx(0.5 * (-0.109 - 0.05)));
  CHECK(o.neutral.median_worst_3day == Approx(0.5 * (-0.109 - 0.05)));
}

TEST_CASE("outcome tracker without DMA accounts or funds gives NaN medians and zero counts", "[summary]") {
  OutcomeTracker t({});
  t.observe_day("2024-01-02", {});
  const AgentOutcomes o = t.result();
  CHECK(o.dma_accounts == 0);
  CHECK(o.dma_liquidated_share() == 0.0);
  CHECK(std::isnan(o.dma.median_return));
  CHECK(std::isnan(o.neutral.median_worst_3day));
  CHECK(o.first_liquidation_date.empty());
  CHECK_THROWS(t.observe_day("2024-01-03", {nav(1)}));
}

TEST_CASE("summary metrics have unique names, including the agents' outcome", "[summary]") {
  std::set<std::string> names;
  for (const auto& [name, value] : summary_metrics(RunSummary{})) CHECK(names.insert(name).second);
  for (const char* n : {"dma_accounts_liquidated", "dma_liquidated_share", "broker_shortfall", "margin_calls",
                        "dma_median_return", "dma_median_max_drawdown", "neutral_median_max_drawdown",
                        "neutral_median_worst_3day"})
    CHECK(names.count(n) == 1);
}
