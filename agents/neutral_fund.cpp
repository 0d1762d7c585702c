#include "agents/neutral_fund.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "sim/engine/valuation.hpp"

namespace stampede {

NeutralFund::NeutralFund(const NeutralFundParams& p, std::shared_ptr<SignalBoard> board, AccountId account,
                         double capital_yuan, Rng style_rng)
    : HedgedBook(p.basket, std::move(board), account, style_rng), p_(p), units_(capital_yuan) {
  returns_.assign(static_cast<std::size_t>(std::max(1, p_.risk_vol_window_days)), 0.0);
}

AgentState NeutralFund::state() const {
  if (payable_ > 0) return AgentState::Redeeming;
  if (cut_days_left_ > 0) return AgentState::RiskCut;
  return AgentState::Normal;
}

void NeutralFund::decide(const MarketView& view, OrderSink& out) {
  if (start_day(view)) {
    day_nav_ = value_account(view, account()).equity() - payable_;
  }
  if (view.phase != StepPhase::Continuous) return;
  const Account& a = view.account(account());
  const AccountValue val = basket_.mark_for_decide(view);
  const bool cut = cut_days_left_ > 0;
  // The long target follows the NAV of the morning (marks move all day; the manager sizes daily).
  double target =
      p_.long_share * std::max(0.0, day_nav_) * (cut ? 1.0 - p_.risk_cut_fraction : 1.0) * basket_.hedge_cost_sizing();
  if (payable_ > 0) {
    // Redemptions are paid in cash: sell enough to raise what the free cash does not cover.
    const double free = static_cast<double>(a.available_cash()) / 100.0;
    target = std::min(target, val.long_value - std::max(0.0, payable_ - free));
  }
  target = std::max(0.0, target);
  const bool forced = (payable_ > 0 || cut) && val.long_value > target * (1.0 + p_.forced_band) + 1.0;
  if (forced) {
    const OrderReason reason = payable_ > 0 ? OrderReason::Redemption : OrderReason::RiskLimit;
    if (basket_.set_mode(view, TradeMode::Forced, out)) return;
    const double fraction = (val.long_value - target) / val.long_value;
    basket_.force_sell(view, out, fraction, p_.forced_pace, p_.forced_aggressiveness_ticks, reason);
    basket_.hedge(view, out, val, false, reason, 1.0, p_.forced_aggressiveness_ticks);
  } else {
    if (basket_.set_mode(view, TradeMode::Voluntary, out)) return;
    basket_.hedge(view, out, val, false, OrderReason::Hedge, 1.0, p_.basket.aggressiveness_ticks);
    basket_.rebalance(view, out, val, target, payable_ <= 0 && !cut);
  }
}

void NeutralFund::end_of_day(const MarketView& view, OrderSink& out) {
  HedgedBook::end_of_day(view, out);
  const Account& a = view.account(account());
  const AccountValue val = value_account(view, a);
  const double nav = val.equity() - payable_;
  const double nav_pu = units_ > 0 ? nav / units_ : 0.0;
  const double r = prev_nav_pu_ > 0 ? nav_pu / prev_nav_pu_ - 1.0 : 0.0;
  prev_nav_pu_ = nav_pu;
  returns_[returns_seen_++ % returns_.size()] = r;
  peak_nav_pu_ = std::max(peak_nav_pu_, nav_pu);
  const double drawdown = peak_nav_pu_ > 0 ? 1.0 - nav_pu / peak_nav_pu_ : 0.0;

  // Pay what is due from free cash (orders have expired: nothing is reserved after the close).
  Fen free = a.cash - a.futures_margin();
  while (!requests_.empty() && requests_.front().due <= view.day && free > 0) {
    Request& q = requests_.front();
    const Fen owed = static_cast<Fen>(std::ceil(q.amount * 100.0 - 1e-6));
    const Fen pay = std::min(owed, free);
    out.pay_out(account(), pay, "redemption");
    free -= pay;
    const double paid = static_cast<double>(pay) / 100.0;
    out.event(event_kind::redemption_payments, -1, q.asked, paid, pay < owed ? "partial" : "paid");
    payable_ = std::max(0.0, payable_ - paid);
    if (pay < owed) {
      q.amount -= paid;
      break;
    }
    requests_.pop_front();
  }
  if (requests_.empty()) payable_ = 0;

  // Flow follows performance: a losing day deep in a drawdown brings redemption requests, fixed
  // in yuan at today's NAV and paid redemption_lag_days later.
  if (r < 0 && drawdown > p_.redemption_drawdown && nav > 0 && nav_pu > 0) {
    const double share = std::min(p_.redemption_max_share, p_.redemption_sensitivity * (drawdown - p_.redemption_drawdown));
    const double amount = std::floor(share * nav * 100.0) / 100.0;
    if (amount > 0) {
      units_ -= amount / nav_pu;
      payable_ += amount;
      requests_.push_back(Request{view.day, view.day + p_.redemption_lag_days, amount});
      out.event(event_kind::redemption_requests, -1, p_.redemption_lag_days, amount, "drawdown");
    }
  }

  // Risk limits: a cut lasts risk_cut_days; the risk peak restarts when it ends.
  if (cut_days_left_ > 0) {
    if (--cut_days_left_ == 0) risk_peak_ = nav_pu;
  } else {
    risk_peak_ = std::max(risk_peak_, nav_pu);
    const double risk_dd = risk_peak_ > 0 ? 1.0 - nav_pu / risk_peak_ : 0.0;
    double vol = 0;
    if (returns_seen_ >= returns_.size() && returns_.size() > 1) {
      double mean = 0, sq = 0;
      for (double x : returns_) mean += x;
      mean /= static_cast<double>(returns_.size());
      for (double x : returns_) sq += (x - mean) * (x - mean);
      vol = std::sqrt(sq / static_cast<double>(returns_.size() - 1) * 250.0);
    }
    if (risk_dd > p_.risk_drawdown_limit) {
      cut_days_left_ = std::max(1, p_.risk_cut_days);
      out.event(event_kind::risk_limits, -1, 0, risk_dd, "drawdown");
    } else if (vol > p_.risk_vol_limit) {
      cut_days_left_ = std::max(1, p_.risk_cut_days);
      out.event(event_kind::risk_limits, -1, 0, vol, "volatility");
    }
  }
}

void NeutralFund::report(const MarketView& view, ClassMetrics& into) const {
  const AccountValue val = basket_.mark_for_report(view);
  add_account(into, val, val.equity(), val.equity() - payable_, state());
}

AgentDayRow NeutralFund::day_row(const MarketView& view) const {
  const AccountValue val = value_account(view, account());
  AgentDayRow r = account_day_row(val, val.equity(), val.equity() - payable_, state());
  r.nav_per_unit = units_ > 0 ? r.nav / units_ : std::nan("");   // redemptions took units out at the day's NAV per unit
  return r;
}

namespace {

// The [neutral_funds] section: the funds' rules and how their capital is drawn.
struct NeutralFundsSection {
  int count = 40;
  double capital_yuan_median = 2.5e7;
  double capital_dispersion = 0.5;
  NeutralFundParams fund;
};

ParamBinder<NeutralFundsSection> section_binder() {
  using S = NeutralFundsSection;
  using P = NeutralFundParams;
  auto fund = [](auto member) { return path(&S::fund, member); };
  ParamBinder<S> b{"neutral_funds"};
  b.bind(&S::count, "count", 0, 100000, "funds", "number of market-neutral funds");
  b.bind(&S::capital_yuan_median, "capital_yuan_median", 0, 1e13, "yuan",
         "median capital of a fund at the start (lognormal)");
  b.bind(&S::capital_dispersion, "capital_dispersion", 0, 5, "", "lognormal sigma of fund capitals");
  b.bind(fund(&P::long_share), "long_share", 0, 1, "",
         "long basket / NAV; the rest is cash margining the futures short");
  b.bind(fund(&P::redemption_drawdown), "redemption_drawdown", 0, 1, "",
         "drawdown of NAV per unit from its peak beyond which a losing day brings redemption requests");
  b.bind(fund(&P::redemption_sensitivity), "redemption_sensitivity", 0, 100, "",
         "share of NAV requested per unit of drawdown beyond redemption_drawdown");
  b.bind(fund(&P::redemption_max_share), "redemption_max_share", 0, 1, "", "largest share of NAV requested on one day");
  b.bind(fund(&P::redemption_lag_days), "redemption_lag_days", 0, 250, "trading days",
         "days from a redemption request (at a close) to its payment (at a close)");
  b.bind(fund(&P::risk_drawdown_limit), "risk_drawdown_limit", 0, 1, "",
         "drawdown from the risk peak that makes the manager cut gross exposure");
  b.bind(fund(&P::risk_vol_limit), "risk_vol_limit", 0, 100, "1/sqrt(year)",
         "annualised volatility of daily NAV returns that makes the manager cut");
  b.bind(fund(&P::risk_vol_window_days), "risk_vol_window_days", 2, 250, "trading days",
         "window of the volatility estimate");
  b.bind(fund(&P::risk_cut_fraction), "risk_cut_fraction", 0, 1, "",
         "share of gross exposure (long and short) cut by a risk limit");
  b.bind(fund(&P::risk_cut_days), "risk_cut_days", 1, 250, "trading days",
         "days a risk cut lasts before the fund re-levers (the risk peak restarts then)");
  b.bind(fund(&P::forced_pace), "forced_pace", 0.001, 1, "1/step",
         "share of each position a redemption or risk sale offers per step");
  b.bind(fund(&P::forced_aggressiveness_ticks), "forced_aggressiveness_ticks", 0, 10000, "ticks",
         "redemption and risk sales are priced this far below the best bid (never below limit-down)");
  b.bind(fund(&P::forced_band), "forced_band", 0, 1, "",
         "forced selling starts when the long exceeds its target by more than this share");
  b.include(fund(&P::basket), basket_binder("neutral_funds"));
  return b;
}

void populate(const NeutralFundsSection& sec, const Scenario&, WorldSetup& setup) {
  const int count = sec.count;
  if (count == 0) return;
  const NeutralFundParams& p = sec.fund;
  const double median = sec.capital_yuan_median;
  const double dispersion = sec.capital_dispersion;

  auto board = std::make_shared<SignalBoard>(setup.universe(), p.basket.reversal_days);
  for (int f = 0; f < count; ++f) {
    const AgentId id = setup.next_agent_id();
    Rng rng = make_stream(setup.seed(), "neutral_fund", static_cast<std::uint64_t>(id));
    const double capital = median * std::exp(dispersion * boost::random::normal_distribution<double>(0.0, 1.0)(rng));
    const double long_yuan = p.long_share * capital;
    const AccountId acc = setup.open_account(id, static_cast<Fen>(std::llround((capital - long_yuan) * 100.0)));
    auto fund = std::make_unique<NeutralFund>(p, board, acc, capital, rng);
    const double granted = fund->basket().endow(setup, long_yuan);
    // Investors own what the fund starts with: cash plus the basket at the first prices.
    fund->set_initial_nav(capital - long_yuan + granted);
    setup.add_agent(std::move(fund));
  }
}

}  // namespace

AgentKind neutral_funds_kind() { return bound_agent_kind(section_binder(), populate, {kNeutralFundClass}); }

}  // namespace stampede
