#include "sim/sweep/ensemble_stats.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/core/rng.hpp"

namespace stampede::sweep {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint64_t kBootstrapBase = 0x656E73656D626C65ULL;   // "ensemble"

double quantile_of_sorted(const std::vector<double>& x, double q) {
  if (x.empty()) return kNaN;
  const double at = q * static_cast<double>(x.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  const double w = at - static_cast<double>(lo);
  return w == 0 ? x[lo] : x[lo] + w * (x[hi] - x[lo]);
}

double median_of(std::vector<double>& x) {
  std::sort(x.begin(), x.end());
  return quantile_of_sorted(x, 0.5);
}

}  // namespace

double quantile(std::vector<double> values, double q) {
  std::erase_if(values, [](double v) { return !std::isfinite(v); });
  std::sort(values.begin(), values.end());
  return quantile_of_sorted(values, q);
}

PairedDifference paired_difference(const std::vector<double>& scenario, const std::vector<double>& baseline,
                                   std::uint64_t seed) {
  std::vector<double> d;
  for (std::size_t k = 0; k < std::min(scenario.size(), baseline.size()); ++k)
    if (std::isfinite(scenario[k]) && std::isfinite(baseline[k])) d.push_back(scenario[k] - baseline[k]);
  PairedDifference out;
  out.seeds = static_cast<int>(d.size());
  if (d.empty()) return out;
  std::vector<double> sorted = d;
  out.median = median_of(sorted);
  const auto sign = [](double v) { return (v > 0) - (v < 0); };
  const int want = sign(out.median);
  out.sign_share = static_cast<double>(std::count_if(d.begin(), d.end(), [&](double v) { return sign(v) == want; })) /
                   static_cast<double>(d.size());
  Rng rng(seed);
  std::vector<double> medians(kBootstrapResamples), resample(d.size());
  for (double& m : medians) {
    for (double& v : resample) {
      // Modulo: the same on every platform; its bias (n / 2^64) is far below the bootstrap's own noise.
      v = d[static_cast<std::size_t>(rng() % d.size())];
    }
    m = median_of(resample);
  }
  std::sort(medians.begin(), medians.end());
  out.low = quantile_of_sorted(medians, (1 - kBootstrapConfidence) / 2);
  out.high = quantile_of_sorted(medians, 1 - (1 - kBootstrapConfidence) / 2);
  return out;
}

std::uint64_t bootstrap_seed(std::string_view scenario, std::string_view metric) {
  return stream_seed(kBootstrapBase, "ensemble-bootstrap", hash_tag(std::string(scenario) + "\n" + std::string(metric)));
}

}  // namespace stampede::sweep
