#pragma once
// The strategy market-neutral funds and DMA accounts share (a helper, not an agent): a long basket
// of small caps picked by a size-tilted short-term-reversal signal (a common part every fund sees,
// mixed with each fund's own noise: the mix is the crowding), traded through the books in lots
// under T+1 and a daily turnover budget, hedged by a short in the index futures that is rolled to
// the next contract a few days before the front expires.
//
// Orders. Voluntary trading runs in rounds: a round first cancels what is still resting from the
// previous round, then (the next step) sends fresh orders sized from the account as the view
// shows it. Forced selling (margin call, liquidation, redemption, risk limit) runs every step: it
// keeps resting sells whose price is still the one it wants (a sell queued at limit-down keeps its
// place), cancels the others and re-sends them the step after. Day orders expire at the close;
// whatever is still to sell is sent again the next day.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agents/signal_board.hpp"
#include "sim/core/rng.hpp"
#include "sim/engine/agent.hpp"
#include "sim/engine/agent_registry.hpp"
#include "sim/engine/valuation.hpp"
#include "sim/scenario/param_binder.hpp"
#include "sim/scenario/scenario.hpp"

namespace stampede {

struct BasketParams {
  int basket_size = 100;              // stocks held
  double crowding = 0.7;              // correlation of two funds' scores (weight of the common signal)
  double size_weight = 1.0;           // weight of smallness (-log market cap) in the common signal
  double reversal_weight = 0.5;       // weight of short-term reversal (-past return) in the common signal
  double alpha_weight = 0.0;          // weight of the stocks' alphas (the funds' research) in the common signal
  int reversal_days = 5;              // look-back of the reversal signal
  double style_dispersion = 0.3;      // lognormal sigma of each fund's own size/reversal weights
  double turnover_per_day = 0.1;      // voluntary trading per day (buys + sells) / long value
  int rebalance_every_steps = 30;     // continuous steps between voluntary rounds
  int orders_per_round = 10;          // stocks traded per side and round, largest deviations first
  double trade_band = 0.1;            // trade a holding only when off target by this share of the per-stock target
  int forced_reprice_steps = 5;       // a forced sell rests at least this many steps before it is re-priced
  int roll_days_before_expiry = 5;    // calendar days before the front's expiry when the short rolls
  int aggressiveness_ticks = 2;       // voluntary orders: ticks through the best opposite quote
  double hedge_ratio = 1.0;           // futures short notional / long basket value
  double hedge_tolerance = 0.05;      // re-hedge when the short is off by more than this share
  double cash_buffer = 0.03;          // share of the long target kept free beyond futures margin
  double forced_day_share = 1.0;      // most of a position (held at the day's start) forced selling offers per day
  // Share of the crowded part of the score that is the account's signal family's own (its family
  // signal, agents/signal_board.hpp); 0, or no family signal, leaves the board alone (the old model).
  double family_share = 0.0;
  // Share of the basket held in the hedged index's members (the best-scored of them), the rest the
  // best-scored of all candidates: a fund benchmarked to the index it hedges keeps part of its book
  // in it. 0 = every name by score alone (the old model).
  double index_share = 0.0;
  // The manager's style cut: once the basket has lost this share of its value against the hedged
  // index from its best (an excess drawdown, tracked close to close), the fund cuts the weight of
  // smallness in its score by style_cut_share for the rest of the run, and its daily turnover moves
  // the book from the smallest names toward larger ones and the index's members. Quant managers cut
  // a crowded style when it turns against them, selling the small caps against the index. 0 = never.
  double style_cut_drawdown = 0.0;
  double style_cut_share = 0.5;
  // Hedge-cost sizing: the book earns its alpha less the discount its short hedge gives up, so a
  // manager holds less when the discount is deep. Beyond an annualised discount of
  // hedge_cost_cut_from (the hedge contract's last trade against the hedged index at the last
  // close), the long target falls by hedge_cost_cut_slope per unit of discount, at most by
  // hedge_cost_cut_max, and comes back as the discount closes. Slope 0 = never (the old model).
  double hedge_cost_cut_from = 0.15;
  double hedge_cost_cut_slope = 0.0;
  double hedge_cost_cut_max = 0.5;
};

// The keys shared by the sections that run this strategy ("neutral_funds", "dma"), each section
// including them after its own (family_share is bound by the sections that have it).
ParamBinder<BasketParams> basket_binder(const std::string& section);

enum class TradeMode : std::uint8_t { Voluntary, Forced };

class HedgedBasket {
 public:
  void checkpoint(StateIo& io);   // agents/checkpoints.cpp
  // `family`: the account's signal family's scores (one per board candidate), or null for none.
  HedgedBasket(const BasketParams& p, std::shared_ptr<const SignalBoard> board, AccountId account, Rng& style_rng,
               FamilySignal family = nullptr);

