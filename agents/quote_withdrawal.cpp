#include "agents/quote_withdrawal.hpp"

#include <algorithm>
#include <cmath>

namespace stampede {

QuoteWithdrawal::QuoteWithdrawal(const WithdrawalParams& p) : p_(p) {
  flow_.assign(static_cast<std::size_t>(std::max(1, p_.flow_window_steps)), 0);
}

void QuoteWithdrawal::reset_flow() {
  std::fill(flow_.begin(), flow_.end(), 0);
  flow_sum_ = 0;
}

bool QuoteWithdrawal::stand_aside(const MarketView& view, double equity, std::int64_t position,
                                  std::int64_t quote_size, InstrumentId instrument, OrderSink& out) {
  // What the maker's quotes absorbed since the last step.
  const std::int64_t change = have_position_ ? position - prev_position_ : 0;
  prev_position_ = position;
  have_position_ = true;
  flow_sum_ += change - flow_[flow_pos_];
  flow_[flow_pos_] = change;
  flow_pos_ = (flow_pos_ + 1) % flow_.size();

  if (view.day != day_) {   // a new day: losses and flow count from its open
    day_ = view.day;
    reference_equity_ = equity;
    reset_flow();
  }
  if (remaining_minutes_ > 0) {
    remaining_minutes_ -= view.clock != nullptr ? view.clock->step(view.step_in_day).length : 1;
    if (remaining_minutes_ > 0) return true;
    // Back: losses and flow count afresh from here.
    reference_equity_ = equity;
    reset_flow();
    return false;
  }

  const double loss = reference_equity_ - equity;
  const double flow = quote_size > 0 ? static_cast<double>(flow_sum_) / static_cast<double>(quote_size) : 0.0;
  const char* reason = nullptr;
  double measure = 0;
  if (p_.loss_fraction > 0 && reference_equity_ > 0 && loss > p_.loss_fraction * reference_equity_) {
    reason = "loss";
    measure = loss;
  } else if (p_.flow_threshold > 0 && std::abs(flow) > p_.flow_threshold) {
    reason = "one_sided_flow";
    measure = flow;
  }
  if (reason == nullptr) return false;
  remaining_minutes_ = std::max(p_.cooldown_minutes, 1e-9);
  ++withdrawals_;
  out.event(event_kind::liquidity_withdrawals, instrument, 0, measure, reason);
  return true;
}

}  // namespace stampede
