// Retail margin-financing accounts (agents/margin_investors.hpp, [margin_investors] in
// docs/scenario.md) on the small crash world: fundamentals falling, small caps fastest.
//   1. The broker's rule: a close below the maintenance line calls the investor; a call not met by
//      the next close (call_days = 1), or a close at or below the forced line, makes the broker
//      sell; nothing is ever sold by an investor the last close did not leave forced (the sale
//      starts at the next open, never the same day); investors never buy; the loan only falls,
//      by the cash the sales raised.
//   2. Direction: the same world and seed with investors who started closer to the line (more of
//      their stocks bought on credit) sells more under the broker's rule and leaves the microcap
//      index lower.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "agents/margin_investors.hpp"
#include "crash_world.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {

using test::seed_key;
using test::with;

std::vector<std::string> margin_keys(double ratio_min, double ratio_max) {
  return {"margin_investors.count=200",
          "margin_investors.holdings_yuan_median=3e5",
          "margin_investors.holdings_dispersion=0.5",
          "margin_investors.start_ratio_min=" + std::to_string(ratio_min),
          "margin_investors.start_ratio_max=" + std::to_string(ratio_max),
          "margin_investors.stocks_held=3",
          "margin_investors.cap_weight_exponent=0",
          "margin_investors.large_caps=false",
          "margin_investors.maintenance_ratio=1.3",
          "margin_investors.forced_ratio=1.1",
          "margin_investors.safe_ratio=1.5",
          "margin_investors.call_days=1",
          "margin_investors.pace=0.2",
          "margin_investors.every_steps=1",
          "margin_investors.aggressiveness_ticks=5"};
}

struct Watched {
  int investors = 0;
  std::int64_t shares_sold = 0;   // by every investor over the run
  std::int64_t shares_bought = 0;
  int sold_without_forced_close = 0;          // (investor, day) sales the last close did not order
  int calls_held_past_call_days = 0;          // investors still called two closes running
  int forced_closes = 0, called_closes = 0;   // (investor, close) pairs
  int loan_rises = 0;                         // (investor, step) pairs where the loan grew
  Fen repayment_gap = 0;                      // |loan repaid - cash that left the account|, summed
  double microcap_end = 0;
};

Watched run_and_watch(const Scenario& scenario, const AgentRegistry& registry) {
  Simulation sim(scenario, registry);
  const MarginInvestors* m = nullptr;
  for (const auto& a : sim.agents())
    if (const auto* p = dynamic_cast<const MarginInvestors*>(a.get())) m = p;
  REQUIRE(m != nullptr);
  Watched w;
  w.investors = m->size();
  const auto n = static_cast<std::size_t>(m->size());
  auto shares = [&](int i) {
    std::map<InstrumentId, Qty> out;
    for (const StockPosition& p : sim.accounts()[m->account(i)].stocks())
      if (p.qty != 0) out[p.stock] = p.qty;
    return out;
  };
  std::vector<std::map<InstrumentId, Qty>> held(n);
  std::vector<Fen> loan(n), cash(n);
  std::vector<MarginState> at_close(n, MarginState::Normal);
  for (int i = 0; i < m->size(); ++i) {
    held[static_cast<std::size_t>(i)] = shares(i);
    loan[static_cast<std::size_t>(i)] = m->loan(i);
    cash[static_cast<std::size_t>(i)] = sim.accounts()[m->account(i)].cash;
  }
  while (!sim.finished()) {
    const bool day_end = sim.step();
    for (int i = 0; i < m->size(); ++i) {
      const auto k = static_cast<std::size_t>(i);
      const std::map<InstrumentId, Qty> now = shares(i);
      std::int64_t sold = 0, bought = 0;
      for (const auto& [s, q] : held[k]) {
        const auto it = now.find(s);
        const Qty after = it == now.end() ? 0 : it->second;
        if (after < q) sold += q - after;
      }
      for (const auto& [s, q] : now) {
        const auto it = held[k].find(s);
        if (q > (it == held[k].end() ? 0 : it->second)) bought += q;
      }
      w.shares_sold += sold;
      w.shares_bought += bought;
      if (sold > 0 && at_close[k] != MarginState::Forced) ++w.sold_without_forced_close;
      const Fen cash_now = sim.accounts()[m->account(i)].cash;
      if (m->loan(i) > loan[k]) ++w.loan_rises;
      if (m->loan(i) < loan[k]) {
        // The repayment is a transfer to the broker in this step; sales fills may add cash in it too.
        const Fen repaid = loan[k] - m->loan(i);
        const Fen left = cash[k] - cash_now;
        if (sold == 0) w.repayment_gap += repaid > left ? repaid - left : left - repaid;
      }
      held[k] = now;
      loan[k] = m->loan(i);
      cash[k] = cash_now;
      if (day_end) {
        const MarginState s = m->state(i);
        if (s == MarginState::Called && at_close[k] == MarginState::Called) ++w.calls_held_past_call_days;
        w.forced_closes += s == MarginState::Forced;
        w.called_closes += s == MarginState::Called;
        at_close[k] = s;
      }
    }
    w.microcap_end = sim.step_frame().microcap_index;
  }
  return w;
}

const std::vector<std::string> kWorld =
    with(test::crash_world(), {"days=6", "dma.accounts=0", "neutral_funds.count=0"});

}   // namespace

TEST_CASE("the broker calls a margin investor at the close and sells only from the next open",
          "[margin_investors][mechanisms]") {
  const AgentRegistry r = builtin_agents();
  const Watched w = run_and_watch(test::small_world(r, with(kWorld, with({seed_key(3)}, margin_keys(1.32, 1.6)))), r);
  INFO("investors " << w.investors << ", called closes " << w.called_closes << ", forced closes " << w.forced_closes
                    << ", shares sold " << w.shares_sold);
  REQUIRE(w.investors == 200);
  REQUIRE(w.called_closes > 0);
  REQUIRE(w.forced_closes > 0);
  REQUIRE(w.shares_sold > 0);
  CHECK(w.sold_without_forced_close == 0);
  CHECK(w.calls_held_past_call_days == 0);
  CHECK(w.shares_bought == 0);
  CHECK(w.loan_rises == 0);
  CHECK(w.repayment_gap == 0);
}

TEST_CASE("investors who borrowed more are sold out more and push the microcaps lower",
          "[margin_investors][mechanisms]") {
  const AgentRegistry r = builtin_agents();
  const std::vector<std::string> world = with(kWorld, {seed_key(3)});
  const Watched high = run_and_watch(test::small_world(r, with(world, margin_keys(1.32, 1.6))), r);
  const Watched low = run_and_watch(test::small_world(r, with(world, margin_keys(2.5, 3.0))), r);
  INFO("sold with start ratios 1.32-1.6: " << high.shares_sold << " (microcap index at the end " << high.microcap_end
                                           << "); with 2.5-3.0: " << low.shares_sold << " (" << low.microcap_end
                                           << ")");
  CHECK(high.shares_sold > 2 * low.shares_sold);
  CHECK(high.microcap_end < low.microcap_end);
}
