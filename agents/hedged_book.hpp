#pragma once
// What a market-neutral fund (agents/neutral_fund.hpp) and a DMA account (agents/dma_account.hpp)
// share as agents: one account running the hedged basket strategy (agents/hedged_basket.hpp) from a
// signal board its section shares, a row per day in the run log, and the morning's bookkeeping of
// a new day. Each class keeps what differs: who owns the capital (investors' units, a broker's
// loan), the forced sales, the state it reports.
#include <memory>

#include "agents/hedged_basket.hpp"
#include "agents/signal_board.hpp"
#include "sim/engine/agent.hpp"

namespace stampede {

class HedgedBook : public Agent {
 public:
  void prefetch_report(const MarketView& view) const final { basket_.prefetch_mark(view); }
  bool reports_daily() const final { return true; }
  // The board's closes and signals move on after each close (idempotent: the section's agents
  // share one board, the first to call refreshes it); the basket notes the hedge's cost.
  void end_of_day(const MarketView& view, OrderSink& /*out*/) override {
    board_->refresh(view);
    basket_.note_close(view);
  }

  HedgedBasket& basket() { return basket_; }
  const HedgedBasket& basket() const { return basket_; }
  AccountId account() const { return basket_.account(); }

 protected:
  // `style_rng` draws the basket's own style weights (the caller's stream moves on).
  HedgedBook(const BasketParams& p, std::shared_ptr<SignalBoard> board, AccountId account, Rng& style_rng,
             FamilySignal family = nullptr)
      : board_(board), basket_(p, std::move(board), account, style_rng, std::move(family)) {}

  // At the first decision of a day: records the day and starts the basket's day (its morning book
  // and turnover budget). False on the day's later decisions.
  bool start_day(const MarketView& view) {
    if (view.day == day_) return false;
    day_ = view.day;
    basket_.begin_day(view);
    return true;
  }
  // The first decision of the run is still to come.
  bool before_first_day() const { return day_ < 0; }

  // The members every derived checkpoint() lists first, in this order (the board once per section).
  void checkpoint_book(StateIo& io) {
    io.shared(board_);
    io(basket_);
  }

  std::shared_ptr<SignalBoard> board_;
  HedgedBasket basket_;
  DayIndex day_ = -1;   // the day of the last decision (listed by each derived checkpoint(), where it was)
};

}   // namespace stampede
