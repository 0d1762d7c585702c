// Deeper books in larger stocks (liquidity_providers.depth_cap_elasticity): a stock's makers get
// cash, inventory and quote size scaled by (market cap / depth_reference_cap_yuan)^elasticity, so
// four times the cap at 0.5 is twice the depth. At 0 every stock's makers are alike.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "agents/liquidity_provider.hpp"
#include "funds_world.hpp"

using namespace stampede;

namespace {

struct MakerStart {
  double cap_yuan = 0;     // the stock's first market cap
  double cash_yuan = 0;    // the maker's starting cash
  double stock_yuan = 0;   // the shares it was granted, at the first price
  int quote_lots = 0;
};

std::vector<MakerStart> maker_starts(const std::string& elasticity) {
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r, {"days=1", "liquidity_providers.per_stock=1",
                                       "liquidity_providers.depth_reference_cap_yuan=2.5e9",
                                       "liquidity_providers.depth_cap_elasticity=" + elasticity}),
                 r);
  std::vector<MakerStart> out;
  const Universe& u = sim.universe();
  for (const LiquidityProvider* m : test::agents_of<LiquidityProvider>(sim)) {
    const Account& a = sim.accounts()[m->account()];
    const double price = u.first_price[static_cast<std::size_t>(m->stock())] / 100.0;
    out.push_back({u.first_market_cap_yuan(m->stock()), static_cast<double>(a.cash) / 100.0,
                   static_cast<double>(a.holding(m->stock())) * price, m->quote_lots()});
  }
  return out;
}

}  // namespace

TEST_CASE("makers of a larger stock get deeper resources, in proportion to cap^elasticity", "[liquidity]") {
  const std::vector<MakerStart> scaled = maker_starts("0.5");
  REQUIRE(scaled.size() > 10);
  double smallest = 1e300, largest = 0;
  for (const MakerStart& m : scaled) {
    const double depth = std::sqrt(m.cap_yuan / 2.5e9);
    CHECK(m.cash_yuan == Approx(5.0e6 * depth).epsilon(1e-6));   // capital_yuan's default
    // Inventory: the granted shares round down to lots, and the float may run short.
    CHECK(m.stock_yuan <= 2.0e6 * depth + 1e-6);
    CHECK(m.quote_lots == std::max(1L, std::lround(10 * depth)));   // quote_lots' default
    smallest = std::min(smallest, m.cap_yuan);
    largest = std::max(largest, m.cap_yuan);
  }
  REQUIRE(largest > 4 * smallest);   // the small world spans segments

  // At elasticity 0, the section's values in every stock.
  for (const MakerStart& m : maker_starts("0")) {
    CHECK(m.cash_yuan == Approx(5.0e6));
    CHECK(m.quote_lots == 10);
  }
}
