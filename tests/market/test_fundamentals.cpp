// Latent fundamentals: a factor model in log space starting at the first prices. With no
// volatility and no drift nothing moves; and because every stock draws from its own stream, the
// values do not depend on how many threads advance them.
#include <catch2/catch.hpp>

#include <tbb/task_arena.h>

#include "sim/market/fundamentals.hpp"

using namespace stampede;

namespace {
Universe universe(int n) {
  UniverseParams p;
  p.microcaps = n / 2;
  p.constituents = n - n / 2;
  p.large_caps = 0;
  return make_universe(p, 77);
}

std::vector<double> run_in_arena(int threads, const Universe& u, std::uint64_t seed) {
  Fundamentals f(u, FactorParams{}, seed);
  tbb::task_arena arena(threads);
  arena.execute([&] {
    for (int k = 0; k < 50; ++k) f.advance(k % 3 == 0 ? 15.0 : 1.0);
  });
  return f.values_yuan();
}
}  // namespace

TEST_CASE("fundamentals start at the first prices, in yuan", "[fundamentals]") {
  const Universe u = universe(20);
  Fundamentals f(u, FactorParams{}, 1);
  for (int i = 0; i < u.size(); ++i) CHECK(f.value_yuan(i) == u.first_price[i] / 100.0);
  CHECK(f.market_factor() == 0.0);
  CHECK(f.size_factor() == 0.0);
}

TEST_CASE("with all volatilities and drifts zero the values stay constant", "[fundamentals]") {
  const Universe u = universe(600);
  FactorParams zero;
  zero.market_vol = zero.size_vol = zero.idio_vol = 0.0;
  zero.market_drift = zero.size_drift = 0.0;
  Fundamentals f(u, zero, 123);
  for (int k = 0; k < 240; ++k) f.advance(1.0);
  f.advance(60'000.0);   // a whole year at once
  for (int i = 0; i < u.size(); ++i) CHECK(f.value_yuan(i) == u.first_price[i] / 100.0);
  CHECK(f.market_factor() == 0.0);
  CHECK(f.size_factor() == 0.0);
}

TEST_CASE("a market drift alone moves every stock by exp(beta * drift * t)", "[fundamentals]") {
  Universe u = universe(10);
  FactorParams p;
  p.market_vol = p.size_vol = p.idio_vol = 0.0;
  p.market_drift = 0.10;   // 10% a year in log terms
  Fundamentals f(u, p, 5);
  f.advance(60'000.0);     // one year: 250 days * 240 minutes
  CHECK(f.market_factor() == Approx(0.10).epsilon(1e-12));
  for (int i = 0; i < u.size(); ++i)
    CHECK(f.value_yuan(i) == Approx(u.first_price[i] / 100.0 * std::exp(u.beta_market[i] * 0.10)).epsilon(1e-12));
}

TEST_CASE("advancing is bit-identical under one thread and under several", "[fundamentals]") {
  const Universe u = universe(5'000);   // many blocks of 256 stocks to spread over threads
  const std::vector<double> one = run_in_arena(1, u, 99);
  const std::vector<double> four = run_in_arena(4, u, 99);
  const std::vector<double> eight = run_in_arena(8, u, 99);
  CHECK(one == four);
  CHECK(one == eight);
  // And the values did move, so the comparison means something.
  int moved = 0;
  for (int i = 0; i < u.size(); ++i) moved += one[static_cast<std::size_t>(i)] != u.first_price[i] / 100.0 ? 1 : 0;
  CHECK(moved == u.size());
}

TEST_CASE("the same seed repeats the path and another seed gives another", "[fundamentals]") {
  const Universe u = universe(300);
  CHECK(run_in_arena(2, u, 1) == run_in_arena(2, u, 1));
  CHECK(run_in_arena(2, u, 1) != run_in_arena(2, u, 2));
}
