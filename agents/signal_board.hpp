#pragma once
// The signals the hedged-basket strategies (agents/hedged_basket.hpp) pick their stocks from: the
// board every fund of a section reads (the crowded, common part), and the signal families (a
// noise vector per family of managers, shared within it) that spread the crowding.
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/engine/agent.hpp"

namespace stampede {

// The common part of the signal: per candidate stock (all but the large caps) a smallness score
// and a reversal score, each standardised across candidates. Refreshed after each close by the
// first agent of its kind to ask (end_of_day runs sequentially), read-only while agents decide.
class SignalBoard {
 public:
  void checkpoint(StateIo& io);   // agents/checkpoints.cpp
  SignalBoard(const Universe& u, int reversal_days);
  void refresh(const MarketView& v);   // once per day; later calls that day do nothing
  const std::vector<InstrumentId>& candidates() const { return candidates_; }
  const std::vector<float>& size_z() const { return size_z_; }
  const std::vector<float>& reversal_z() const { return reversal_z_; }
  const std::vector<float>& alpha_z() const { return alpha_z_; }   // zeros until the first refresh
  bool alpha_known() const { return alpha_known_; }                  // false while every alpha_z is 0
  bool index_member(InstrumentId s) const {                          // a constituent of the hedged index
    return universe_->segment[static_cast<std::size_t>(s)] == Segment::Constituent;
  }
  DayIndex day() const { return day_; }

 private:
  void standardise(std::vector<float>& x) const;
  const Universe* universe_;
  int reversal_days_;
  DayIndex day_ = -1;                  // day whose close the scores use (-1: the first prices)
  int history_len_ = 0;                // closes stored so far (up to reversal_days + 1)
  int head_ = 0;                       // ring slot of the latest close
  std::vector<InstrumentId> candidates_;
  std::vector<Tick> closes_;           // ring buffer: candidates x (reversal_days + 1)
  std::vector<float> size_z_, reversal_z_, alpha_z_;
  bool alpha_known_ = false;
};

// Signal families: managers of one family share part of their crowded signal (one standard-normal
// score per board candidate, the same for every account of the family), so accounts of one family
// crowd each other more than accounts of different families. Family f's scores come from the
// stream ("signal_family", f) alone, so every section that draws families gets the same ones.
using FamilySignal = std::shared_ptr<const std::vector<float>>;
std::vector<FamilySignal> family_signals(const SignalBoard& board, std::uint64_t seed, int families);

}  // namespace stampede
