#pragma once
// A market maker quoting one stock: both sides around a noisy fair-value estimate, wider when
// the price is volatile, skewed to shed inventory, one-sided when inventory hits its limit, no
// bid when cash runs short, and no quotes at all for a while after a loss or a one-sided run of
// fills (quote_withdrawal.hpp): liquidity that evaporates in a stampede. A quote nothing has
// filled since the last step stays in the book (and keeps its time priority) while the new target
// price is less than `requote_threshold_ticks` away from it, as makers do not pay a cancel and
// lose their place in the queue for a price they would quote anyway.
#include <memory>

#include "agents/maker_segment_board.hpp"
#include "agents/quote_withdrawal.hpp"
#include "sim/core/rng.hpp"
#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"
#include "sim/engine/valuation.hpp"

namespace stampede {

struct QuotingParams {
  int half_spread_ticks = 2;
  double vol_spread_mult = 1.5;
  double inventory_skew_ticks = 2.0;
  // Stock makers: quote shift, as a share of the fair price, when inventory is one max_inventory
  // above target (down) or below it (up). A maker that has absorbed a fire sale marks its quotes
  // down to shed the stock: the price impact of a one-sided flow, and the discount to value a
  // crash leaves behind until buyers take the inventory off the makers' hands (0 = none).
  double inventory_skew_price_share = 0.0;
  // How that shift grows with the excess x (a share of max_inventory): share x |x|^(exponent-1).
  // Above 1 it is convex: the everyday inventory of two-sided trading costs next to nothing, while a
  // maker near its limit after a one-sided flow marks its quotes steeply (inventory risk grows
  // faster than inventory).
  double inventory_skew_exponent = 1.0;
  // Resilience of that shift: the inventory a maker measures its skew from moves toward what it
  // holds by half the distance every this many trading days (0 = never: the skew lasts as long as
  // the inventory). Makers absorb a burst of one-sided flow at a discount, then come to carry it
  // (hedge it, lay it off outside the model, raise their limits), so the gap a fire sale opens
  // closes over days even before buyers return, and the steady drift of everyday two-sided
  // trading costs less than a burst of the same size. Quote limits stay on the inventory itself.
  double inventory_skew_halflife_days = 0.0;
  // Stock makers: skew added (a share of the price, as inventory_skew_price_share) in a stressed
  // market, in proportion to the stress: the share of all stocks locked limit-down (now, or at
  // the last close if more), over stress_limit_down_share, capped at 1. Makers' tolerance for
  // inventory falls as the market locks up (their risk limits and funding tighten together:
  // Brunnermeier and Pedersen's liquidity spiral), so the same flow moves prices far more in a
  // stampede than on an ordinary day, and the impact eases once the locks clear.
  double inventory_skew_stress_share = 0.0;
  double stress_limit_down_share = 0.1;
  int quote_lots = 10;
  double fair_value_weight = 0.3;
  double fair_value_noise = 0.002;
  double min_cash_fraction = 0.1;   // of the starting cash: kept free, no bid below it
  int requote_threshold_ticks = 0;  // 0: cancel and re-send both quotes every step
  // Futures makers only: their quotes centre on index x carry; absorbing a one-sided hedging
  // flow up to their position limit shifts them by this share of the index (the basis a hedging
  // imbalance buys, since A-share short-selling limits stop arbitrageurs from closing a discount).
  double inventory_skew_index_share = 0.0;
  // Futures makers only: how far below its quoted level they value a hedged-index member locked
  // limit-down, as a share of the stock's level: a locked member's last price is a limit no seller
  // can reach, so the index they hedge against is stale, and lower than it shows (0 = trust it).
  double locked_markdown = 0.0;
  // Futures makers only: a long futures book is hedged by selling the index's stocks short, which
  // A-share lending limits ration. The makers carry the book they hold together before
  // absorb_from_day (the hedges a run opens in its first days stand in for books that existed
  // before it); every absorb_capacity_yuan per maker they buy beyond the book they carry marks
  // their quotes down by absorb_skew_index_share of the index. The carried book then moves halfway
  // toward the book held every absorb_halflife_days trading days (0 = never), as the makers line
  // up stock to borrow. A short book costs nothing extra: a premium is closed by buying the
  // stocks, which anyone can.
  double absorb_skew_index_share = 0.0;
  double absorb_capacity_yuan = 1e9;
  int absorb_from_day = 1;
  double absorb_halflife_days = 0.0;
  WithdrawalParams withdrawal;
};

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kLiquidityProviderClass{"liquidity_provider", "stock market makers",
                                                        "a market maker quoting one stock"};

class LiquidityProvider final : public Agent {
 public:
  LiquidityProvider(const QuotingParams& p, AccountId account, InstrumentId stock, Qty target_inventory,
                    double max_inventory_yuan, Fen starting_cash, Rng rng);
  const char* kind() const override { return kLiquidityProviderClass.name; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;
  void end_of_day(const MarketView& view, OrderSink& out) override;
  // The segment's pooled book (maker_segment_board.hpp) shifts this maker's quotes too.
  void join_segment_board(std::shared_ptr<MakerSegmentBoard> board, Segment segment);
  void prefetch_decide(const MarketView& view) const override {
    prefetch_next_draw(rng_);
    for (const char* line = reinterpret_cast<const char*>(this) + 64; line < reinterpret_cast<const char*>(&rng_); line += 64)
      __builtin_prefetch(line);
    __builtin_prefetch(&withdrawal_);
    prefetch_account(view, account_);
  }
  void prefetch_report(const MarketView& view) const override { prefetch_account(view, account_); }
  AccountId account() const { return account_; }
  InstrumentId stock() const { return stock_; }
  int quote_lots() const { return p_.quote_lots; }
  bool withdrawn() const { return withdrawal_.withdrawn(); }
  int withdrawals() const { return withdrawal_.withdrawals(); }

 private:
  QuotingParams p_;
  AccountId account_;
  InstrumentId stock_;
  Qty target_inventory_;
  double max_inventory_yuan_;
  Fen min_cash_;
  // Per-step state ahead of the generator's 2.5 KB, in the lines prefetch_decide asks for.
  OrderId bid_ = 0, ask_ = 0;
  Tick bid_price_ = kNoPrice, ask_price_ = kNoPrice;
  // The account as the last decision saw it: a stock trade moves both cash and holding, a cancel
  // neither, so equal values a step later mean nothing was filled in between.
  Fen seen_cash_ = 0;
  Qty seen_holding_ = -1;
  DayIndex seen_day_ = -1;
  Tick prev_last_ = kNoPrice;
  double vol_ticks_ = 1.0;   // EWMA of absolute price changes per step
  // The inventory the price skew is measured from: the target at first, then (with a resilience
  // half-life) following the inventory from one day to the next.
  double skew_reference_ = 0;
  // Share of all stocks locked limit-down in the last snapshot of the previous day, and today's
  // so far (the stress level looks at the larger of the two, so it does not reset at the open).
  double locked_share_last_close_ = 0, locked_share_today_ = 0;
  // The equity report() marked after a step: within a day, the next decide() sees the same
  // account and prices, so it reuses the mark instead of marking again.
  mutable double mark_equity_ = 0;
  mutable StepIndex mark_step_ = -2;
  mutable DayIndex mark_day_ = -1;
  Rng rng_;
  QuoteWithdrawal withdrawal_;
  std::shared_ptr<MakerSegmentBoard> segment_board_;   // null: no pooled skew
  Segment segment_ = Segment::Microcap;
};

// The [liquidity_providers] section: stock market makers and futures market makers.
AgentKind liquidity_providers_kind();

}  // namespace stampede
