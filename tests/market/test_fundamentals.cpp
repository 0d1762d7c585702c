// Latent fundamentals: a factor model in log space starting at the first prices. With no
// volatility and no drift nothing moves; and because every stock draws from its own stream, the
// values do not depend on how many threads advance them.
#include <catch2/catch.hpp>

#include <cmath>
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

// Alphas: each stock's own expected return, what skilled funds pick stocks by.

TEST_CASE("with alphas alone a stock's value grows at its alpha over a short time", "[fundamentals]") {
  const Universe u = universe(200);
  FactorParams p;
  p.market_vol = p.size_vol = p.idio_vol = 0.0;
  p.alpha_dispersion = 0.3;
  p.alpha_halflife_days = 1e6;   // practically constant over one day
  Fundamentals f(u, p, 9);
  const std::vector<double> alpha = f.expected_returns_annual();
  for (int k = 0; k < 240; ++k) f.advance(1.0);   // one trading day = 1/250 year
  for (int i = 0; i < u.size(); ++i) {
    const double grew = std::log(f.value_yuan(i) / (u.first_price[i] / 100.0));
    CHECK(grew == Approx(alpha[static_cast<std::size_t>(i)] / 250.0).margin(1e-5));
  }
}

TEST_CASE("alphas keep their dispersion and forget themselves at the half-life", "[fundamentals]") {
  const Universe u = universe(4000);
  FactorParams p;
  p.alpha_dispersion = 0.3;
  p.alpha_halflife_days = 10.0;
  Fundamentals f(u, p, 11);
  const std::vector<double> start = f.expected_returns_annual();
  auto sd = [](const std::vector<double>& x) {
    double s = 0, q = 0;
    for (double v : x) s += v, q += v * v;
    const double n = static_cast<double>(x.size());
    return std::sqrt(q / n - (s / n) * (s / n));
  };
  CHECK(sd(start) == Approx(0.3).epsilon(0.05));
  for (int k = 0; k < 10 * 240; ++k) f.advance(1.0);   // ten trading days: one half-life
  const std::vector<double>& later = f.expected_returns_annual();
  CHECK(sd(later) == Approx(0.3).epsilon(0.05));
  double cov = 0;
  for (std::size_t i = 0; i < start.size(); ++i) cov += start[i] * later[i];
  const double corr = cov / static_cast<double>(start.size()) / (sd(start) * sd(later));
  CHECK(corr == Approx(0.5).margin(0.05));
}

TEST_CASE("without alphas the values are those of a run before alphas existed", "[fundamentals]") {
  // The alpha streams are separate: switching alphas off must not shift any other draw.
  const Universe u = universe(50);
  FactorParams with_zero;   // alpha_dispersion = 0 by default
  Fundamentals a(u, with_zero, 3);
  FactorParams with_alpha = with_zero;
  with_alpha.alpha_dispersion = 1e-300;   // on, but too small to move anything
  Fundamentals b(u, with_alpha, 3);
  for (int k = 0; k < 100; ++k) a.advance(1.0), b.advance(1.0);
  CHECK(a.values_yuan() == b.values_yuan());
  for (double x : a.expected_returns_annual()) CHECK(x == 0.0);
}
