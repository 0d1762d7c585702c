#pragma once
// Latent fundamental values: a factor model (market + size + idiosyncratic) in log space, plus
// each stock's own expected return (its alpha), a mean-reverting process that skilled funds see.
// Agents never see the values exactly; market makers and informed noise traders see them noisily.
#include <cstdint>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/market/universe.hpp"

namespace stampede {

class StateIo;

struct FactorParams {
  double market_vol = 0.18, size_vol = 0.10, idio_vol = 0.35;   // per sqrt(year)
  double market_drift = 0.0, size_drift = 0.0;                  // per year
  double alpha_dispersion = 0.0;                                 // per year: sd of each stock's alpha
  double alpha_halflife_days = 20.0;                             // trading days
};

class Fundamentals {
 public:
  Fundamentals(const Universe& u, const FactorParams& p, std::uint64_t seed);
  // Drives the market factor with a given path: on trading day d it moves by exactly
  // day_log_returns[d], spread over the day's `minutes_per_day` of trading by a Brownian bridge
  // with the market volatility (so intraday noise stays, and the close lands on the path). The
  // market drift is then unused. Call before the first advance.
  void drive_market(std::vector<double> day_log_returns, double minutes_per_day);
  // Advances every stock by `minutes` of trading time (a year is 250 days of 240 minutes) on
  // trading day `day` (needed only when the market is driven).
  // Common factors come from one stream, idiosyncratic shocks from each stock's own stream,
  // so the result does not depend on how stocks are split among threads.
  void advance(double minutes, int day = -1);
  double value_yuan(int stock) const { return value_[stock]; }
  const std::vector<double>& values_yuan() const { return value_; }
  // Each stock's alpha, per year: the drift of its value beyond the factors.
  const std::vector<double>& expected_returns_annual() const { return alpha_; }
  double market_factor() const { return cum_market_; }
  double size_factor() const { return cum_size_; }
  void checkpoint(StateIo& io);   // values, alphas, factors, every stream (sim/core/state_io.hpp)

 private:
  FactorParams p_;
  std::vector<double> beta_m_, beta_s_;
  std::vector<double> value_;
  std::vector<double> alpha_;
  std::vector<Rng> idio_rng_, alpha_rng_;
  Rng factor_rng_;
  double cum_market_ = 0, cum_size_ = 0;
  // Driven market factor: the path, and the bridge's state within the current day.
  std::vector<double> driven_;
  double driven_minutes_per_day_ = 0;
  int bridge_day_ = -1;
  double bridge_left_ = 0, bridge_minutes_left_ = 0;
};

}  // namespace stampede
