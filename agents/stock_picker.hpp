#pragma once
// Which stock a random trader picks: uniformly, or with probability growing with its market cap.
// Real turnover in yuan grows with a stock's size (a large cap trades far more yuan a day than a
// microcap, though less of its cap); traders who pick stocks uniformly give every stock the same
// yuan turnover, so the smallest names are as deep as the largest. `cap_weight_exponent` b makes
// the chance of a stock proportional to (market cap at the start)^b; b = 0 keeps the uniform pick,
// drawing from the stream exactly as before, so a scenario without the key is bit-identical.
#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/market/universe.hpp"

namespace stampede {

class StockPicker {
 public:
  StockPicker() = default;   // uniform
  StockPicker(const Universe& u, double cap_weight_exponent) {
    const int count = u.size();
    if (cap_weight_exponent == 0.0 || count == 0) return;
    cumulative_.resize(static_cast<std::size_t>(count));
    double sum = 0;
    for (int i = 0; i < count; ++i) {
      sum += std::pow(std::max(1.0, u.first_market_cap_yuan(i)), cap_weight_exponent);
      cumulative_[static_cast<std::size_t>(i)] = sum;
    }
    for (double& c : cumulative_) c /= sum;
  }

  // A stock in [0, count), count = the universe's size: one draw from the stream either way.
  int pick(Rng& rng, int count) const {
    if (cumulative_.empty()) return uniform_int(rng, 0, count - 1);
    const double x = uniform01(rng);
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
    return std::min(count - 1, static_cast<int>(it - cumulative_.begin()));
  }
  // The chance of stock i among count (for tests and docs).
  double probability(int i, int count) const {
    if (cumulative_.empty()) return 1.0 / count;
    const std::size_t k = static_cast<std::size_t>(i);
    return cumulative_[k] - (k > 0 ? cumulative_[k - 1] : 0.0);
  }
  bool uniform() const { return cumulative_.empty(); }

 private:
  std::vector<double> cumulative_;   // empty: uniform
};

}  // namespace stampede
