#include "agents/dma_account.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <cstdio>
#include <limits>

#include "sim/engine/valuation.hpp"

namespace stampede {

DmaAccount::DmaAccount(const DmaParams& p, std::shared_ptr<SignalBoard> board, AccountId account,
                       AccountId broker_account, Rng style_rng, FamilySignal family)
    : HedgedBook(p.basket, std::move(board), account, style_rng, std::move(family)), p_(p),
      broker_account_(broker_account) {}

double DmaAccount::equity(const MarketView& view) const {
  return value_account(view, account()).equity() - debt();
}

double DmaAccount::margin_ratio(const MarketView& view) const {
  const AccountValue val = value_account(view, account());
  if (val.long_value <= 0) return std::numeric_limits<double>::infinity();
  return (val.equity() - debt()) / val.long_value;
}

void DmaAccount::start_liquidation(const MarketView& view, OrderSink& out, double ratio, const char* why) {
  state_ = AgentState::Liquidating;
  Qty shares = 0;
  for (const StockPosition& p : view.account(account()).stocks()) shares += p.qty;
  out.event(event_kind::liquidations, -1, shares, ratio, std::string("start_") + why);
  basket_.set_mode(view, TradeMode::Forced, out);
  basket_.restart_pace();
}

void DmaAccount::finish_liquidation(const MarketView& view, OrderSink& out) {
  const Account& a = view.account(account());
  const Fen free = std::max<Fen>(0, a.cash - a.reserved_cash - a.futures_margin());
  const Fen repay = std::min(loan_, free);
  if (repay > 0) out.transfer(account(), broker_account_, repay, "dma_loan_repayment");
  written_off_ = loan_ - repay;
  shortfall_ = written_off_ + std::max<Fen>(0, -(a.cash - repay));
  loan_ = 0;
  state_ = AgentState::Liquidated;
  out.event(event_kind::liquidations, -1, 0, static_cast<double>(a.cash - repay) / 100.0, "end");
  if (shortfall_ > 0)
    out.event(event_kind::broker_shortfalls, -1, 0, static_cast<double>(shortfall_) / 100.0, "loan_unpaid");
}

void DmaAccount::decide(const MarketView& view, OrderSink& out) {
  const bool first_decision = before_first_day();
  if (start_day(view)) {
    // The terms this account drew, once, so the run log tells which broker and book it had:
    // quantity = broker index, price = contract leverage.
    if (first_decision) {
      char terms[96];
      std::snprintf(terms, sizeof terms, "broker %d family %d cushion %+.3f run_leverage %.3f liquidation %.3f grace "
                                         "%d",
                    p_.broker, p_.family, p_.cushion, p_.run_leverage(), p_.liquidation_ratio, p_.grace_steps);
      out.event(event_kind::dma_terms, -1, p_.broker, p_.leverage, terms);
    }
    day_equity_ = equity(view);
    if (start_equity_ == 0) start_equity_ = day_equity_;
    // The manager's own line, checked on the morning's NAV: the product is wound up like a
    // liquidation (the whole book sold, the hedge bought back), whatever the broker's lines say.
    if (p_.stop_loss_nav > 0 && start_equity_ > 0 &&
        (state_ == AgentState::Normal || state_ == AgentState::MarginCall)) {
      const double nav_per_unit = (1.0 + p_.cushion) * day_equity_ / start_equity_;   // since inception
      if (nav_per_unit < p_.stop_loss_nav) {
        start_liquidation(view, out, nav_per_unit, "stop_loss");
        return;
      }
    }
  }
  if (state_ == AgentState::Liquidated) return;
  const Account& a = view.account(account());
  const AccountValue val = basket_.mark_for_decide(view);
  const double eq = val.equity() - debt();
  const double initial = 1.0 / p_.leverage;
  const double ratio = val.long_value > 0 ? eq / val.long_value : std::numeric_limits<double>::infinity();

  // The broker's margin monitor, every step.
  if (state_ == AgentState::Normal || state_ == AgentState::MarginCall) {
    if (ratio < p_.liquidation_ratio * initial) {
      start_liquidation(view, out, ratio, "liquidation_line");
      return;
    }
    if (state_ == AgentState::Normal && ratio < p_.warning_ratio * initial) {
      state_ = AgentState::MarginCall;
      grace_left_ = p_.grace_steps;
      out.event(event_kind::margin_calls, -1, 0, ratio, "warning");
    } else if (state_ == AgentState::MarginCall) {
      if (ratio >= p_.cure_ratio * initial) {
        state_ = AgentState::Normal;
        out.event(event_kind::margin_calls, -1, 0, ratio, "cured");
      } else if (--grace_left_ <= 0) {
        out.event(event_kind::margin_calls, -1, 0, ratio, "grace_expired");
        start_liquidation(view, out, ratio, "grace_expired");
        return;
      }
    }
  }
  if (view.phase != StepPhase::Continuous) return;

  if (state_ == AgentState::Liquidating) {
    if (!HedgedBasket::has_stocks(a) && !HedgedBasket::has_futures(a)) {
      // Flat: first let every resting order go, then settle with the broker.
      if (basket_.has_open_orders() || a.reserved_cash != 0) {
        basket_.cancel_all(out);
        return;
      }
      finish_liquidation(view, out);
      return;
    }
    if (basket_.set_mode(view, TradeMode::Forced, out)) return;
    basket_.force_sell(view, out, 1.0, p_.liquidation_pace, p_.liquidation_aggressiveness_ticks,
                       OrderReason::Liquidation, &event_kind::liquidations);
    // The broker keeps the book hedged while it sells: the short is covered in step with the
    // stocks actually sold (locked limit-down stocks keep their hedge), then closed when flat.
    basket_.hedge(view, out, val, !HedgedBasket::has_stocks(a), OrderReason::Liquidation, p_.liquidation_pace,
                  p_.liquidation_aggressiveness_ticks, &event_kind::liquidations);
    return;
  }

  const double capped = view.rules.dma_leverage_cap * std::max(0.0, eq);
  if (state_ == AgentState::MarginCall) {
    // The manager brings leverage back to L, or to the lower leverage the book was run at (and
    // under the regulator's cap): either way the ratio is back at or above 1/L, which meets the
    // call. A broker whose cure line is at (or near) the initial ratio needs a little more: the
    // target then stays 2% inside the cure line (no effect while cure_ratio <= 0.98).
    const double lev = std::min({p_.leverage, p_.run_leverage(), p_.leverage / (1.02 * p_.cure_ratio)});
    const double target = std::min(lev * std::max(0.0, eq), capped);
    if (basket_.set_mode(view, TradeMode::Forced, out)) return;
    if (val.long_value > target)
      basket_.force_sell(view, out, (val.long_value - target) / val.long_value, p_.margin_call_pace,
                         p_.margin_call_aggressiveness_ticks, OrderReason::MarginCall);
    basket_.hedge(view, out, val, false, OrderReason::MarginCall, 1.0, p_.margin_call_aggressiveness_ticks);
    return;
  }

  // Normal: the manager runs the strategy at leverage L, under the regulator's rules.
  if (val.long_value > capped * (1.0 + p_.forced_band)) {
    if (basket_.set_mode(view, TradeMode::Forced, out)) return;
    basket_.force_sell(view, out, (val.long_value - capped) / val.long_value, p_.margin_call_pace,
                       p_.margin_call_aggressiveness_ticks, OrderReason::RiskLimit);
    basket_.hedge(view, out, val, false, OrderReason::RiskLimit, 1.0, p_.margin_call_aggressiveness_ticks);
    return;
  }
  // The manager sizes the book once a day, from the morning's book and equity (leverage_band).
  double target =
      std::min(p_.sizing_target(basket_.day_start_long(), day_equity_) * basket_.hedge_cost_sizing(), capped);
  bool allow_buys = true;
  if (view.rules.dma_new_leverage_banned) {
    // No new gross exposure: hold or reduce, never buy.
    target = std::min(target, basket_.day_start_long());
    allow_buys = false;
  }
  if (basket_.set_mode(view, TradeMode::Voluntary, out)) return;
  basket_.hedge(view, out, val, false, OrderReason::Hedge, 1.0, p_.basket.aggressiveness_ticks);
  basket_.rebalance(view, out, val, target, allow_buys);
}

void DmaAccount::report(const MarketView& view, ClassMetrics& into) const {
  add_indebted_account(into, basket_.mark_for_report(view), debt(), state_);
}

AgentDayRow DmaAccount::day_row(const MarketView& view) const {
  return indebted_day_row(value_account(view, account()), debt(), state_);
}

namespace {

// The [dma] section: the terms every account starts from, and how the accounts, their brokers and
// their signal families are drawn around them.
struct DmaSection {
  int accounts = 100;
  double equity_yuan_median = 2.0e6;
  double equity_dispersion = 0.5;
  DmaParams account;   // cushion, broker and family are drawn per account (populate)
  double leverage_spread = 0.0;
  int brokers = 1;
  double broker_line_spread = 0.0;
  double broker_grace_spread = 0.0;
  double broker_pace_spread = 0.0;
  double cushion_mean = 0.0;
  double cushion_spread = 0.0;
  int signal_families = 1;
  double stop_loss_spread = 0.0;
};

ParamBinder<DmaSection> section_binder() {
  using S = DmaSection;
  using P = DmaParams;
  auto account = [](auto member) { return path(&S::account, member); };
  ParamBinder<S> b{"dma"};
  b.bind(&S::accounts, "accounts", 0, 1000000, "accounts", "number of DMA accounts");
  b.bind(&S::equity_yuan_median, "equity_yuan_median", 0, 1e13, "yuan",
         "median manager equity (margin posted) per account at the start (lognormal)");
  b.bind(&S::equity_dispersion, "equity_dispersion", 0, 5, "", "lognormal sigma of account equities");
  b.bind(account(&P::leverage), "leverage", 0.1, 100, "",
         "gross long / equity the manager runs at (the futures short matches the long)");
  b.bind(account(&P::warning_ratio), "warning_ratio", 0, 1, "of initial ratio",
         "warning line: margin ratio (equity / gross long) as a share of the initial 1/leverage");
  b.bind(account(&P::liquidation_ratio), "liquidation_ratio", 0, 1, "of initial ratio",
         "liquidation line, as a share of the initial margin ratio");
  b.bind(account(&P::cure_ratio), "cure_ratio", 0, 1, "of initial ratio",
         "a margin call is met once the ratio is back at this share of the initial ratio");
  b.bind(account(&P::grace_steps), "grace_steps", 0, 1000000, "steps",
         "steps the manager has to meet a margin call before the broker liquidates");
  b.bind(account(&P::margin_call_pace), "margin_call_pace", 0.001, 1, "1/step",
         "share of each position a margin-call (or leverage-cap) sale offers per step");
  b.bind(account(&P::margin_call_aggressiveness_ticks), "margin_call_aggressiveness_ticks", 0, 10000, "ticks",
         "margin-call sales are priced this far below the best bid (never below limit-down)");
  b.bind(account(&P::liquidation_pace), "liquidation_pace", 0.001, 1, "1/step",
         "share of each position (stocks and futures) the broker offers per step when liquidating");
  b.bind(account(&P::liquidation_aggressiveness_ticks), "liquidation_aggressiveness_ticks", 0, 1000000, "ticks",
         "liquidation orders are priced this far through the best quote: 0 = at the best bid, large = at the "
         "limit-down price");
  b.bind(account(&P::broker_cash_buffer), "broker_cash_buffer", 0, 1, "",
         "cash the broker lends beyond the futures margin, as a share of the gross long");
  b.bind(account(&P::forced_band), "forced_band", 0, 1, "",
         "under the regulator's leverage cap, the account cuts once above the cap by more than this share");
  b.bind(&S::leverage_spread, "leverage_spread", 0, 100, "",
         "each account's leverage is drawn uniformly within leverage +- this (at least 0.1); 0 = every account at "
         "leverage");
  b.bind(&S::brokers, "brokers", 1, 1000, "brokers",
         "number of brokers; each account is assigned one at random, and each broker draws its own lines, grace and "
         "liquidation pace around this section's values");
  b.bind(&S::broker_line_spread, "broker_line_spread", 0, 1, "",
         "each broker scales warning_ratio, liquidation_ratio and cure_ratio by one factor drawn uniformly within 1 "
         "+- this (lines capped at 1)");
  b.bind(&S::broker_grace_spread, "broker_grace_spread", 0, 1, "",
         "each broker scales grace_steps by a factor drawn uniformly within 1 +- this");
  b.bind(&S::broker_pace_spread, "broker_pace_spread", 0, 1, "",
         "each broker scales liquidation_pace and liquidation_aggressiveness_ticks by one factor drawn uniformly "
         "within 1 +- this");
  b.bind(&S::cushion_mean, "cushion_mean", -0.5, 10, "of margin posted",
         "mean gain (+) or loss (-) since the accounts opened, as a share of the margin posted: the lines stay "
         "shares of 1/leverage, the book starts and runs at leverage / (1 + cushion)");
  b.bind(&S::cushion_spread, "cushion_spread", 0, 10, "of margin posted",
         "each account's cushion is drawn uniformly within cushion_mean +- this, and at least halfway from the "
         "initial ratio to its broker's warning line; 0 = every account at cushion_mean");
  b.bind(account(&P::leverage_band), "leverage_band", 0, 10, "",
         "the manager re-sizes the book only when its leverage leaves run_leverage x [1, 1 + this]: below, it buys "
         "back up to run_leverage; above, it cuts to the top of the band; inside, losses are carried and leverage "
         "rises with them toward the broker's lines (0 = re-sized to run_leverage every day)");
  b.bind(&S::signal_families, "signal_families", 1, 10000, "families",
         "number of signal families; each account is assigned one at random and shares that family's signal");
  b.bind(path(&S::account, &P::basket, &BasketParams::family_share), "family_share", 0, 1, "",
         "share of the crowded part of an account's stock score that is its family's own signal: accounts of one "
         "family correlate at crowding, of different families at crowding * (1 - family_share); 0 = one common signal");
  b.bind(path(&S::account, &P::stop_loss_nav), "stop_loss_nav", 0, 2, "NAV per unit",
         "the product's stop-loss line (in Chinese private funds' contracts, commonly 0.7-0.85): the manager winds the "
         "product up (sells the book, buys back the hedge) once its NAV per unit since inception, (1 + cushion) x "
         "equity / starting equity, is below it at a morning check (0 = no line)")
      .long_doc("the product's stop-loss line (止损线 in a Chinese private fund's contract, commonly 0.7-0.85): the "
                "manager winds the product up (sells the book, buys back the hedge, like a liquidation; event "
                "`liquidations` `start_stop_loss`) once its NAV per unit since inception, (1 + cushion) × equity / "
                "starting equity, is below it at a morning check. 0 = no line");
  b.bind(&S::stop_loss_spread, "stop_loss_spread", 0, 1, "NAV per unit",
         "each account's stop-loss line is drawn uniformly within stop_loss_nav +- this")
      .long_doc("each account's stop-loss line is drawn uniformly within `stop_loss_nav` ± this (from its own terms "
                "stream)");
  b.include(account(&P::basket), basket_binder("dma"));
  return b;
}

// The terms a broker offers: its lines, grace and liquidation pace.
struct BrokerTerms {
  double warning_ratio, liquidation_ratio, cure_ratio;
  int grace_steps;
  double liquidation_pace;
  int liquidation_aggressiveness_ticks;
};

double uniform_pm1(Rng& rng) { return boost::random::uniform_real_distribution<double>(-1.0, 1.0)(rng); }

// Broker b scales the section's values by (1 + spread * u), one u per group of terms drawn from
// ("dma_broker", b): a stricter broker has all three lines higher (ordered as the section's are),
// an aggressive one liquidates both faster and deeper through the book. A spread of 0 gives every
// broker the section's values exactly.
std::vector<BrokerTerms> draw_brokers(const DmaSection& sec, std::uint64_t seed) {
  const DmaParams& p = sec.account;
  const int n = sec.brokers;
  const double line_spread = sec.broker_line_spread;
  const double grace_spread = sec.broker_grace_spread;
  const double pace_spread = sec.broker_pace_spread;
  std::vector<BrokerTerms> out;
  for (int b = 0; b < n; ++b) {
    Rng rng = make_stream(seed, "dma_broker", static_cast<std::uint64_t>(b));
    const double lines = 1.0 + line_spread * uniform_pm1(rng);
    const double grace = 1.0 + grace_spread * uniform_pm1(rng);
    const double pace = 1.0 + pace_spread * uniform_pm1(rng);
    out.push_back(BrokerTerms{
        std::clamp(p.warning_ratio * lines, 0.0, 1.0), std::clamp(p.liquidation_ratio * lines, 0.0, 1.0),
        std::clamp(p.cure_ratio * lines, 0.0, 1.0),
        static_cast<int>(std::max<long long>(0, std::llround(p.grace_steps * grace))),
        std::clamp(p.liquidation_pace * pace, 0.001, 1.0),
        static_cast<int>(std::max<long long>(0, std::llround(p.liquidation_aggressiveness_ticks * pace)))});
  }
  return out;
}

void populate(const DmaSection& sec, const Scenario& s, WorldSetup& setup) {
  const int count = sec.accounts;
  if (count == 0) return;
  const DmaParams& p = sec.account;
  const double median = sec.equity_yuan_median;
  const double dispersion = sec.equity_dispersion;
  const double margin_rate = s.get_float("futures.margin_rate");
  const double leverage_spread = sec.leverage_spread;
  const double cushion_mean = sec.cushion_mean;
  const double cushion_spread = sec.cushion_spread;
  const int families = sec.signal_families;

  auto board = std::make_shared<SignalBoard>(setup.universe(), p.basket.reversal_days);
  const std::vector<BrokerTerms> brokers = draw_brokers(sec, setup.seed());
  // No family signal at all while family_share is 0 (nothing to draw or store).
  const std::vector<FamilySignal> family =
      p.basket.family_share > 0 ? family_signals(*board, setup.seed(), families) : std::vector<FamilySignal>{};
  for (int k = 0; k < count; ++k) {
    const AgentId id = setup.next_agent_id();
    Rng rng = make_stream(setup.seed(), "dma_account", static_cast<std::uint64_t>(id));
    const double equity = median * std::exp(dispersion * boost::random::normal_distribution<double>(0.0, 1.0)(rng));
    // The account's own terms come from a stream of their own, so the draws above and the
    // basket's style (from `rng`) are the same whatever the spreads.
    Rng terms = make_stream(setup.seed(), "dma_terms", static_cast<std::uint64_t>(id));
    DmaParams q = p;
    q.leverage = std::max(0.1, p.leverage + leverage_spread * uniform_pm1(terms));
    q.broker = uniform_int(terms, 0, static_cast<int>(brokers.size()) - 1);
    const BrokerTerms& b = brokers[static_cast<std::size_t>(q.broker)];
    q.warning_ratio = b.warning_ratio;
    q.liquidation_ratio = b.liquidation_ratio;
    q.cure_ratio = b.cure_ratio;
    q.grace_steps = b.grace_steps;
    q.liquidation_pace = b.liquidation_pace;
    q.liquidation_aggressiveness_ticks = b.liquidation_aggressiveness_ticks;
    // An account that had lost more would already be in a margin call: cushions stop halfway
    // between the initial ratio and the broker's warning line.
    q.cushion = std::max(cushion_mean + cushion_spread * uniform_pm1(terms), 0.5 * (q.warning_ratio - 1.0));
    q.family = uniform_int(terms, 0, families - 1);
    if (p.stop_loss_nav > 0) q.stop_loss_nav = std::max(0.0, p.stop_loss_nav + sec.stop_loss_spread * uniform_pm1(terms));
    const double gross = q.run_leverage() * equity;
    const Fen cash = static_cast<Fen>(std::llround(gross * (p.basket.hedge_ratio * margin_rate + p.broker_cash_buffer) * 100.0));
    const AccountId acc = setup.open_account(id, cash);
    const AccountId broker = setup.open_account(id, 0);
    auto dma = std::make_unique<DmaAccount>(q, board, acc, broker, rng,
                                            family.empty() ? nullptr : family[static_cast<std::size_t>(q.family)]);
    const double granted = dma->basket().endow(setup, gross);
    // The broker lent whatever is not the manager's equity: equity = cash + basket - loan.
    dma->set_loan(cash + static_cast<Fen>(std::llround(granted * 100.0)) - static_cast<Fen>(std::llround(equity * 100.0)));
    setup.add_agent(std::move(dma));
  }
}

}  // namespace

AgentKind dma_accounts_kind() { return bound_agent_kind(section_binder(), populate, {kDmaAccountClass}); }

}  // namespace stampede
