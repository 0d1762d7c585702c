#pragma once
// When a market maker stops quoting: its marked loss since the day's open (or since it last came
// back) passes a share of that reference equity, or the flow it absorbed over the last steps is
// one-sided (net shares or contracts bought or sold, in quote sizes). It then quotes nothing for
// a cooldown of continuous trading minutes and comes back with fresh references. Each
// withdrawal is a `liquidity_withdrawals` event. Not an agent: a helper the makers own.
#include <cstdint>
#include <vector>

#include "sim/engine/agent.hpp"

namespace stampede {

struct WithdrawalParams {
  double loss_fraction = 0.03;      // of equity at the reference point
  int flow_window_steps = 20;
  double flow_threshold = 10.0;     // |net fills over the window| in quote sizes
  double cooldown_minutes = 30.0;   // of continuous trading
};

class QuoteWithdrawal {
 public:
  void checkpoint(StateIo& io);   // agents/checkpoints.cpp
  explicit QuoteWithdrawal(const WithdrawalParams& p);
  // Call once per step, after cancelling the previous quotes and before quoting. `equity` is the
  // maker's marked equity (yuan), `position` its inventory (shares or contracts), `quote_size`
  // the size of one quote. Returns true when the maker must quote nothing this step.
  bool stand_aside(const MarketView& view, double equity, std::int64_t position, std::int64_t quote_size,
                   InstrumentId instrument, OrderSink& out);
  bool withdrawn() const { return remaining_minutes_ > 0; }
  int withdrawals() const { return withdrawals_; }

 private:
  void reset_flow();
  WithdrawalParams p_;
  DayIndex day_ = -1;
  double reference_equity_ = 0;
  std::int64_t prev_position_ = 0;
  bool have_position_ = false;
  std::vector<std::int64_t> flow_;   // ring of per-step position changes
  std::size_t flow_pos_ = 0;
  std::int64_t flow_sum_ = 0;
  double remaining_minutes_ = 0;
  int withdrawals_ = 0;
};

}  // namespace stampede
