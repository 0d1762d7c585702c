#pragma once
// A DMA account: the neutral strategy (agents/hedged_basket.hpp) run through a broker swap at
// leverage L = gross long / equity, hedged by an equal short in index futures, plus the broker's
// margin monitor and forced liquidation.
//
// Funding. The manager posts equity E; the broker lends the rest. The trading account starts with
// the basket (L*E at the first prices, taken from the float) and cash = L*E*(hedge_ratio *
// futures margin rate + broker_cash_buffer) for the futures margin; the loan is set so that
// equity = cash + stocks + unsettled futures P&L - loan = E. The loan is this agent's liability
// (tracked here, not in the engine). When a liquidation is finished the account repays what it
// can to its broker account (a second account this agent owns, starting empty) with a transfer;
// the part of the loan not repaid, plus any negative cash left, is the broker's shortfall (the
// account's equity stays at minus the shortfall; its NAV, the manager's capital, at zero).
//
// Margin ratio = equity / gross long (stocks at the last price); it starts at 1/L. The warning and
// liquidation lines are fractions of that initial ratio. Below the warning line the manager must
// bring leverage back to L within grace_steps (selling with OrderReason::MarginCall); the call is
// met when the ratio is back at cure_ratio of the initial one. Below the liquidation line, or when
// the grace period runs out, the broker liquidates everything (sells the stocks, buys back the
// futures, OrderReason::Liquidation) at liquidation_pace per step, liquidation_aggressiveness_ticks
// below the best bid (never below limit-down); what cannot fill is offered again the next steps
// and days while the account keeps its P&L.
//
// Heterogeneous books (populate(), the [dma] section). Each account draws, from its own stream
// ("dma_terms", agent id), its leverage (uniform within leverage +- leverage_spread), its broker
// (one of `brokers`, each with its own lines, grace and liquidation pace drawn around the
// section's values from the stream ("dma_broker", index)), a cushion and a signal family. The
// cushion is what the account gained (+) or lost (-) since it opened, as a share of the margin
// posted: the broker's lines stay shares of the contract's initial ratio 1/leverage, while the
// book starts, and is run, at leverage / (1 + cushion). With every spread at 0 and one broker,
// every account is the one the section describes (the old model, draw for draw).
//
// Sizing. Each morning the manager sizes the book at its run leverage times its equity, but only
// when the leverage has left the band [run_leverage, run_leverage x (1 + leverage_band)]: losses
// inside the band are carried, not cut, so leverage rises with them toward the broker's lines (a
// band of 0 re-sizes every day: a loss is cut at the next open).
#include <algorithm>
#include <memory>

#include "agents/hedged_book.hpp"
#include "sim/engine/agent_registry.hpp"

namespace stampede {

struct DmaParams {
  BasketParams basket;
  double leverage = 4.0;                    // gross long / equity
  double warning_ratio = 0.6;               // warning line, share of the initial margin ratio 1/L
  double liquidation_ratio = 0.4;           // liquidation line, share of the initial margin ratio
  double cure_ratio = 0.8;                  // a margin call is met at this share of the initial ratio
  int grace_steps = 60;                     // steps the manager has to meet a margin call
  double margin_call_pace = 0.05;           // share of each position a margin-call sale offers per step
  int margin_call_aggressiveness_ticks = 5;
  double liquidation_pace = 0.1;            // share of each position the broker offers per step
  int liquidation_aggressiveness_ticks = 20;
  double broker_cash_buffer = 0.05;         // cash lent beyond the futures margin, share of gross long
  double forced_band = 0.02;                // regulator's leverage cap: cut when above it by this share
  double cushion = 0.0;                     // equity gained since the account opened / margin posted
  double leverage_band = 0.0;               // the book is re-sized only outside run_leverage x [1, 1 + this]
  int broker = 0;                           // index of the account's broker (the lines above are its)
  int family = 0;                           // index of its signal family
  // The product's stop-loss line (止损线 in the fund contract): the manager winds the product up
  // once its NAV per unit since inception, (1 + cushion) x equity / starting equity, is below this
  // at a morning check (0 = no line). Each account's own line, drawn around dma.stop_loss_nav.
  double stop_loss_nav = 0.0;
  // The leverage the book starts and is run at; the lines refer to the contract's 1/leverage.
  double run_leverage() const { return leverage / (1.0 + cushion); }
  // The gross long the manager aims for today, from the morning's book and equity: back up to
  // run_leverage when below it, down to the top of the band when above, else the book as it is.
  double sizing_target(double morning_long, double morning_equity) const {
    const double low = run_leverage() * std::max(0.0, morning_equity);
    return std::clamp(morning_long, low, low * (1.0 + leverage_band));
  }
};

// The agent class (Agent::kind(), the run log's agent_class), declared once.
inline constexpr AgentClassInfo kDmaAccountClass{
    "dma_account", "DMA accounts",
    "a neutral strategy run at leverage through a broker swap, with margin calls and forced liquidation",
    SummaryGroup::dma_accounts};

class DmaAccount final : public HedgedBook {
 public:
  DmaAccount(const DmaParams& p, std::shared_ptr<SignalBoard> board, AccountId account, AccountId broker_account,
             Rng style_rng, FamilySignal family = nullptr);
  const char* kind() const override { return kDmaAccountClass.name; }
  RegulatedAs regulated_as() const override { return RegulatedAs::DmaAccount; }
  void checkpoint(StateIo& io) override;   // agents/checkpoints.cpp
  void decide(const MarketView& view, OrderSink& out) override;
  void report(const MarketView& view, ClassMetrics& into) const override;
  AgentDayRow day_row(const MarketView& view) const override;

  const DmaParams& params() const { return p_; }   // this account's own draw of the terms
  AccountId broker_account() const { return broker_account_; }
  AgentState state() const { return state_; }
  Fen loan() const { return loan_; }
  Fen shortfall() const { return shortfall_; }
  void set_loan(Fen loan) { loan_ = loan; }   // setup
  double equity(const MarketView& view) const;
  double margin_ratio(const MarketView& view) const;   // equity / gross long (infinite without stocks)

 private:
  // What the equity is net of (yuan): the loan, and after a liquidation the shortfall the broker
  // wrote off (so a wiped-out account keeps showing its negative equity).
  double debt() const { return static_cast<double>(loan_ + written_off_) / 100.0; }
  void start_liquidation(const MarketView& view, OrderSink& out, double ratio, const char* why);
  void finish_liquidation(const MarketView& view, OrderSink& out);

  DmaParams p_;
  AccountId broker_account_;
  Fen loan_ = 0;
  Fen shortfall_ = 0;       // the broker's loss: loan not repaid plus negative cash left
  Fen written_off_ = 0;     // loan not repaid
  AgentState state_ = AgentState::Normal;
  int grace_left_ = 0;
  double day_equity_ = 0;   // equity at the start of the day (yuan)
  double start_equity_ = 0; // equity at the first decision of the run (yuan)
};

// The [dma] section.
AgentKind dma_accounts_kind();

}  // namespace stampede
