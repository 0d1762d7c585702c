// Every stock trade is attributed to the selling and the buying agent class, and a sale counts as
// forced exactly when the seller's order carried a forced reason.
#include <algorithm>
#include <catch2/catch.hpp>

#include "small_world.hpp"

using namespace stampede;

namespace {
// Rests one deep bid a tick above the limit-down price on day 1's first continuous step.
class Bidder final : public Agent {
 public:
  Bidder(AccountId account, InstrumentId stock) : account_(account), stock_(stock) {}
  const char* kind() const override { return "bidder"; }
  void decide(const MarketView& v, OrderSink& out) override {
    if (v.day == 1 && v.step_in_day == 1) out.limit(account_, stock_, Side::Buy, v.quote(stock_).lower + 1, 50'000);
  }

 private:
  AccountId account_;
  InstrumentId stock_;
};
}  // namespace

TEST_CASE("per segment, attributed sells and buys add up to the day's turnover", "[attribution]") {
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r, {"days=1"}), r);
  while (!sim.step()) {
  }
  const DayFrame& d = sim.day_frame();
  const std::size_t classes = sim.agent_classes().size();
  REQUIRE(d.flows.size() == classes * 3);
  for (std::size_t seg = 0; seg < 3; ++seg) {
    double turnover = 0, sold = 0, bought = 0;
    for (int i = 0; i < sim.stock_count(); ++i)
      if (static_cast<std::size_t>(sim.universe().segment[static_cast<std::size_t>(i)]) == seg) turnover += d.turnover[static_cast<std::size_t>(i)];
    for (std::size_t c = 0; c < classes; ++c) {
      const FlowRow& f = d.flows[c * 3 + seg];
      sold += f.sell_forced + f.sell_voluntary;
      bought += f.buy;
      CHECK(f.sell_aggressive <= f.sell_forced + f.sell_voluntary + 1e-6);
    }
    INFO("segment " << seg);
    CHECK(turnover > 0);
    CHECK(sold == Approx(turnover).epsilon(1e-12));
    CHECK(bought == Approx(turnover).epsilon(1e-12));
  }
}

TEST_CASE("a sale counts as forced when the seller's order had a forced reason", "[attribution]") {
  constexpr InstrumentId kStock = 5;   // a microcap in the small world
  AgentRegistry r = test::registry_with_script([](const MarketView& v, OrderSink& out, AccountId acc) {
    if (v.day == 0 && v.step_in_day == 1) out.limit(acc, kStock, Side::Buy, v.quote(kStock).upper, 1000);
    if (v.day == 1 && v.step_in_day == 2) out.limit(acc, kStock, Side::Sell, v.quote(kStock).lower, 600, OrderReason::Liquidation);
    if (v.day == 1 && v.step_in_day == 3) out.limit(acc, kStock, Side::Sell, v.quote(kStock).lower, 400, OrderReason::Rebalance);
  });
  // A deep bid a tick above the limit-down price, resting before the sales arrive: whatever the
  // arrival order within a step, each sale finds bids and crosses the book.
  r.add(AgentKind{"bidder", {}, [](const Scenario&, WorldSetup& setup) {
                    const AgentId id = setup.next_agent_id();
                    const AccountId acc = setup.open_account(id, Fen{10'000'000} * 100);
                    setup.add_agent(std::make_unique<Bidder>(acc, InstrumentId{kStock}));
                  }});
  Simulation sim(test::small_world(r, {"days=2"}), r);
  REQUIRE(sim.universe().segment[kStock] == Segment::Microcap);
  while (!sim.step()) {
  }
  while (!sim.step()) {
  }
  AccountId seller = -1;
  for (const auto& a : sim.agents())
    if (auto* s = dynamic_cast<const test::ScriptedAgent*>(a.get())) seller = s->account();
  REQUIRE(sim.accounts()[seller].holding(kStock) == 0);
  const auto& classes = sim.agent_classes();
  const auto scripted = static_cast<std::size_t>(std::find(classes.begin(), classes.end(), "scripted") - classes.begin());
  const FlowRow& f = sim.day_frame().flows[scripted * 3 + static_cast<std::size_t>(Segment::Microcap)];
  CHECK(f.sell_forced > 0);
  CHECK(f.sell_voluntary > 0);
  // 600 forced and 400 voluntary shares at prices within a day's 20% range of each other.
  CHECK(f.sell_forced / (f.sell_forced + f.sell_voluntary) == Approx(0.6).margin(0.07));
  CHECK(f.sell_aggressive == Approx(f.sell_forced + f.sell_voluntary));   // both crossed the book
  CHECK(f.buy == 0);
}
