// The synthetic universe: the requested number of stocks in each segment (microcaps first, then
// constituents, then large caps), shares outstanding in whole lots of 100, price-limit boards
// drawn in the requested proportions, and everything a pure function of the seed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>

#include "sim/market/universe.hpp"

using namespace stampede;

TEST_CASE("the universe has the requested segment sizes, in order", "[universe]") {
  UniverseParams p;
  p.microcaps = 50;
  p.constituents = 30;
  p.large_caps = 5;
  const Universe u = make_universe(p, 42);
  REQUIRE(u.size() == 85);
  CHECK(u.shares_outstanding.size() == 85u);
  CHECK(u.segment.size() == 85u);
  CHECK(u.first_price.size() == 85u);
  CHECK(u.limit_pct.size() == 85u);
  CHECK(u.beta_market.size() == 85u);
  CHECK(u.beta_size.size() == 85u);
  CHECK(std::count(u.segment.begin(), u.segment.end(), Segment::Microcap) == 50);
  CHECK(std::count(u.segment.begin(), u.segment.end(), Segment::Constituent) == 30);
  CHECK(std::count(u.segment.begin(), u.segment.end(), Segment::LargeCap) == 5);
  for (int i = 0; i < 50; ++i) CHECK(u.segment[i] == Segment::Microcap);
  for (int i = 50; i < 80; ++i) CHECK(u.segment[i] == Segment::Constituent);
  for (int i = 80; i < 85; ++i) CHECK(u.segment[i] == Segment::LargeCap);
  CHECK(u.name[0] == "S00000");
  CHECK(u.name[84] == "S00084");
}

TEST_CASE("empty segments are allowed", "[universe]") {
  UniverseParams p;
  p.microcaps = 0;
  p.constituents = 7;
  p.large_caps = 0;
  const Universe u = make_universe(p, 1);
  REQUIRE(u.size() == 7);
  CHECK(std::all_of(u.segment.begin(), u.segment.end(), [](Segment s) { return s == Segment::Constituent; }));
}

TEST_CASE("shares outstanding are whole lots of 100 and prices at least 1 yuan", "[universe]") {
  UniverseParams p;
  p.microcaps = 500;
  p.constituents = 300;
  p.large_caps = 20;
  p.price_dispersion = 2.0;   // wide enough that some draws fall below 1 yuan and are floored
  const Universe u = make_universe(p, 7);
  for (int i = 0; i < u.size(); ++i) {
    INFO("stock " << i);
    CHECK(u.shares_outstanding[i] >= 100);
    CHECK(u.shares_outstanding[i] % 100 == 0);
    CHECK(u.first_price[i] >= 100);
  }
}

TEST_CASE("market caps follow the segment medians", "[universe]") {
  UniverseParams p;
  p.microcaps = 4'000;
  p.constituents = 4'000;
  p.large_caps = 0;
  const Universe u = make_universe(p, 3);
  auto median_cap = [&](int from, int to) {
    std::vector<double> c;
    for (int i = from; i < to; ++i) c.push_back(u.first_market_cap_yuan(i));
    std::nth_element(c.begin(), c.begin() + static_cast<long>(c.size() / 2), c.end());
    return c[c.size() / 2];
  };
  // Lognormal with sigma 0.4: the sample median of 4,000 draws is within a few percent of the median.
  CHECK(median_cap(0, 4'000) == Approx(2.5e9).epsilon(0.05));
  CHECK(median_cap(4'000, 8'000) == Approx(1e10).epsilon(0.05));
}

TEST_CASE("price-limit boards come out in the requested shares", "[universe]") {
  UniverseParams p;
  p.microcaps = 20'000;
  p.constituents = 0;
  p.large_caps = 0;
  p.board_20pct_share = 0.30;
  p.board_5pct_share = 0.05;
  const Universe u = make_universe(p, 11);
  const auto n = static_cast<double>(u.size());
  const double f20 = std::count(u.limit_pct.begin(), u.limit_pct.end(), 20.0) / n;
  const double f5 = std::count(u.limit_pct.begin(), u.limit_pct.end(), 5.0) / n;
  const double f10 = std::count(u.limit_pct.begin(), u.limit_pct.end(), 10.0) / n;
  // Binomial standard errors over 20,000 stocks: 0.0032 and 0.0015; allow about 6 of them.
  CHECK(f20 == Approx(0.30).margin(0.02));
  CHECK(f5 == Approx(0.05).margin(0.01));
  CHECK(f20 + f5 + f10 == 1.0);   // no other limit exists
}

TEST_CASE("with no board shares every stock is on the 10% main board", "[universe]") {
  UniverseParams p;
  p.microcaps = 300;
  const Universe u = make_universe(p, 5);
  CHECK(std::all_of(u.limit_pct.begin(), u.limit_pct.end(), [](double l) { return l == 10.0; }));
}

TEST_CASE("the same seed gives the same universe, another seed a different one", "[universe]") {
  UniverseParams p;
  p.microcaps = 200;
  p.constituents = 100;
  p.large_caps = 10;
  p.board_20pct_share = 0.2;
  p.board_5pct_share = 0.05;
  const Universe a = make_universe(p, 2024);
  const Universe b = make_universe(p, 2024);
  const Universe c = make_universe(p, 2025);
  CHECK(a.name == b.name);
  CHECK(a.segment == b.segment);
  CHECK(a.shares_outstanding == b.shares_outstanding);
  CHECK(a.first_price == b.first_price);
  CHECK(a.limit_pct == b.limit_pct);
  CHECK(a.beta_market == b.beta_market);
  CHECK(a.beta_size == b.beta_size);

  CHECK(a.segment == c.segment);   // the structure is the request, not the seed
  CHECK(a.first_price != c.first_price);
  CHECK(a.shares_outstanding != c.shares_outstanding);
  CHECK(a.beta_market != c.beta_market);
}

TEST_CASE("a stock's draws depend only on its id, not on the universe's size", "[universe]") {
  UniverseParams small;
  small.microcaps = 10;
  small.constituents = 0;
  small.large_caps = 0;
  UniverseParams large = small;
  large.microcaps = 100;
  const Universe a = make_universe(small, 9), b = make_universe(large, 9);
  for (int i = 0; i < 10; ++i) {
    CHECK(a.first_price[i] == b.first_price[i]);
    CHECK(a.shares_outstanding[i] == b.shares_outstanding[i]);
  }
}

TEST_CASE("factor loadings: market betas in [0.8, 1.2], size loadings ordered by segment", "[universe]") {
  UniverseParams p;
  p.microcaps = 2'000;
  p.constituents = 2'000;
  p.large_caps = 2'000;
  const Universe u = make_universe(p, 13);
  double mean_size[3] = {0, 0, 0};
  for (int i = 0; i < u.size(); ++i) {
    CHECK(u.beta_market[i] >= 0.8);
    CHECK(u.beta_market[i] <= 1.2);
    mean_size[static_cast<int>(u.segment[i])] += u.beta_size[i] / 2'000.0;
  }
  // Means 1.0, 0.4 and -0.6 with noise sd 0.2: standard error 0.0045.
  CHECK(mean_size[0] == Approx(1.0).margin(0.03));
  CHECK(mean_size[1] == Approx(0.4).margin(0.03));
  CHECK(mean_size[2] == Approx(-0.6).margin(0.03));
}
