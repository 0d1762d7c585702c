#include "agents/neutral_fund.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "sim/engine/valuation.hpp"

namespace stampede {

NeutralFund::NeutralFund(const NeutralFundParams& p, std::shared_ptr<SignalBoard> board, AccountId account,
                         double capital_yuan, Rng style_rng)
    : p_(p), board_(board), basket_(p.basket, board, account, style_rng), units_(capital_yuan) {
  returns_.assign(static_cast<std::size_t>(std::max(1, p_.risk_vol_window_days)), 0.0);
}

AgentState NeutralFund::state() const {
  if (payable_ > 0) return AgentState::Redeeming;
  if (cut_days_left_ > 0) return AgentState::RiskCut;
  return AgentState::Normal;
}

void NeutralFund::decide(const MarketView& view, OrderSink& out) {
  if (view.day != day_) {
    day_ = view.day;
    basket_.begin_day(view);
    day_nav_ = value_account(view, account()).equity() - payable_;
  }
  if (view.phase != StepPhase::Continuous) return;
  const Account& a = view.account(account());
  const AccountValue val = basket_.mark_for_decide(view);
  const bool cut = cut_days_left_ > 0;
  // The long target follows the NAV of the morning (marks move all day; the manager sizes daily).
  double target = p_.long_share * std::max(0.0, day_nav_) * (cut ? 1.0 - p_.risk_cut_fraction : 1.0);
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
  board_->refresh(view);
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
    out.event("redemption_payments", -1, q.asked, paid, pay < owed ? "partial" : "paid");
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
      out.event("redemption_requests", -1, p_.redemption_lag_days, amount, "drawdown");
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
      out.event("risk_limits", -1, 0, risk_dd, "drawdown");
    } else if (vol > p_.risk_vol_limit) {
      cut_days_left_ = std::max(1, p_.risk_cut_days);
      out.event("risk_limits", -1, 0, vol, "volatility");
    }
  }
}

void NeutralFund::report(const MarketView& view, ClassMetrics& into) const {
  const AccountValue val = basket_.mark_for_report(view);
  into.nav += val.equity() - payable_;
  into.equity += val.equity();
  into.gross_long += val.long_value;
  into.futures_notional += val.futures_notional;
  into.cash += val.cash;
  into.accounts += 1;
}

AgentDayRow NeutralFund::day_row(const MarketView& view) const {
  const AccountValue val = value_account(view, account());
  AgentDayRow r;
  r.nav = val.equity() - payable_;
  r.nav_per_unit = units_ > 0 ? r.nav / units_ : std::nan("");   // redemptions took units out at the day's NAV per unit
  r.equity = val.equity();
  r.leverage = r.equity > 0 ? val.long_value / r.equity : std::nan("");
  r.state = state();
  return r;
}

namespace {

const SectionSpec spec{"neutral_funds"};

void populate(const Scenario& s, WorldSetup& setup) {
  const int count = static_cast<int>(s.get_int("neutral_funds.count"));
  if (count == 0) return;
  NeutralFundParams p;
  p.basket = basket_params(s, "neutral_funds");
  p.long_share = s.get_float("neutral_funds.long_share");
  p.redemption_drawdown = s.get_float("neutral_funds.redemption_drawdown");
  p.redemption_sensitivity = s.get_float("neutral_funds.redemption_sensitivity");
  p.redemption_max_share = s.get_float("neutral_funds.redemption_max_share");
  p.redemption_lag_days = static_cast<int>(s.get_int("neutral_funds.redemption_lag_days"));
  p.risk_drawdown_limit = s.get_float("neutral_funds.risk_drawdown_limit");
  p.risk_vol_limit = s.get_float("neutral_funds.risk_vol_limit");
  p.risk_vol_window_days = static_cast<int>(s.get_int("neutral_funds.risk_vol_window_days"));
  p.risk_cut_fraction = s.get_float("neutral_funds.risk_cut_fraction");
  p.risk_cut_days = static_cast<int>(s.get_int("neutral_funds.risk_cut_days"));
  p.forced_pace = s.get_float("neutral_funds.forced_pace");
  p.forced_aggressiveness_ticks = static_cast<int>(s.get_int("neutral_funds.forced_aggressiveness_ticks"));
  p.forced_band = s.get_float("neutral_funds.forced_band");
  const double median = s.get_float("neutral_funds.capital_yuan_median");
  const double dispersion = s.get_float("neutral_funds.capital_dispersion");

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

AgentKind neutral_funds_kind() {
  using T = ParamType;
  std::vector<ParamSpec> specs{
      spec("count", T::Int, std::int64_t{40}, 0, 100000, "funds", "number of market-neutral funds"),
      spec("capital_yuan_median", T::Float, 2.5e7, 0, 1e13, "yuan", "median capital of a fund at the start (lognormal)"),
      spec("capital_dispersion", T::Float, 0.5, 0, 5, "", "lognormal sigma of fund capitals"),
      spec("long_share", T::Float, 0.8, 0, 1, "", "long basket / NAV; the rest is cash margining the futures short"),
      spec("redemption_drawdown", T::Float, 0.03, 0, 1, "", "drawdown of NAV per unit from its peak beyond which a losing day brings redemption requests"),
      spec("redemption_sensitivity", T::Float, 0.5, 0, 100, "", "share of NAV requested per unit of drawdown beyond redemption_drawdown"),
      spec("redemption_max_share", T::Float, 0.05, 0, 1, "", "largest share of NAV requested on one day"),
      spec("redemption_lag_days", T::Int, std::int64_t{3}, 0, 250, "trading days", "days from a redemption request (at a close) to its payment (at a close)"),
      spec("risk_drawdown_limit", T::Float, 0.06, 0, 1, "", "drawdown from the risk peak that makes the manager cut gross exposure"),
      spec("risk_vol_limit", T::Float, 0.2, 0, 100, "1/sqrt(year)", "annualised volatility of daily NAV returns that makes the manager cut"),
      spec("risk_vol_window_days", T::Int, std::int64_t{10}, 2, 250, "trading days", "window of the volatility estimate"),
      spec("risk_cut_fraction", T::Float, 0.5, 0, 1, "", "share of gross exposure (long and short) cut by a risk limit"),
      spec("risk_cut_days", T::Int, std::int64_t{5}, 1, 250, "trading days", "days a risk cut lasts before the fund re-levers (the risk peak restarts then)"),
      spec("forced_pace", T::Float, 0.05, 0.001, 1, "1/step", "share of each position a redemption or risk sale offers per step"),
      spec("forced_aggressiveness_ticks", T::Int, std::int64_t{5}, 0, 10000, "ticks", "redemption and risk sales are priced this far below the best bid (never below limit-down)"),
      spec("forced_band", T::Float, 0.02, 0, 1, "", "forced selling starts when the long exceeds its target by more than this share"),
  };
  for (ParamSpec& b : basket_param_specs("neutral_funds")) specs.push_back(std::move(b));
  return AgentKind{"neutral_funds", std::move(specs), populate};
}

}  // namespace stampede
