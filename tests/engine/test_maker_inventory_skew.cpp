// The price impact of a flow the stock makers absorb (liquidity_providers.inventory_skew_pct): a
// maker off its inventory target shifts its quotes by that share of the price per max_inventory of
// excess, down when long and up when short. So a one-sided flow moves the price away from value in
// proportion to what the makers took on, and the gap stays while they hold it: the depth of a fire
// sale and the rebound after it. Without the skew, makers re-centre on value and the same flow
// barely moves the price.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

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
constexpr InstrumentId kDumped = 5;   // the stock a second script sells down to its limit

// The script's buying: a limit at the best ask seen takes the makers' offers there, and never
// sweeps an empty book to the band's bound when the makers happen to re-quote first.
void buy_on_day_zero(const MarketView& v, OrderSink& out, AccountId acc) {
  const Tick ask = v.quote(kStock).best_ask;
  if (v.day == 0 && v.phase == StepPhase::Continuous && ask != kNoPrice)
    out.limit(acc, kStock, Side::Buy, ask, 400, OrderReason::Voluntary);
}

// A quiet world (makers only, besides a scripted buyer that lifts kStock's offers every step of
// the first day, then stops): the buyer takes the makers' inventory, nobody else trades the stock.
// With `dump_another`, a seller also offers a block of kDumped at its limit-down price all day,
// so that one stock of the world locks limit-down: a stressed market.
Outcome run_with_skew(double skew_pct, int days, double exponent = 1.0, std::vector<std::string> extra = {},
                      bool dump_another = false) {
  AgentRegistry r = test::registry_with_script(buy_on_day_zero, 5e7);
  if (dump_another)
    r.add(AgentKind{"dumper", {}, [](const Scenario&, WorldSetup& setup) {
                      const AgentId id = setup.next_agent_id();
                      const AccountId acc = setup.open_account(id, 0);
                      setup.grant_shares(acc, kDumped, 10'000'000);
                      setup.add_agent(std::make_unique<test::ScriptedAgent>(acc, [](const MarketView& v, OrderSink& out, AccountId a) {
                        if (v.day == 0 && v.phase == StepPhase::Continuous && v.step_in_day % 4 == 1)
                          out.limit(a, kDumped, Side::Sell, v.quote(kDumped).lower, 200'000, OrderReason::Voluntary);
                      }));
                    }});
  std::vector<std::string> settings = {"days=" + std::to_string(days), "noise_traders.count=0", "retail.count=0",
                                       "neutral_funds.count=0", "dma.accounts=0", "snowball.issuers=0",
                                       "value_investors.count=0", "national_team.enabled=false",
                                       "liquidity_providers.withdraw_loss_fraction=0",
                                       "liquidity_providers.withdraw_flow_threshold=0",
                                       "liquidity_providers.max_inventory_yuan=5e5",
                                       "liquidity_providers.inventory_skew_pct=" + std::to_string(skew_pct),
                                       "liquidity_providers.inventory_skew_exponent=" + std::to_string(exponent)};
  settings.insert(settings.end(), extra.begin(), extra.end());
  Simulation sim(test::small_world(r, settings), r);
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

TEST_CASE("with resilience the makers come to carry what they absorbed, and the gap closes over days",
          "[liquidity][mechanism]") {
  // The same day of buying, then two days with no one else trading the stock. Without resilience the
  // makers' quotes stay up as long as they are short; with a half-life of half a day the reference
  // they skew from has moved three quarters of the way to their holding by the next morning and
  // almost all of it by the third, so the price is back near value though they are still short.
  const Outcome lasting = run_with_skew(20.0, 3);
  const Outcome resilient = run_with_skew(20.0, 3, 1.0, {"liquidity_providers.inventory_skew_halflife_days=0.5"});
  REQUIRE(lasting.maker_excess < 0);
  REQUIRE(resilient.maker_excess < 0);
  CHECK(lasting.price_over_value > 1.03);
  CHECK(resilient.price_over_value < lasting.price_over_value - 0.02);
  CHECK(std::abs(resilient.price_over_value - 1.0) < 0.02);
}

TEST_CASE("makers skew more in a market that locks up: the same flow moves the price further",
          "[liquidity][mechanism]") {
  // The same buying in kStock while another stock of the world is sold down to a limit-down lock.
  // With a stress skew, the share of stocks locked (one in 54, over a full-stress share of 1%)
  // adds to the makers' skew; without it, the lock elsewhere changes nothing in kStock.
  const std::vector<std::string> stress = {"liquidity_providers.inventory_skew_stress_pct=20",
                                           "liquidity_providers.stress_limit_down_share=0.01"};
  const Outcome calm = run_with_skew(0.0, 1, 1.0, stress);
  const Outcome locked_elsewhere_no_stress_skew = run_with_skew(0.0, 1, 1.0, {}, true);
  const Outcome locked_elsewhere = run_with_skew(0.0, 1, 1.0, stress, true);
  REQUIRE(locked_elsewhere.maker_excess < 0);
  // No lock anywhere: the stress skew stays off and makers re-centre on value.
  CHECK(std::abs(calm.price_over_value - 1.0) < 0.02);
  CHECK(std::abs(locked_elsewhere_no_stress_skew.price_over_value - 1.0) < 0.02);
  // A lock elsewhere: the makers of kStock, short after the buying, quote well above value.
  CHECK(locked_elsewhere.price_over_value > calm.price_over_value + 0.03);
}
