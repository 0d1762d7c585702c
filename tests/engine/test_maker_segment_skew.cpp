// The small caps' pooled book (liquidity_providers.segment_skew_pct, agents/maker_segment_board.hpp):
// small caps cannot be shorted in size and no future tracks them, so their makers carry the
// segment's net one-sided flow together. A day of selling across the small caps marks down every
// small cap's quotes the next day, the ones nobody sold included; a day of rebalancing (as much
// bought as sold) nets out and marks nothing; index members, whose makers hedge with index
// futures, are not marked at all.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "small_world.hpp"

using namespace stampede;

namespace {

enum class Flow { Selling, Rebalancing };

struct Marks {
  double watched_small_cap = 0;      // mid quote / latent value, a small cap nobody traded
  double watched_index_member = 0;   // the same, for an index member nobody traded
};

double mid_over_value(const Simulation& sim, InstrumentId s) {
  const InstrumentQuote& q = sim.view().quote(s);
  REQUIRE(q.best_bid != kNoPrice);
  REQUIRE(q.best_ask != kNoPrice);
  const double value_ticks = (*sim.view().fundamental_yuan)[static_cast<std::size_t>(s)] * 100.0;
  return 0.5 * static_cast<double>(q.best_bid + q.best_ask) / value_ticks;
}

// A quiet world (makers only, besides a script that trades on the first day): with Flow::Selling
// the script sells 30,000 yuan a step of every small cap but the watched one into the makers'
// bids; with Flow::Rebalancing it sells half of them and buys the other half as much. The second
// day nobody trades; its last quotes are the marks.
Marks run(Flow flow, double segment_skew_pct) {
  std::vector<InstrumentId> small_caps;   // filled at setup, read by the script
  InstrumentId watched_small = -1, watched_member = -1;
  AgentRegistry r = builtin_agents();
  r.add(AgentKind{"trader", {}, [&](const Scenario&, WorldSetup& setup) {
                    const Universe& u = setup.universe();
                    for (int i = 0; i < u.size(); ++i) {
                      const Segment seg = u.segment[static_cast<std::size_t>(i)];
                      if (seg == Segment::Constituent && watched_member < 0) watched_member = i;
                      if (seg != Segment::Microcap) continue;
                      if (watched_small < 0)
                        watched_small = i;
                      else
                        small_caps.push_back(i);
                    }
                    const AgentId id = setup.next_agent_id();
                    const AccountId acc = setup.open_account(id, 100'000'000'00);
                    for (const InstrumentId s : small_caps) setup.grant_shares(acc, s, 5'000'000);
                    setup.add_agent(std::make_unique<test::ScriptedAgent>(acc, [&, flow](const MarketView& v,
                                                                                         OrderSink& out, AccountId a) {
                      if (v.day != 0 || v.phase != StepPhase::Continuous) return;
                      for (std::size_t k = 0; k < small_caps.size(); ++k) {
                        const InstrumentId s = small_caps[k];
                        const bool buy = flow == Flow::Rebalancing && k % 2 == 1;
                        const Tick at = buy ? v.quote(s).best_ask : v.quote(s).best_bid;
                        if (at == kNoPrice) continue;
                        const Qty lots =
                            std::max<Qty>(1, static_cast<Qty>(std::lround(30'000.0 / (at / 100.0) / 100.0)));
                        out.limit(a, s, buy ? Side::Buy : Side::Sell, at, lots * 100, OrderReason::Voluntary);
                      }
                    }));
                  }});
  Simulation sim(test::small_world(r, {"days=2", "noise_traders.count=0", "retail.count=0", "neutral_funds.count=0",
                                       "dma.accounts=0", "snowball.issuers=0", "value_investors.count=0",
                                       "margin_investors.count=0", "national_team.enabled=false",
                                       "liquidity_providers.withdraw_loss_fraction=0",
                                       "liquidity_providers.withdraw_flow_threshold=0",
                                       "liquidity_providers.max_inventory_yuan=5e5",
                                       "liquidity_providers.segment_skew_halflife_days=0",
                                       "liquidity_providers.segment_skew_pct=" + std::to_string(segment_skew_pct)}),
                 r);
  REQUIRE(small_caps.size() >= 10);
  while (!sim.finished()) sim.step();
  return Marks{mid_over_value(sim, watched_small), mid_over_value(sim, watched_member)};
}

}   // namespace

TEST_CASE("a day of selling across the small caps marks down the small caps nobody sold", "[liquidity][mechanism]") {
  const Marks off = run(Flow::Selling, 0.0);
  const Marks on = run(Flow::Selling, 20.0);
  // Without the pooled book an untouched stock's makers stay near value (its value moves with the
  // market factor meanwhile); with it, the makers who absorbed the segment's selling mark every
  // small cap down.
  CHECK(std::abs(off.watched_small_cap - 1.0) < 0.03);
  CHECK(on.watched_small_cap < off.watched_small_cap - 0.02);
}

TEST_CASE("rebalancing within the small caps nets out of the pooled book", "[liquidity][mechanism]") {
  const Marks off = run(Flow::Rebalancing, 0.0);
  const Marks selling = run(Flow::Selling, 20.0);
  const Marks rebalancing = run(Flow::Rebalancing, 20.0);
  // As much bought as sold: the watched small cap's marks stay where they are without the pooled
  // book, far from the one-sided day's.
  CHECK(std::abs(rebalancing.watched_small_cap - off.watched_small_cap) < 0.005);
  CHECK(rebalancing.watched_small_cap > selling.watched_small_cap + 0.02);
}

TEST_CASE("index members' makers hedge with futures and carry no pooled mark", "[liquidity][mechanism]") {
  const Marks off = run(Flow::Selling, 0.0);
  const Marks on = run(Flow::Selling, 20.0);
  CHECK(std::abs(on.watched_index_member - off.watched_index_member) < 0.002);
}
