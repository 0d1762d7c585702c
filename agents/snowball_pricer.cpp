#include "agents/snowball_pricer.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

#include "sim/core/rng.hpp"
#include "sim/core/parallel.hpp"

namespace stampede {

namespace {

// A constant-coefficient tridiagonal system (1 - theta dt L) u' = rhs on the interior nodes,
// factorised once (Thomas algorithm).
struct ThetaStep {
  double theta = 1, dt = 0;
  double lo = 0, di = 0, up = 0;          // L: lo u[j-1] + di u[j] + up u[j+1]
  std::vector<double> cprime, denom;      // forward-elimination factors (denom: inverse pivots)

  ThetaStep(double theta_, double dt_, double lo_, double di_, double up_, int n)
      : theta(theta_), dt(dt_), lo(lo_), di(di_), up(up_), cprime(static_cast<std::size_t>(n)),
        denom(static_cast<std::size_t>(n)) {
    const double a = -theta * dt * lo, b = 1.0 - theta * dt * di, c = -theta * dt * up;
    for (int j = 1; j < n - 1; ++j) {
      const double d = b - (j > 1 ? a * cprime[static_cast<std::size_t>(j - 1)] : 0.0);
      denom[static_cast<std::size_t>(j)] = 1.0 / d;
      cprime[static_cast<std::size_t>(j)] = c / d;
    }
  }

