// The two indices. The hedged index is cap-weighted over its constituents only:
// base * (sum of shares * price) / (the same sum at the first prices). The microcap index is
// equal-weighted over the N stocks with the smallest market caps, chain-linked at each rebalance
// so that rebalancing itself never moves the level.
#include <catch2/catch.hpp>

#include "sim/market/indices.hpp"

using namespace stampede;

namespace {
Universe tiny_universe(const std::vector<Segment>& seg, const std::vector<Qty>& shares, const std::vector<Tick>& price) {
  Universe u;
  for (std::size_t i = 0; i < seg.size(); ++i) {
    u.name.push_back(std::to_string(i));
    u.segment.push_back(seg[i]);
    u.shares_outstanding.push_back(shares[i]);
    u.first_price.push_back(price[i]);
    u.limit_pct.push_back(10.0);
    u.beta_market.push_back(1.0);
    u.beta_size.push_back(0.0);
  }
  return u;
}

// Stocks 2, 3, 4 are the constituents: caps 1,000*1,000 + 2,000*500 + 3,000*2,000 = 8,000,000 fen.
Universe hedged_universe() {
  using S = Segment;
  return tiny_universe({S::Microcap, S::Microcap, S::Constituent, S::Constituent, S::Constituent, S::LargeCap},
                       {500, 700, 1'000, 2'000, 3'000, 100'000}, {900, 1'100, 1'000, 500, 2'000, 5'000});
}
}  // namespace

TEST_CASE("the hedged index starts at its base and its members are the constituents", "[index]") {
  const Universe u = hedged_universe();
  HedgedIndex idx(u, 1000.0);
  CHECK(idx.members() == std::vector<int>{2, 3, 4});
  CHECK(idx.level(u.first_price) == 1000.0);
  const std::vector<double> w = idx.weights_at_start();
  CHECK(w == std::vector<double>{0.0, 0.0, 0.125, 0.125, 0.75, 0.0});
}

TEST_CASE("the hedged index moves with constituent market cap", "[index]") {
  const Universe u = hedged_universe();
  HedgedIndex idx(u, 1000.0);
  std::vector<Tick> p = u.first_price;
  p[4] = 2'500;   // cap 8,000,000 -> 9,500,000
  CHECK(idx.level(p) == Approx(1187.5).epsilon(1e-12));
  p[4] = 2'000;
  p[3] = 0;       // a constituent worth nothing: 7,000,000
  CHECK(idx.level(p) == Approx(875.0).epsilon(1e-12));
}

TEST_CASE("moving a stock outside the hedged index does not move it", "[index]") {
  const Universe u = hedged_universe();
  HedgedIndex idx(u, 1000.0);
  std::vector<Tick> p = u.first_price;
  p[0] = 9'999;
  p[1] = 1;
  p[5] = 50'000;
  CHECK(idx.level(p) == 1000.0);
}

TEST_CASE("doubling every constituent price doubles the hedged index", "[index]") {
  const Universe u = hedged_universe();
  HedgedIndex idx(u, 5400.0);
  std::vector<Tick> p = u.first_price;
  for (int i : {2, 3, 4}) p[static_cast<std::size_t>(i)] *= 2;
  CHECK(idx.level(p) == Approx(10'800.0).epsilon(1e-12));
}

namespace {
// Eight stocks with distinct caps (shares * price):
// 0: 100*1000=100,000  1: 100*300=30,000  2: 100*900=90,000  3: 100*800=80,000
// 4: 100*200=20,000    5: 100*700=70,000  6: 100*100=10,000  7: 100*600=60,000
// The three smallest are 6, 4, 1.
Universe micro_universe() {
  return tiny_universe(std::vector<Segment>(8, Segment::Microcap), std::vector<Qty>(8, 100),
                       {1'000, 300, 900, 800, 200, 700, 100, 600});
}
}  // namespace

TEST_CASE("the microcap index holds the N smallest stocks by market cap", "[index]") {
  const Universe u = micro_universe();
  MicrocapIndex idx(u, 1000.0, 3, u.first_price);
  CHECK(idx.members() == std::vector<int>{1, 4, 6});
  CHECK(idx.level(u.first_price) == 1000.0);
}

TEST_CASE("membership is by market cap, not by price", "[index]") {
  // Stock 0 has the highest price but so few shares that its cap is the smallest.
  const Universe u = tiny_universe(std::vector<Segment>(4, Segment::Microcap), {10, 1'000, 1'000, 1'000},
                                   {5'000, 100, 200, 300});
  // caps: 50,000  100,000  200,000  300,000
  MicrocapIndex idx(u, 1000.0, 2, u.first_price);
  CHECK(idx.members() == std::vector<int>{0, 1});
}

TEST_CASE("equal caps are broken by the lower stock id", "[index]") {
  const Universe u = tiny_universe(std::vector<Segment>(4, Segment::Microcap), {100, 100, 100, 100},
                                   {500, 500, 500, 500});
  MicrocapIndex idx(u, 1000.0, 2, u.first_price);
  CHECK(idx.members() == std::vector<int>{0, 1});
}

TEST_CASE("the microcap index is the equal-weighted average of member price relatives", "[index]") {
  const Universe u = micro_universe();
  MicrocapIndex idx(u, 1000.0, 3, u.first_price);
  std::vector<Tick> p = u.first_price;
  p[1] = 330;   // +10%
  p[4] = 160;   // -20%
  p[0] = 2'000; // not a member
  // 1000 * (1.1 + 1.0 + 0.8) / 3 = 966.666...
  CHECK(idx.level(p) == Approx(2900.0 / 3.0).epsilon(1e-12));
  // Equal weights: a 10% move of the cheapest member counts as much as of any other.
  std::vector<Tick> q = u.first_price;
  q[6] = 110;
  CHECK(idx.level(q) == Approx(1000.0 * 3.1 / 3.0).epsilon(1e-12));
}

TEST_CASE("rebalancing chain-links: the level is unchanged by the rebalance itself", "[index]") {
  const Universe u = micro_universe();
  MicrocapIndex idx(u, 1000.0, 3, u.first_price);
  std::vector<Tick> p = u.first_price;
  p[1] = 330;   // +10%
  p[4] = 160;   // -20%
  p[0] = 50;    // stock 0's cap falls to 5,000: now the smallest
  const double before = 1000.0 * (1.1 + 0.8 + 1.0) / 3.0;
  REQUIRE(idx.level(p) == Approx(before).epsilon(1e-12));
  idx.rebalance(p);
  // New caps: 0: 5,000  6: 10,000  4: 16,000  1: 33,000 -> members 0, 4, 6.
  CHECK(idx.members() == std::vector<int>{0, 4, 6});
  CHECK(idx.level(p) == Approx(before).epsilon(1e-12));
  // After the rebalance returns are measured from the rebalance prices: stock 0 +50%.
  std::vector<Tick> r = p;
  r[0] = 75;
  r[1] = 1'000;   // no longer a member
  CHECK(idx.level(r) == Approx(before * (1.5 + 1.0 + 1.0) / 3.0).epsilon(1e-12));
}

TEST_CASE("a universe smaller than N puts every stock in the microcap index", "[index]") {
  const Universe u = micro_universe();
  MicrocapIndex idx(u, 1000.0, 50, u.first_price);
  CHECK(idx.members() == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
}
