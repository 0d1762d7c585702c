#include "sim/market/fundamentals.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/core/parallel.hpp"

namespace stampede {

namespace {
constexpr double kMinutesPerDay = 240.0;
constexpr double kMinutesPerYear = 250.0 * kMinutesPerDay;
}

Fundamentals::Fundamentals(const Universe& u, const FactorParams& p, std::uint64_t seed)
    : p_(p), beta_m_(u.beta_market), beta_s_(u.beta_size), factor_rng_(make_stream(seed, "factors", 0)) {
  value_.resize(u.size());
  idio_rng_.reserve(u.size());
  for (int i = 0; i < u.size(); ++i) {
    value_[i] = u.first_price[i] / 100.0;
    idio_rng_.push_back(make_stream(seed, "stock.fundamental", static_cast<std::uint64_t>(i)));
  }
  // Alphas start from their stationary distribution. Their own streams: a run without alpha
  // draws exactly what it drew before alphas existed.
  alpha_.assign(value_.size(), 0.0);
  if (p_.alpha_dispersion > 0) {
    boost::random::normal_distribution<double> normal(0.0, 1.0);
    alpha_rng_.reserve(value_.size());
    for (std::size_t i = 0; i < value_.size(); ++i) {
      alpha_rng_.push_back(make_stream(seed, "stock.alpha", i));
      alpha_[i] = p_.alpha_dispersion * normal(alpha_rng_.back());
    }
  }
}

void Fundamentals::drive_market(std::vector<double> day_log_returns, double minutes_per_day) {
  if (minutes_per_day <= 0) throw std::invalid_argument("Fundamentals::drive_market: no trading minutes in a day");
  driven_ = std::move(day_log_returns);
  driven_minutes_per_day_ = minutes_per_day;
}

void Fundamentals::advance(double minutes, int day) {
  const double dt = minutes / kMinutesPerYear;
  const double sq = std::sqrt(dt);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  double fm;
  if (driven_.empty()) {
    fm = p_.market_drift * dt + p_.market_vol * sq * normal(factor_rng_);
  } else {
    if (day < 0 || day >= static_cast<int>(driven_.size()))
      throw std::out_of_range("Fundamentals::advance: no driven market move for day " + std::to_string(day));
    if (day != bridge_day_) {
      bridge_day_ = day;
      bridge_left_ = driven_[static_cast<std::size_t>(day)];
      bridge_minutes_left_ = driven_minutes_per_day_;
    }
    // The exact sequential Brownian bridge: the expected share of what is left, plus noise whose
    // variance shrinks to zero at the day's last step, which then lands on the close exactly.
    const double share = bridge_minutes_left_ > minutes ? minutes / bridge_minutes_left_ : 1.0;
    const double var = p_.market_vol * p_.market_vol * dt * (1.0 - share);
    fm = share * bridge_left_ + std::sqrt(std::max(0.0, var)) * normal(factor_rng_);
    bridge_left_ -= fm;
    bridge_minutes_left_ -= minutes;
  }
  const double fs = p_.size_drift * dt + p_.size_vol * sq * normal(factor_rng_);
  cum_market_ += fm;
  cum_size_ += fs;
  const double idio_sd = p_.idio_vol * sq;
  const bool alphas = p_.alpha_dispersion > 0;
  // An Ornstein-Uhlenbeck step: the alpha keeps `keep` of itself and the variance stays put.
  const double keep = alphas ? std::exp(-std::log(2.0) * minutes / kMinutesPerDay / p_.alpha_halflife_days) : 1.0;
  const double renew_sd = p_.alpha_dispersion * std::sqrt(std::max(0.0, 1.0 - keep * keep));
  stampede::parallel_for(tbb::blocked_range<int>(0, static_cast<int>(value_.size()), 256), [&](const auto& r) {
    boost::random::normal_distribution<double> eps(0.0, 1.0);
    for (int i = r.begin(); i < r.end(); ++i) {
      // Ito correction keeps the expected value flat when drifts are zero.
      double shock = beta_m_[i] * fm + beta_s_[i] * fs + idio_sd * eps(idio_rng_[i]) - 0.5 * idio_sd * idio_sd;
      if (alphas) {
        shock += alpha_[i] * dt;
        alpha_[i] = keep * alpha_[i] + renew_sd * eps(alpha_rng_[i]);
      }
      value_[i] *= std::exp(shock);
    }
  });
}

}  // namespace stampede