  // u holds the old values and the new boundary values at u[0] and u[n-1]; rhs is scratch.
  void apply(std::vector<double>& u, std::vector<double>& rhs, double old_lo, double old_hi) const {
    const int n = static_cast<int>(u.size());
    const double e = (1.0 - theta) * dt;
    const double a = -theta * dt * lo, c = -theta * dt * up;
    double prev = old_lo;   // old u[j-1]
    for (int j = 1; j < n - 1; ++j) {
      const double cur = u[static_cast<std::size_t>(j)];
      const double next = j + 1 == n - 1 ? old_hi : u[static_cast<std::size_t>(j + 1)];
      rhs[static_cast<std::size_t>(j)] = cur + e * (lo * prev + di * cur + up * next);
      prev = cur;
    }
    rhs[1] -= a * u[0];
    rhs[static_cast<std::size_t>(n - 2)] -= c * u[static_cast<std::size_t>(n - 1)];
    // forward sweep
    for (int j = 1; j < n - 1; ++j) {
      const double r = rhs[static_cast<std::size_t>(j)] - (j > 1 ? a * rhs[static_cast<std::size_t>(j - 1)] : 0.0);
      rhs[static_cast<std::size_t>(j)] = r * denom[static_cast<std::size_t>(j)];
    }
    // back substitution
    u[static_cast<std::size_t>(n - 2)] = rhs[static_cast<std::size_t>(n - 2)];
    for (int j = n - 3; j >= 1; --j)
      u[static_cast<std::size_t>(j)] = rhs[static_cast<std::size_t>(j)] - cprime[static_cast<std::size_t>(j)] * u[static_cast<std::size_t>(j + 1)];
  }
};

// Share of the grid cell [z - dz/2, z + dz/2] at or above the level b: the payoff of a barrier
// test averaged over the cell, which keeps the projection second-order accurate.
double share_above(double z, double dz, double b) { return std::clamp((z + 0.5 * dz - b) / dz, 0.0, 1.0); }

}  // namespace

SnowballSurface::SnowballSurface(const SnowballTerms& t, const SnowballModel& m, const SnowballGrid& g)
    : terms_(t), model_(m), dz_(g.dz) {
  if (!(t.ki > 0 && t.ko > t.ki && t.months >= 1 && m.vol > 0 && m.observation_days >= 1 && m.days_per_year >= 1 &&
        g.dz > 0 && g.x_min > 0 && g.x_max > g.x_min && g.substeps_per_day >= 1 && g.store_min >= g.x_min &&
        g.store_max <= g.x_max && g.store_max > g.store_min && t.ki > g.x_min && t.ko < g.x_max))
    throw std::invalid_argument("snowball pricer: inconsistent terms, model or grid");
  days_ = t.months * m.observation_days;

  // Nodes aligned so that the KI barrier is a node.
  const double zki = std::log(t.ki);
  const int below = static_cast<int>(std::ceil((zki - std::log(g.x_min)) / g.dz));
  const double zlo = zki - below * g.dz;
  const int n = static_cast<int>(std::floor((std::log(g.x_max) - zlo) / g.dz)) + 1;
  auto zof = [&](int j) { return zlo + j * g.dz; };
  const int s_first = std::max(1, static_cast<int>(std::floor((std::log(g.store_min) - zlo) / g.dz)));
  const int s_last = std::min(n - 2, static_cast<int>(std::ceil((std::log(g.store_max) - zlo) / g.dz)));
  z0_ = zof(s_first);
  nodes_ = s_last - s_first + 1;
  v_.assign(static_cast<std::size_t>(2) * static_cast<std::size_t>(days_ + 1) * static_cast<std::size_t>(nodes_), 0.0f);

  // Black-Scholes in z = log x: u_tau = s2/2 u_zz + (r - s2/2) u_z - r u.
  const double s2 = m.vol * m.vol, mu = m.rate - 0.5 * s2;
  const double lo = 0.5 * s2 / (g.dz * g.dz) - 0.5 * mu / g.dz;
  const double up = 0.5 * s2 / (g.dz * g.dz) + 0.5 * mu / g.dz;
  const double di = -s2 / (g.dz * g.dz) - m.rate;
  const double dt = 1.0 / m.days_per_year / g.substeps_per_day;
  const ThetaStep implicit(1.0, dt, lo, di, up, n), crank(0.5, dt, lo, di, up, n);
  const double growth = std::exp(-m.rate * dt);

  const double zko = std::log(t.ko);
  std::vector<double> ko_w(static_cast<std::size_t>(n)), ki_w(static_cast<std::size_t>(n)), x(static_cast<std::size_t>(n));
  for (int j = 0; j < n; ++j) {
    x[static_cast<std::size_t>(j)] = std::exp(zof(j));
    ko_w[static_cast<std::size_t>(j)] = share_above(zof(j), g.dz, zko);
    ki_w[static_cast<std::size_t>(j)] = 1.0 - share_above(zof(j), g.dz, zki + 1e-12);   // share at or below KI
  }
  auto coupon_paid = [&](int closes_after) {
    return 1.0 + t.coupon * static_cast<double>(days_ - closes_after) / m.days_per_year;
  };

  std::vector<double> nk(static_cast<std::size_t>(n)), kin(static_cast<std::size_t>(n)), rhs(static_cast<std::size_t>(n));
  for (int d = 1; d <= days_; ++d) {
    const int after = d - 1;   // closes left after today's
    const bool observe_ko = after % m.observation_days == 0;
    const double c = coupon_paid(after);
    for (int j = 0; j < n; ++j) {
      const auto s = static_cast<std::size_t>(j);
      const double w_ko = observe_ko ? ko_w[s] : 0.0;
      double cont_ki, cont_nk;
      if (after == 0) {   // maturity
        cont_ki = std::min(x[s], 1.0);
        cont_nk = c;
      } else {
        cont_ki = kin[s];
        cont_nk = nk[s];
      }
      // Not knocked in: KO first (above the KO barrier), else KI (at or below the KI barrier).
      nk[s] = w_ko * c + (1.0 - w_ko) * (ki_w[s] * cont_ki + (1.0 - ki_w[s]) * cont_nk);
      kin[s] = w_ko * c + (1.0 - w_ko) * cont_ki;
    }
    // One trading day backwards in time.
    for (int k = 0; k < g.substeps_per_day; ++k) {
      const ThetaStep& step = k < 2 ? implicit : crank;
      for (std::vector<double>* u : {&nk, &kin}) {
        const double old_lo = (*u)[0], old_hi = (*u)[static_cast<std::size_t>(n - 1)];
        (*u)[0] = x[0];                                             // deep below: worth S/S0
        (*u)[static_cast<std::size_t>(n - 1)] = old_hi * growth;    // far above: the coming coupon, discounted
        step.apply(*u, rhs, old_lo, old_hi);
      }
    }
    for (int flag = 0; flag < 2; ++flag) {
      const std::vector<double>& u = flag ? kin : nk;
      float* out = v_.data() + (static_cast<std::size_t>(flag) * static_cast<std::size_t>(days_ + 1) +
                                static_cast<std::size_t>(d)) * static_cast<std::size_t>(nodes_);
      for (int j = 0; j < nodes_; ++j) out[j] = static_cast<float>(u[static_cast<std::size_t>(s_first + j)]);
    }
  }
}

const float* SnowballSurface::row(int closes_left, bool knocked_in) const {
  const int d = std::clamp(closes_left, 1, days_);
  return v_.data() + (static_cast<std::size_t>(knocked_in) * static_cast<std::size_t>(days_ + 1) +
                      static_cast<std::size_t>(d)) * static_cast<std::size_t>(nodes_);
}

double SnowballSurface::position(double x, int& j) const {
  double p = (std::log(std::max(x, 1e-12)) - z0_) / dz_;
  p = std::clamp(p, 1.0, static_cast<double>(nodes_ - 3));
  j = std::min(static_cast<int>(p), nodes_ - 4);
  return p - j;
}

double SnowballSurface::value(double x, int closes_left, bool knocked_in) const {
  const float* r = row(closes_left, knocked_in);
  int j;
  const double f = position(x, j);
  return (1.0 - f) * r[j] + f * r[j + 1];
}

double SnowballSurface::delta(double x, int closes_left, bool knocked_in) const {
  const float* r = row(closes_left, knocked_in);
  int j;
  const double f = position(x, j);
  const double d0 = (static_cast<double>(r[j + 1]) - r[j - 1]) / (2.0 * dz_);
  const double d1 = (static_cast<double>(r[j + 2]) - r[j]) / (2.0 * dz_);
  return (1.0 - f) * d0 + f * d1;
}

std::vector<std::shared_ptr<const SnowballSurface>> snowball_surfaces(const std::vector<SnowballTerms>& types,
                                                                      const SnowballModel& model,
                                                                      const SnowballGrid& grid) {
  using Key = std::tuple<double, double, double, int, double, double, int, int, double, double, double, double, double, int>;
  auto key_of = [&](const SnowballTerms& t) {
    return Key{t.ko, t.ki, t.coupon, t.months, model.vol, model.rate, model.observation_days, model.days_per_year,
               grid.dz, grid.x_min, grid.x_max, grid.store_min, grid.store_max, grid.substeps_per_day};
  };
  static std::mutex mutex;
  static std::map<Key, std::shared_ptr<const SnowballSurface>> cache;
  constexpr std::size_t kCacheLimit = 64;   // about 1.3 MB per 24-month surface

  std::vector<std::shared_ptr<const SnowballSurface>> out(types.size());
  std::vector<std::size_t> missing;
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (std::size_t i = 0; i < types.size(); ++i) {
      auto it = cache.find(key_of(types[i]));
      if (it != cache.end()) out[i] = it->second;
      else missing.push_back(i);
    }
  }
  stampede::parallel_for(tbb::blocked_range<std::size_t>(0, missing.size(), 1), [&](const auto& r) {
    for (std::size_t k = r.begin(); k < r.end(); ++k)
      out[missing[k]] = std::make_shared<const SnowballSurface>(types[missing[k]], model, grid);
  });
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() + missing.size() > kCacheLimit) cache.clear();
  for (std::size_t i : missing) cache.emplace(key_of(types[i]), out[i]);
  return out;
}

