// The price impact of a flow the stock makers absorb (liquidity_providers.inventory_skew_pct): a
// maker off its inventory target shifts its quotes by that share of the price per max_inventory of
// excess, down when long and up when short. So a one-sided flow moves the price away from value in
// proportion to what the makers took on, and the gap stays while they hold it: the depth of a fire
// sale and the rebound after it. Without the skew, makers re-centre on value and the same flow
// barely moves the price.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "agents/liquidity_provider.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {
constexpr InstrumentId kStock = 3;

struct Outcome {
  double price_over_value = 0;   // last price / latent value of kStock at the end of the run
  double maker_excess = 0;       // the stock's makers: shares held minus shares held at the start
};

// A quiet world (makers only, besides a scripted buyer that lifts kStock's offers every step of
// the first day, then stops): the buyer takes the makers' inventory, nobody else trades the stock.
Outcome run_with_skew(double skew_pct, int days, double exponent = 1.0) {
  AgentRegistry r = test::registry_with_script(
      [](const MarketView& v, OrderSink& out, AccountId acc) {
        // A limit at the best ask seen: it takes the makers' offers there, and never sweeps an empty
        // book to the band's bound when the makers happen to re-quote first.
        const Tick ask = v.quote(kStock).best_ask;
        if (v.day == 0 && v.phase == StepPhase::Continuous && ask != kNoPrice)
          out.limit(acc, kStock, Side::Buy, ask, 400, OrderReason::Voluntary);
      },
      5e7);
  Simulation sim(test::small_world(r, {"days=" + std::to_string(days), "noise_traders.count=0", "retail.count=0",
                                       "neutral_funds.count=0", "dma.accounts=0", "snowball.issuers=0",
                                       "value_investors.count=0", "national_team.enabled=false",
                                       "liquidity_providers.withdraw_loss_fraction=0",
                                       "liquidity_providers.withdraw_flow_threshold=0",
                                       "liquidity_providers.max_inventory_yuan=5e5",
                                       "liquidity_providers.inventory_skew_pct=" + std::to_string(skew_pct),
                                       "liquidity_providers.inventory_skew_exponent=" + std::to_string(exponent)}),
                 r);
  std::vector<std::pair<AccountId, Qty>> makers;   // kStock's makers and their starting holdings
  for (const auto& a : sim.agents())
    if (auto* lp = dynamic_cast<const LiquidityProvider*>(a.get()); lp && lp->stock() == kStock)
      makers.emplace_back(lp->account(), sim.accounts()[lp->account()].holding(kStock));
  REQUIRE(makers.size() == 2);
  while (!sim.finished()) sim.step();
  Outcome o;
  const double value_ticks = (*sim.view().fundamental_yuan)[static_cast<std::size_t>(kStock)] * 100.0;
  o.price_over_value = static_cast<double>(sim.view().quote(kStock).last) / value_ticks;
  for (const auto& [acc, start] : makers) o.maker_excess += static_cast<double>(sim.accounts()[acc].holding(kStock) - start);
  return o;
}

}  // namespace

TEST_CASE("makers short of their inventory quote up: a buying flow they absorb lifts the price above value",
          "[liquidity][mechanism]") {
  const Outcome flat = run_with_skew(0.0, 1);
  const Outcome skewed = run_with_skew(20.0, 1);
  // The same flow, taken from the makers in both runs.
  REQUIRE(flat.maker_excess < 0);
  REQUIRE(skewed.maker_excess < 0);
  // Without the skew the makers re-centre on value (within the tick skew and their noise).
  CHECK(std::abs(flat.price_over_value - 1.0) < 0.02);
  // With it the price sits above value by several percent.
  CHECK(skewed.price_over_value > flat.price_over_value + 0.03);
}

TEST_CASE("the gap a flow leaves stays while the makers carry the inventory", "[liquidity][mechanism]") {
  // A day of buying, then a day with no one else trading the stock: the makers cannot get back to
  // target, so their quotes (and the price) stay above value.
  const Outcome after = run_with_skew(20.0, 2);
  REQUIRE(after.maker_excess < 0);
  CHECK(after.price_over_value > 1.03);
}

TEST_CASE("a convex skew leaves small inventories nearly free and marks only a maker near its limit",
          "[liquidity][mechanism]") {
  // The day's buying leaves each maker a small share of its max_inventory short: linear, that
  // share moves the quotes; squared (exponent 2), it hardly does.
  const Outcome flat = run_with_skew(0.0, 1);
  const Outcome linear = run_with_skew(20.0, 1, 1.0);
  const Outcome convex = run_with_skew(20.0, 1, 2.0);
  REQUIRE(convex.maker_excess < 0);
  CHECK(convex.price_over_value < linear.price_over_value - 0.02);
  CHECK(std::abs(convex.price_over_value - flat.price_over_value) < 0.02);
}
