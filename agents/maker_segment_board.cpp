#include "agents/maker_segment_board.hpp"

#include <algorithm>
#include <cmath>

namespace stampede {

MakerSegmentBoard::MakerSegmentBoard(double price_share, double halflife_days)
    : price_share_(price_share), decay_(halflife_days > 0 ? 1.0 - std::exp2(-1.0 / halflife_days) : 0.0) {}

int MakerSegmentBoard::join(AccountId account, InstrumentId stock, Segment segment, Qty target_inventory,
                            double max_inventory_yuan) {
  makers_.push_back(Maker{account, stock, segment, max_inventory_yuan});
  reference_.push_back(static_cast<double>(target_inventory));
  return static_cast<int>(makers_.size()) - 1;
}

void MakerSegmentBoard::refresh(const MarketView& view) {
  if (view.day == day_) return;
  day_ = view.day;
  std::array<double, 3> excess_yuan{}, capacity_yuan{};
  for (std::size_t m = 0; m < makers_.size(); ++m) {
    const Maker& k = makers_[m];
    const double held = static_cast<double>(view.account(k.account).holding(k.stock));
    const auto s = static_cast<std::size_t>(k.segment);
    excess_yuan[s] += (held - reference_[m]) * static_cast<double>(view.last_price(k.stock)) / 100.0;
    capacity_yuan[s] += k.max_inventory_yuan;
    // Measured first, then moved: today's flow counts in full tomorrow and fades from then on.
    reference_[m] += (held - reference_[m]) * decay_;
  }
  for (std::size_t s = 0; s < shift_.size(); ++s)
    shift_[s] = capacity_yuan[s] > 0 ? price_share_ * std::clamp(excess_yuan[s] / capacity_yuan[s], -1.0, 1.0) : 0.0;
}

}   // namespace stampede
