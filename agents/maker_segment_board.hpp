#pragma once
// The stock makers' pooled book per market segment. Only the makers of the small caps outside the
// hedged index join it (liquidity_provider.cpp's populate): index members' and large caps' makers
// hedge a segment's move with index futures.
//
// A maker of one small cap hedges what it can of its inventory risk, but not the segment's: A-share
// small caps cannot be shorted in size and no future tracks them (the CSI 1000 contract hedges the
// index members, not the microcaps). So the makers of a segment together carry its net one-sided
// flow, and their tolerance for it is the segment's price impact: when the crowd's redemptions and
// margin calls sell small caps on balance for days, every small cap's makers mark their quotes
// down, not only those of the stocks sold today. Everyday rebalancing (one name sold, another
// bought) nets out across the segment and costs nothing here, which a per-stock inventory skew
// cannot tell apart (docs/calibration.md, session 10).
//
// Refreshed after each close by the first maker to ask (end_of_day runs sequentially), read-only
// while makers decide: a day's absorbed flow moves quotes from the next open on.
#include <array>
#include <cstdint>
#include <vector>

#include "sim/engine/agent.hpp"

namespace stampede {

class MakerSegmentBoard {
 public:
  // price_share: quote shift, as a share of the price, when the segment's makers together hold
  // their whole max inventory above their reference; halflife_days: the reference moves halfway
  // toward the pooled holdings every this many trading days (0 = never: the shift lasts as long as
  // the inventory).
  MakerSegmentBoard(double price_share, double halflife_days);
  // A maker joins with its stock's segment; returns its slot.
  int join(AccountId account, InstrumentId stock, Segment segment, Qty target_inventory, double max_inventory_yuan);
  void refresh(const MarketView& view);   // once per day; later calls that day do nothing
  // Share of the price the segment's makers shift their quotes down by (negative: up).
  double shift(Segment s) const { return shift_[static_cast<std::size_t>(s)]; }
  void checkpoint(StateIo& io);   // agents/checkpoints.cpp

 private:
  struct Maker {
    AccountId account;
    InstrumentId stock;
    Segment segment;
    double max_inventory_yuan;
  };
  double price_share_;
  double decay_;                    // share of the gap the reference closes each day
  std::vector<Maker> makers_;       // fixed at setup
  std::vector<double> reference_;   // per maker: shares the shift is measured from
  std::array<double, 3> shift_{};   // per segment
  DayIndex day_ = -1;
};

}   // namespace stampede