  AccountId account() const { return account_; }
  const BasketParams& params() const { return p_; }
  const std::vector<InstrumentId>& basket() const { return basket_; }

  // Marks the account. report() runs after a step on the same market and accounts the next step's
  // decide() sees (within a day), so the mark made for the report is reused by that decide.
  AccountValue mark_for_report(const MarketView& v) const {
    mark_ = value_account(v, account_);
    mark_step_ = v.step;
    mark_day_ = v.day;
    return mark_;
  }
  void prefetch_mark(const MarketView& v) const { prefetch_account(v, account_); }   // a memory hint
  AccountValue mark_for_decide(const MarketView& v) const {
    if (mark_step_ == v.step - 1 && mark_day_ == v.day && v.step_in_day > 0) return mark_;
    return value_account(v, account_);
  }

  // Setup: picks the first basket and takes it from the float (a costless endowment). Returns the
  // value granted, in yuan at the first prices.
  double endow(WorldSetup& setup, double long_yuan);

  // At the first step of each day, before any order: yesterday's orders have expired; re-picks the
  // basket from the board and snapshots the day's starting holdings (for the sell cap).
  void begin_day(const MarketView& v);

  // Stock holdings value at the start of the day (yuan, at the previous close).
  double day_start_long() const { return day_start_long_; }
  // The basket's value relative to the hedged index (1 at the start, close to close), and whether
  // the manager has cut the size tilt (BasketParams::style_cut_drawdown).
  double excess_index() const { return excess_; }
  bool style_cut() const { return style_cut_; }
  // At each close: notes the hedge contract's annualised discount (BasketParams::hedge_cost_cut_*).
  void note_close(const MarketView& v);
  // The share of its long target the manager holds at the hedge's cost as of the last close: 1, or
  // less while the discount is beyond BasketParams::hedge_cost_cut_from. The same all day.
  double hedge_cost_sizing() const;
  double size_weight() const { return w_size_; }   // this account's weight of smallness, after any cut
  // Value of the shares sold or in open sell orders today, at the previous close (yuan): the sell
  // cap compares it with day_start_long(), so it counts shares, weighted by yesterday's prices.
  double committed_sells(const MarketView& v) const;
  // What the regulator's per-day sell cap still lets the account sell today (yuan).
  double sell_cap_left(const MarketView& v) const;

  // A voluntary round toward a long target of `target_long` yuan (basket, equal weights) within the
  // day's turnover budget, the sell cap and the free cash; buys only if `allow_buys`. Acts on round
  // steps (and the step after, when the round had to cancel first).
  void rebalance(const MarketView& v, OrderSink& out, const AccountValue& val, double target_long, bool allow_buys);
  // Forced selling, every continuous step: sell `fraction` of every holding (1 = everything),
  // offering at most `pace` of each position per forced step (cumulative) and at most
  // forced_day_share of it as held at the day's start per day (what is left carries over to the
  // next day, as brokers work a liquidation in slices rather than parking a whole book at
  // limit-down), priced `aggressiveness` ticks below the best bid (clamped to the limit-down
  // price), tagged `reason`. With `log_as` (an event kind),
  // each step that sends orders adds one event row: reason "orders", quantity minus the shares
  // offered, price their value at the limit prices (yuan).
  void force_sell(const MarketView& v, OrderSink& out, double fraction, double pace, int aggressiveness,
                  OrderReason reason, const EventKindName* log_as = nullptr);
  // Futures: moves the short toward -hedge_ratio * long value on the hedge slot (the next contract
  // inside the roll window, where the front is closed), or to zero when `flatten`. Buy-backs are
  // tagged `forced` unless it is OrderReason::Hedge; roll legs are tagged Roll. `pace` < 1 caps
  // each step's buy-back at that share of the position. Voluntary mode acts on round steps,
  // forced mode every step (cancel one step, send the next). With `log_as`, each futures order
  // is an event row: reason "futures_order", signed contracts, limit price in points.
  void hedge(const MarketView& v, OrderSink& out, const AccountValue& val, bool flatten, OrderReason forced,
             double pace, int aggressiveness, const EventKindName* log_as = nullptr);
  // Cancels every resting order (used when the account's mode changes or it is closed out).
  void cancel_all(OrderSink& out);
  bool has_open_orders() const { return !open_.empty() || !open_futures_.empty(); }
  TradeMode mode() const { return mode_; }
  // Switches between voluntary rounds and forced selling; a switch cancels what rests, and nothing
  // new is sent in that step. Returns true when it had to cancel (nothing can be sent this step).
  bool set_mode(const MarketView& v, TradeMode m, OrderSink& out);
  // Restarts the forced-selling pace (a new forced episode, e.g. a liquidation after a margin call).
  void restart_pace() { forced_steps_ = 0; }

