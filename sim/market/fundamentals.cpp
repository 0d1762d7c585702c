#include "sim/market/fundamentals.hpp"

#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <tbb/parallel_for.h>

namespace stampede {

namespace {
constexpr double kMinutesPerYear = 250.0 * 240.0;
}

Fundamentals::Fundamentals(const Universe& u, const FactorParams& p, std::uint64_t seed)
    : p_(p), beta_m_(u.beta_market), beta_s_(u.beta_size), factor_rng_(make_stream(seed, "factors", 0)) {
  value_.resize(u.size());
  idio_rng_.reserve(u.size());
  for (int i = 0; i < u.size(); ++i) {
    value_[i] = u.first_price[i] / 100.0;
    idio_rng_.push_back(make_stream(seed, "stock.fundamental", static_cast<std::uint64_t>(i)));
  }
}

void Fundamentals::advance(double minutes) {
  const double dt = minutes / kMinutesPerYear;
  const double sq = std::sqrt(dt);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  const double fm = p_.market_drift * dt + p_.market_vol * sq * normal(factor_rng_);
  const double fs = p_.size_drift * dt + p_.size_vol * sq * normal(factor_rng_);
  cum_market_ += fm;
  cum_size_ += fs;
  const double idio_sd = p_.idio_vol * sq;
  tbb::parallel_for(tbb::blocked_range<int>(0, static_cast<int>(value_.size()), 256), [&](const auto& r) {
    boost::random::normal_distribution<double> eps(0.0, 1.0);
    for (int i = r.begin(); i < r.end(); ++i) {
      // Ito correction keeps the expected value flat when drifts are zero.
      double shock = beta_m_[i] * fm + beta_s_[i] * fs + idio_sd * eps(idio_rng_[i]) - 0.5 * idio_sd * idio_sd;
      value_[i] *= std::exp(shock);
    }
  });
}

}  // namespace stampede
