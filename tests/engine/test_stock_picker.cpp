// Where random traders trade (retail.cap_weight_exponent, noise_traders.cap_weight_exponent): a
// random pick chooses a stock with probability proportional to (market cap)^exponent, so larger
// stocks get more of the traders' yuan turnover, as in the real market; at 0 every stock is as
// likely, drawn from the stream exactly as a uniform pick always was.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <boost/random/uniform_int_distribution.hpp>

#include "agents/stock_picker.hpp"
#include "small_world.hpp"

using namespace stampede;

TEST_CASE("at exponent 0 a pick is the uniform draw it always was, draw for draw", "[retail]") {
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r), r);
  const Universe& u = sim.universe();
  const StockPicker picker(u, 0.0);
  CHECK(picker.uniform());
  Rng a = make_stream(7, "picker_test", 0), b = make_stream(7, "picker_test", 0);
  for (int k = 0; k < 1000; ++k)
    REQUIRE(picker.pick(a, u.size()) == boost::random::uniform_int_distribution<int>(0, u.size() - 1)(b));
}

TEST_CASE("at exponent b a stock is picked in proportion to its market cap to the b", "[retail]") {
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r), r);
  const Universe& u = sim.universe();
  const int n = u.size();
  for (const double b : {0.5, 1.0}) {
    const StockPicker picker(u, b);
    double weight_sum = 0;
    for (int i = 0; i < n; ++i) weight_sum += std::pow(u.first_market_cap_yuan(i), b);
    for (int i = 0; i < n; ++i)
      CHECK(picker.probability(i, n) == Approx(std::pow(u.first_market_cap_yuan(i), b) / weight_sum).epsilon(1e-9));

    // Drawn: the large caps' share of picks is their share of cap^b, within sampling error.
    Rng rng = make_stream(11, "picker_test", 1);
    const int draws = 200000;
    int large_picks = 0;
    double large_weight = 0;
    for (int i = 0; i < n; ++i)
      if (u.segment[static_cast<std::size_t>(i)] == Segment::LargeCap) large_weight += picker.probability(i, n);
    for (int k = 0; k < draws; ++k)
      large_picks += u.segment[static_cast<std::size_t>(picker.pick(rng, n))] == Segment::LargeCap;
    const double uniform_share = 4.0 / n;   // the small world's 4 large caps
    CHECK(large_weight > 3 * uniform_share);  // they are much larger than the rest
    CHECK(static_cast<double>(large_picks) / draws == Approx(large_weight).margin(0.01));
  }
}

namespace {

// The large caps' share of what retail and noise traders hold, in yuan at the first prices.
double large_cap_share_of_trader_holdings(const Simulation& sim) {
  const Universe& u = sim.universe();
  std::vector<AgentId> traders;
  for (const auto& a : sim.agents()) {
    const std::string kind = a->kind();
    if (kind == "retail_trader" || kind == "noise_trader") traders.push_back(a->id());
  }
  REQUIRE(traders.size() == 2);
  double large = 0, all = 0;
  for (AccountId id = 0; id < sim.accounts().size(); ++id) {
    const Account& acc = sim.accounts()[id];
    if (acc.owner != traders[0] && acc.owner != traders[1]) continue;
    for (const StockPosition& p : acc.stocks()) {
      const int s = static_cast<int>(p.stock);
      const double yuan = static_cast<double>(p.qty) * u.first_price[static_cast<std::size_t>(s)] / 100.0;
      all += yuan;
      if (u.segment[static_cast<std::size_t>(s)] == Segment::LargeCap) large += yuan;
    }
  }
  REQUIRE(all > 0);
  return large / all;
}

struct Shares {
  double at_start = 0, after_trading = 0;
};

Shares large_cap_shares(const std::string& exponent) {
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r, {"days=2", "retail.cap_weight_exponent=" + exponent,
                                       "noise_traders.cap_weight_exponent=" + exponent}),
                 r);
  Shares out;
  out.at_start = large_cap_share_of_trader_holdings(sim);
  while (!sim.finished()) sim.step();
  out.after_trading = large_cap_share_of_trader_holdings(sim);
  return out;
}

}  // namespace

TEST_CASE("traders who pick by cap hold more of the large caps, at the start and after trading", "[retail]") {
  const Shares uniform = large_cap_shares("0");
  const Shares by_cap = large_cap_shares("1");
  CHECK(by_cap.at_start > 2 * uniform.at_start);
  // Their buys follow the same weights (a uniform buy would dilute the tilt over two days).
  CHECK(by_cap.after_trading > 2 * uniform.after_trading);
}