  // Futures slot the short belongs on today (1 inside the roll window).
  int hedge_slot(const MarketView& v) const;
  // Margin (fen) the short still needs to reach its target for a long of `long_yuan`.
  Fen hedge_margin_needed(const MarketView& v, double long_yuan) const;
  // Contracts (unrounded, rounded) needed to hedge `long_yuan` on the given futures slot.
  static double exact_hedge(const MarketView& v, int slot, double long_yuan, double ratio);
  static Qty hedge_contracts(const MarketView& v, int slot, double long_yuan, double ratio);
  static bool has_futures(const Account& a);
  static bool has_stocks(const Account& a);

 private:
  struct OpenOrder {
    InstrumentId instrument;
    Side side;
    Tick price;
    Qty qty;          // as sent (an upper bound on what is still open)
    OrderId id;
    StepIndex sent;   // step it was sent in
  };
  void pick_basket();
  void track_excess(const MarketView& v);              // at begin_day, before the day's holdings are snapshot
  double day_start_value(const MarketView& v) const;   // day_start_ at the reference prices (yuan)
  Qty day_start_qty(InstrumentId s) const;   // shares of `s` held at the start of the day
  bool round_step(const MarketView& v) const;
  Tick sell_price(const InstrumentQuote& q, int ticks) const;
  Tick buy_price(const InstrumentQuote& q, int ticks) const;
  void send(OrderSink& out, InstrumentId i, Side s, Tick price, Qty qty, OrderReason r, std::vector<OpenOrder>& into);

  BasketParams p_;
  std::shared_ptr<const SignalBoard> board_;
  AccountId account_;
  double w_size_, w_reversal_, w_alpha_;   // this fund's style
  double excess_ = 1.0, excess_peak_ = 1.0;   // basket / hedged index, and its best so far
  double last_hedged_close_ = 0;              // the hedged index's close the excess was last moved to
  bool style_cut_ = false;
  double hedge_discount_annual_ = 0;   // the hedge contract's at the last close (note_close)
  std::vector<float> own_;             // this fund's own noise, per board candidate
  FamilySignal family_;                // its family's shared noise, per board candidate (or null)
  std::vector<InstrumentId> basket_;   // sorted
  std::vector<std::pair<float, InstrumentId>> scratch_;
  DayIndex basket_day_ = -2;
  // day state
  std::vector<StockPosition> day_start_;   // holdings at the start of the day, sorted by stock
  double day_start_long_ = 0;
  TradeMode mode_ = TradeMode::Voluntary;
  bool pending_send_ = false;          // a voluntary round cancelled last step; send now
  bool futures_pending_ = false;
  StepIndex step_ = -1;                // step of the current call (stamps open orders)
  int forced_steps_ = 0;               // forced steps since the mode switched to Forced
  StepIndex reserved_at_ = -1;         // step of the last futures orders, and the margin they reserve
  Fen reserved_fen_ = 0;
  StepIndex cancelled_at_ = -1;        // step of a mode switch's cancels: send nothing in it
  std::vector<OpenOrder> open_, open_next_;   // resting stock orders, sorted by instrument
  std::vector<OpenOrder> open_futures_;
  mutable AccountValue mark_;          // the last report's mark
  mutable StepIndex mark_step_ = -2;
  mutable DayIndex mark_day_ = -1;
  // scratch for a round
  struct Want { InstrumentId stock; Qty qty; Tick price; Side side; };
  std::vector<Want> wants_;
};

}  // namespace stampede
