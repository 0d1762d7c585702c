#include "sim/market/universe.hpp"

#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <cstdio>

#include "sim/core/rng.hpp"

namespace stampede {

Universe make_universe(const UniverseParams& p, std::uint64_t seed) {
  Universe u;
  const int n = p.microcaps + p.constituents + p.large_caps;
  u.name.reserve(n);
  for (int i = 0; i < n; ++i) {
    Rng rng = make_stream(seed, "stock.static", static_cast<std::uint64_t>(i));
    Segment seg = i < p.microcaps ? Segment::Microcap
                  : i < p.microcaps + p.constituents ? Segment::Constituent
                                                     : Segment::LargeCap;
    double median = seg == Segment::Microcap ? p.microcap_cap_median
                    : seg == Segment::Constituent ? p.constituent_cap_median
                                                  : p.large_cap_median;
    boost::random::lognormal_distribution<double> cap_dist(std::log(median), p.cap_dispersion);
    boost::random::lognormal_distribution<double> price_dist(std::log(p.price_median), p.price_dispersion);
    boost::random::uniform_real_distribution<double> unit(0.0, 1.0);
    boost::random::normal_distribution<double> normal(0.0, 1.0);

    double cap = cap_dist(rng);
    double price = std::max(1.0, price_dist(rng));
    Tick price_fen = static_cast<Tick>(std::llround(price * 100.0));
    Qty shares = std::max<Qty>(100, static_cast<Qty>(std::llround(cap / price / 100.0)) * 100);
    double board = unit(rng);
    double limit = board < p.board_20pct_share ? 20.0 : board < p.board_20pct_share + p.board_5pct_share ? 5.0 : 10.0;
    // Small stocks load positively on small-minus-big, large caps negatively.
    double size_loading = seg == Segment::Microcap      ? p.size_loading_microcap
                          : seg == Segment::Constituent ? p.size_loading_constituent
                                                        : p.size_loading_large_cap;

    char name[16];
    std::snprintf(name, sizeof name, "S%05d", i);
    u.name.emplace_back(name);
    u.segment.push_back(seg);
    u.shares_outstanding.push_back(shares);
    u.first_price.push_back(price_fen);
    u.limit_pct.push_back(limit);
    u.beta_market.push_back(0.8 + 0.4 * unit(rng));
    u.beta_size.push_back(size_loading + 0.2 * normal(rng));
  }
  return u;
}

}  // namespace stampede