SnowballMcResult snowball_monte_carlo(const SnowballTerms& t, const SnowballModel& m, double x0, int closes_left,
                                      bool knocked_in, int paths, std::uint64_t seed, double bump) {
  const int days = t.months * m.observation_days;
  const int d = std::clamp(closes_left, 1, days);
  const double dt = 1.0 / m.days_per_year;
  const double drift = (m.rate - 0.5 * m.vol * m.vol) * dt, sd = m.vol * std::sqrt(dt);
  const double zko = std::log(t.ko), zki = std::log(t.ki);
  const double starts[3] = {std::log(x0) - bump, std::log(x0), std::log(x0) + bump};

  constexpr int kBlock = 4096;
  const int blocks = (paths + kBlock - 1) / kBlock;
  struct Sums { double v = 0, v2 = 0, dd = 0, dd2 = 0; };
  std::vector<Sums> sums(static_cast<std::size_t>(blocks));
  stampede::parallel_for(tbb::blocked_range<int>(0, blocks, 1), [&](const auto& r) {
    for (int b = r.begin(); b < r.end(); ++b) {
      Rng rng = make_stream(seed, "snowball_mc", static_cast<std::uint64_t>(b));
      boost::random::normal_distribution<double> normal(0.0, 1.0);
      Sums s;
      const int count = std::min(kBlock, paths - b * kBlock);
      for (int p = 0; p < count; ++p) {
        double z[3] = {starts[0], starts[1], starts[2]};
        bool in[3] = {knocked_in, knocked_in, knocked_in};
        bool done[3] = {false, false, false};
        double pay[3] = {0, 0, 0};
        int live = 3;
        for (int i = 0; i < d && live > 0; ++i) {
          const double step = drift + sd * normal(rng);
          const int after = d - 1 - i;
          const bool observe = after % m.observation_days == 0;
          const double disc = std::exp(-m.rate * (i + 1) * dt);
          for (int k = 0; k < 3; ++k) {
            if (done[k]) continue;
            z[k] += step;
            if (observe && z[k] >= zko) {
              pay[k] = disc * (1.0 + t.coupon * static_cast<double>(days - after) / m.days_per_year);
            } else {
              if (z[k] <= zki) in[k] = true;
              if (after > 0) continue;
              pay[k] = disc * (in[k] ? std::min(std::exp(z[k]), 1.0) : 1.0 + t.coupon * days / static_cast<double>(m.days_per_year));
            }
            done[k] = true;
            --live;
          }
        }
        const double dd = (pay[2] - pay[0]) / (2.0 * bump);
        s.v += pay[1];
        s.v2 += pay[1] * pay[1];
        s.dd += dd;
        s.dd2 += dd * dd;
      }
      sums[static_cast<std::size_t>(b)] = s;
    }
  });
  Sums total;
  for (const Sums& s : sums) {
    total.v += s.v; total.v2 += s.v2; total.dd += s.dd; total.dd2 += s.dd2;
  }
  const double n = paths;
  SnowballMcResult out;
  out.value = total.v / n;
  out.value_se = std::sqrt(std::max(0.0, total.v2 / n - out.value * out.value) / n);
  out.delta = total.dd / n;
  out.delta_se = std::sqrt(std::max(0.0, total.dd2 / n - out.delta * out.delta) / n);
  return out;
}

}  // namespace stampede
