#pragma once
// Latent fundamental values: a factor model (market + size + idiosyncratic) in log space.
// Agents never see these exactly; market makers and informed noise traders see them noisily.
#include <cstdint>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/market/universe.hpp"

namespace stampede {

struct FactorParams {
  double market_vol = 0.18, size_vol = 0.10, idio_vol = 0.35;   // per sqrt(year)
  double market_drift = 0.0, size_drift = 0.0;                  // per year
};

class Fundamentals {
 public:
  Fundamentals(const Universe& u, const FactorParams& p, std::uint64_t seed);
  // Advances every stock by `minutes` of trading time (a year is 250 days of 240 minutes).
  // Common factors come from one stream, idiosyncratic shocks from each stock's own stream,
  // so the result does not depend on how stocks are split among threads.
  void advance(double minutes);
  double value_yuan(int stock) const { return value_[stock]; }
  const std::vector<double>& values_yuan() const { return value_; }
  double market_factor() const { return cum_market_; }
  double size_factor() const { return cum_size_; }

 private:
  FactorParams p_;
  std::vector<double> beta_m_, beta_s_;
  std::vector<double> value_;
  std::vector<Rng> idio_rng_;
  Rng factor_rng_;
  double cum_market_ = 0, cum_size_ = 0;
};

}  // namespace stampede
