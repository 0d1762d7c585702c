#pragma once
// Snowball (autocallable) note pricing for the issuers' delta hedge (not an agent).
//
// A note of notional N on the hedged index, struck at its initial level S0:
//   * knock-out (KO): at every `observation_days`-th close counted back from maturity, if
//     S >= ko * S0 the note ends and the buyer receives N * (1 + coupon * years elapsed);
//   * knock-in (KI): at every close, if S <= ki * S0 the note is knocked in (for good);
//   * at maturity without KO: N * (1 + coupon * years) if never knocked in, else N * min(S/S0, 1).
// The issuer is short the note: it hedges with delta = x dV/dx LONG index exposure per yuan of
// notional (x = S/S0, V = note value per yuan of notional).
//
// One SnowballSurface per note type holds V on a grid of (log x, closes to go) for both states
// (knocked in or not), computed once by a Crank-Nicolson PDE on log-spot (Rannacher start each
// day) with the daily KI and the monthly KO applied at the closes; values and deltas between grid
// nodes are interpolated. docs/snowball-pricing.md documents the method and its checks.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stampede {

// What makes a note type: notes of one type share a surface.
struct SnowballTerms {
  double ko = 1.0;        // knock-out barrier / initial level
  double ki = 0.75;       // knock-in barrier / initial level
  double coupon = 0.15;   // annual coupon (simple interest on the notional)
  int months = 24;        // maturity in months of `observation_days` trading days
  bool operator==(const SnowballTerms&) const = default;
};

// The pricing model (Black-Scholes on the index) and the calendar of the note.
struct SnowballModel {
  double vol = 0.22;          // annual pricing volatility
  double rate = 0.02;         // risk-free rate: the index's drift under pricing and the discount rate
  int observation_days = 21;  // trading days per month: KO is observed every this many closes
  int days_per_year = 252;
  bool operator==(const SnowballModel&) const = default;
};

// Numerics of the PDE (not scenario mechanics: they only set the accuracy).
struct SnowballGrid {
  double dz = 0.005;                          // log-spot step
  double x_min = 0.3, x_max = 2.2;            // PDE domain in x = S/S0 (Dirichlet boundaries)
  double store_min = 0.35, store_max = 2.0;   // part of the domain kept in the surface
  int substeps_per_day = 4;                   // the first two implicit Euler (Rannacher), then CN
  bool operator==(const SnowballGrid&) const = default;
};

class SnowballSurface {
 public:
  SnowballSurface(const SnowballTerms& terms, const SnowballModel& model, const SnowballGrid& grid = {});

  const SnowballTerms& terms() const { return terms_; }
  const SnowballModel& model() const { return model_; }
  // Closes over the whole life of a note: months * observation_days.
  int days() const { return days_; }

  // Value per yuan of notional at the start of a trading day with `closes_left` closes to go
  // (today's close included; 1 on the maturity day), x = S/S0. closes_left is clamped to
  // [1, days()], x to the stored range.
  double value(double x, int closes_left, bool knocked_in) const;
  // x dV/dx: yuan of index exposure the issuer holds long per yuan of notional.
  double delta(double x, int closes_left, bool knocked_in) const;

 private:
  const float* row(int closes_left, bool knocked_in) const;
  double position(double x, int& j) const;   // fractional node index in the stored range

  SnowballTerms terms_;
  SnowballModel model_;
  double dz_ = 0;
  double z0_ = 0;     // log x of stored node 0
  int nodes_ = 0;     // stored nodes per row
  int days_ = 0;
  std::vector<float> v_;   // [knocked_in][closes_left 0..days][node]; row 0 unused
};

// Surfaces for `types`, built in parallel (tbb) and shared through a process-wide cache: runs
// and tests that ask for the same terms and model again reuse them.
std::vector<std::shared_ptr<const SnowballSurface>> snowball_surfaces(const std::vector<SnowballTerms>& types,
                                                                      const SnowballModel& model,
                                                                      const SnowballGrid& grid = {});

// Brute-force Monte Carlo reference: daily log-normal steps, the same observations. The delta
// is the central difference (V(x e^h) - V(x e^-h)) / 2h with common random numbers. Standard
// errors are of the mean over paths. Parallel over blocks of paths, each with its own stream:
// the result depends on the seed only.
struct SnowballMcResult {
  double value = 0, value_se = 0;
  double delta = 0, delta_se = 0;
};
SnowballMcResult snowball_monte_carlo(const SnowballTerms& terms, const SnowballModel& model, double x,
                                      int closes_left, bool knocked_in, int paths, std::uint64_t seed,
                                      double bump = 0.02);

}  // namespace stampede
