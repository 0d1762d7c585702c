#pragma once
// A market maker quoting one stock: both sides around a noisy fair-value estimate, wider when
// the price is volatile, skewed to shed inventory, one-sided when inventory hits its limit, no
// bid when cash runs short, and no quotes at all for a while after a loss or a one-sided run of
// fills (quote_withdrawal.hpp): liquidity that evaporates in a stampede.
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
  int quote_lots = 10;
  double fair_value_weight = 0.3;
  double fair_value_noise = 0.002;
  double min_cash_fraction = 0.1;   // of the starting cash: kept free, no bid below it
  // Futures makers only: their quotes centre on index x carry; absorbing a one-sided hedging
  // flow up to their position limit shifts them by this share of the index (the basis a hedging
  // imbalance buys, since A-share short-selling limits stop arbitrageurs from closing a discount).
  double inventory_skew_index_share = 0.0;
  WithdrawalParams withdrawal;
};

class LiquidityProvider final : public Agent {
 public:
  LiquidityProvider(const QuotingParams& p, AccountId account, InstrumentId stock, Qty target_inventory,
                    double max_inventory_yuan, Fen starting_cash, Rng rng);
  const char* kind() const override { return "liquidity_provider"; }
  void decide(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;
  void prefetch_decide(const MarketView& view) const override {
    prefetch_next_draw(rng_);
    __builtin_prefetch(&withdrawal_);
    prefetch_account(view, account_);
  }
  void prefetch_report(const MarketView& view) const override { prefetch_account(view, account_); }
  AccountId account() const { return account_; }
  InstrumentId stock() const { return stock_; }
  bool withdrawn() const { return withdrawal_.withdrawn(); }
  int withdrawals() const { return withdrawal_.withdrawals(); }

 private:
  QuotingParams p_;
  AccountId account_;
  InstrumentId stock_;
  Qty target_inventory_;
  double max_inventory_yuan_;
  Fen min_cash_;
  Rng rng_;
  QuoteWithdrawal withdrawal_;
  OrderId bid_ = 0, ask_ = 0;
  Tick prev_last_ = kNoPrice;
  double vol_ticks_ = 1.0;   // EWMA of absolute price changes per step
  // The equity report() marked after a step: within a day, the next decide() sees the same
  // account and prices, so it reuses the mark instead of marking again.
  mutable double mark_equity_ = 0;
  mutable StepIndex mark_step_ = -2;
  mutable DayIndex mark_day_ = -1;
};

// The [liquidity_providers] section: stock market makers and futures market makers.
AgentKind liquidity_providers_kind();

}  // namespace stampede
