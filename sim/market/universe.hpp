#pragma once
// The synthetic stock universe: segments, shares outstanding, first prices, price-limit boards
// and factor loadings. Drawn once from the run seed; fixed for the whole run.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/types.hpp"

namespace stampede {

enum class Segment : std::uint8_t { Microcap = 0, Constituent = 1, LargeCap = 2 };
inline const char* to_string(Segment s) {
  switch (s) {
    case Segment::Microcap: return "microcap";
    case Segment::Constituent: return "constituent";
    case Segment::LargeCap: return "large_cap";
  }
  return "?";
}

struct UniverseParams {
  int microcaps = 600, constituents = 300, large_caps = 20;
  double board_20pct_share = 0, board_5pct_share = 0;
  double microcap_cap_median = 2.5e9, constituent_cap_median = 1e10, large_cap_median = 2e11;
  double cap_dispersion = 0.4;
  double price_median = 12, price_dispersion = 0.6;
  // Mean loading of each segment's stocks on the size (small-minus-big) factor (stocks spread
  // around it with sd 0.2): how much of the small caps' run the hedged index's members share.
  double size_loading_microcap = 1.0, size_loading_constituent = 0.4, size_loading_large_cap = -0.6;
};

// Structure of arrays: one entry per stock, stock id = index.
struct Universe {
  std::vector<std::string> name;
  std::vector<Segment> segment;
  std::vector<Qty> shares_outstanding;
  std::vector<Tick> first_price;        // fen
  std::vector<double> limit_pct;        // 10, 20 or 5
  std::vector<double> beta_market;      // loading on the market factor
  std::vector<double> beta_size;        // loading on the size (small-minus-big) factor

  int size() const { return static_cast<int>(name.size()); }
  double first_market_cap_yuan(int i) const { return shares_outstanding[i] * (first_price[i] / 100.0); }
};

Universe make_universe(const UniverseParams& p, std::uint64_t seed);

}  // namespace stampede
