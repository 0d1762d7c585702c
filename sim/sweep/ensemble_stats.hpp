#pragma once
// The statistics of an ensemble summary, pure functions: quantiles over seeds and the paired
// difference of a scenario to the baseline with a bootstrap interval. Deterministic: the bootstrap
// draws from a stream seeded by what it compares, never by time or thread.
#include <array>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

namespace stampede::sweep {

// The quantiles of every band (the fan charts' lower edge, median and upper edge).
inline constexpr std::array<double, 3> kBandQuantiles = {0.1, 0.5, 0.9};
// The paired difference's bootstrap: resamples of the seeds, and the central share of their medians
// taken as the interval (0.9: from the 5% to the 95% quantile).
inline constexpr int kBootstrapResamples = 2000;
inline constexpr double kBootstrapConfidence = 0.9;

// Quantile q (0..1) of the finite values, linear between order statistics (numpy's default,
// "type 7"); NaN when no value is finite.
double quantile(std::vector<double> values, double q);

struct PairedDifference {
  int seeds = 0;    // seeds where both the scenario's and the baseline's value are finite
  double median = std::numeric_limits<double>::quiet_NaN();   // median of the per-seed differences
  double low = std::numeric_limits<double>::quiet_NaN();      // bootstrap interval of that median
  double high = std::numeric_limits<double>::quiet_NaN();
  // Share of those seeds whose difference has the median's sign (when the median is 0: share
  // with no difference).
  double sign_share = std::numeric_limits<double>::quiet_NaN();
};

// scenario[k] - baseline[k] over the seeds k where both are finite: their median, a percentile
// bootstrap interval of the median (kBootstrapResamples resamples of those seeds with
// replacement, drawn from `bootstrap_seed`), and the share of seeds with the median's sign.
PairedDifference paired_difference(const std::vector<double>& scenario, const std::vector<double>& baseline,
                                   std::uint64_t bootstrap_seed);

// The bootstrap seed of one comparison: from the scenario's label and the metric's name only, so
// a comparison's interval does not change when scenarios or metrics are added.
std::uint64_t bootstrap_seed(std::string_view scenario, std::string_view metric);

}  // namespace stampede::sweep
