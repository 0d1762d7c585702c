#include "agents/national_team.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "sim/engine/valuation.hpp"
#include "sim/scenario/scenario.hpp"

namespace stampede {

NationalTeam::NationalTeam(const NationalTeamParams& p, AccountId account, std::vector<InstrumentId> basket)
    : p_(p), account_(account), budget_fen_(static_cast<Fen>(std::llround(p.budget_yuan * 100.0))),
      pace_fen_(static_cast<Fen>(std::llround(p.pace_yuan_per_day * 100.0))), basket_(std::move(basket)) {
  const std::size_t n = basket_.size();
  weight_.assign(n, 0.0);
  owed_fen_.assign(n, 0.0);
  resting_.assign(n, Resting{});
  lots_.assign(n, 0);
  limit_.assign(n, 0);
  cash_fen_last_ = budget_fen_;
}

// Cap weights at today's start: the constituents' share and the large caps' share each split by
// market cap (or one cap-weighted basket over both).
void NationalTeam::start_day(const MarketView& view) {
  const Universe& u = *view.universe;
  double cap_constituents = 0, cap_large = 0;
  for (std::size_t k = 0; k < basket_.size(); ++k) {
    const InstrumentId i = basket_[k];
    const double cap = static_cast<double>(u.shares_outstanding[static_cast<std::size_t>(i)]) * view.quote(i).last;
    weight_[k] = cap;
    (u.segment[static_cast<std::size_t>(i)] == Segment::Constituent ? cap_constituents : cap_large) += cap;
  }
  double share = p_.constituent_share;
  if (cap_large <= 0) share = 1.0;
  if (cap_constituents <= 0) share = 0.0;
  const double total = cap_constituents + cap_large;
  for (std::size_t k = 0; k < basket_.size(); ++k) {
    const bool constituent = u.segment[static_cast<std::size_t>(basket_[k])] == Segment::Constituent;
    if (share < 0)
      weight_[k] = total > 0 ? weight_[k] / total : 0.0;
    else if (constituent)
      weight_[k] = cap_constituents > 0 ? share * weight_[k] / cap_constituents : 0.0;
    else
      weight_[k] = cap_large > 0 ? (1.0 - share) * weight_[k] / cap_large : 0.0;
  }
  cash_day_start_ = view.account(account_).cash;
  continuous_seen_ = 0;
}

// Last step's order: what filled shows in the holding (the team never sells); the rest is
// cancelled (cancels reach the book before any new order) and its money owed again.
void NationalTeam::cancel_resting(const MarketView& view, OrderSink& out) {
  const Account& acc = view.account(account_);
  for (std::size_t k = 0; k < basket_.size(); ++k) {
    Resting& r = resting_[k];
    if (r.id == 0) continue;
    const Qty unfilled = r.qty - (acc.holding(basket_[k]) - r.holding_before);
    if (unfilled > 0) {
      out.cancel(account_, basket_[k], r.id);
      owed_fen_[k] += static_cast<double>(unfilled) * r.price;
    }
    r = Resting{};
  }
}

void NationalTeam::decide(const MarketView& view, OrderSink& out) {
  if (view.day != day_) {
    day_ = view.day;
    start_day(view);
  }
  if (peak_ <= 0) peak_ = view.hedged_index;
  cancel_resting(view, out);
  const Account& acc = view.account(account_);
  cash_fen_last_ = acc.cash;
  if (view.phase != StepPhase::Continuous) return;
  ++continuous_seen_;
  const double index = view.hedged_index;

  if (state_ == AgentState::Normal) {
    peak_ = std::max(peak_, index);
    if (view.day >= p_.from_day && index <= peak_ * (1.0 - p_.trigger_drawdown)) {
      state_ = AgentState::Intervening;
      trough_ = index;
      out.event(event_kind::interventions, -1, 0, index, "start");
    }
  } else if (state_ == AgentState::Intervening) {
    trough_ = std::min(trough_, index);
    if (p_.stop_recovery > 0 && index >= trough_ * (1.0 + p_.stop_recovery)) {
      state_ = AgentState::Normal;
      peak_ = index;   // a new fall of trigger_drawdown from here starts it again
      std::fill(owed_fen_.begin(), owed_fen_.end(), 0.0);
      out.event(event_kind::interventions, -1, 0, index, "stop");
    }
  }
  if (state_ == AgentState::Intervening) buy(view, out);
}

void NationalTeam::buy(const MarketView& view, OrderSink& out) {
  const Account& acc = view.account(account_);
  const int steps = std::max(1, view.clock->continuous_steps());
  const Fen day_allow = std::min(pace_fen_, cash_day_start_);
  const Fen target_cum = day_allow * std::min(continuous_seen_, steps) / steps;
  const Fen spent = cash_day_start_ - acc.cash;
  const Fen room = std::min(target_cum - spent, acc.available_cash());
  const double fresh = static_cast<double>(day_allow / steps);

  double round_cost = 0;   // a lot of every basket stock
  double total = 0;
  for (std::size_t k = 0; k < basket_.size(); ++k) {
    const InstrumentQuote& q = view.quote(basket_[k]);
    const Tick base = q.best_ask != kNoPrice ? q.best_ask : q.last;
    const Tick limit = std::clamp<Tick>(base + p_.aggressiveness_ticks, q.lower, q.upper);
    limit_[k] = limit;
    const double lot_fen = 100.0 * limit;
    round_cost += lot_fen;
    // Money allotted this step, never more than a day's share (or two lots) waiting per stock.
    owed_fen_[k] = std::min(owed_fen_[k] + weight_[k] * fresh,
                            std::max(weight_[k] * static_cast<double>(day_allow), 2.0 * lot_fen));
    lots_[k] = static_cast<Qty>(std::floor(owed_fen_[k] / lot_fen));
    total += static_cast<double>(lots_[k]) * lot_fen;
  }
  if (static_cast<double>(acc.cash) < round_cost) {
    state_ = AgentState::BudgetExhausted;
    out.event(event_kind::interventions, -1, 0, static_cast<double>(budget_fen_ - acc.cash) / 100.0,
              "budget_exhausted");
    return;
  }
  if (room <= 0 || total <= 0) return;
  const double scale = total > static_cast<double>(room) ? static_cast<double>(room) / total : 1.0;
  Fen committed = 0;
  for (std::size_t k = 0; k < basket_.size(); ++k) {
    Qty lots = scale < 1.0 ? static_cast<Qty>(std::floor(static_cast<double>(lots_[k]) * scale)) : lots_[k];
    if (lots <= 0) continue;
    const Fen value = static_cast<Fen>(limit_[k]) * lots * 100;
    if (committed + value > room) continue;   // floating-point guard: never past the room
    committed += value;
    owed_fen_[k] -= static_cast<double>(value);
    const Qty qty = lots * 100;
    const OrderId id = out.limit(account_, basket_[k], Side::Buy, limit_[k], qty, OrderReason::Intervention);
    resting_[k] = Resting{id, qty, limit_[k], acc.holding(basket_[k])};
  }
}

void NationalTeam::end_of_day(const MarketView& view, OrderSink& out) {
  // Orders expired at the close: settle what is owed again without sending cancels.
  const Account& acc = view.account(account_);
  for (std::size_t k = 0; k < basket_.size(); ++k) {
    Resting& r = resting_[k];
    if (r.id == 0) continue;
    const Qty unfilled = r.qty - (acc.holding(basket_[k]) - r.holding_before);
    if (unfilled > 0) owed_fen_[k] += static_cast<double>(unfilled) * r.price;
    r = Resting{};
  }
  cash_fen_last_ = acc.cash;
  const Fen spent = cash_day_start_ - acc.cash;
  if (day_ == view.day && spent > 0)
    out.event(event_kind::interventions, -1, 0, static_cast<double>(spent) / 100.0, "buy");
}

void NationalTeam::report(const MarketView& view, ClassMetrics& into) const {
  add_account(into, value_account(view, account_));
}

AgentDayRow NationalTeam::day_row(const MarketView& view) const {
  const AccountValue v = value_account(view, account_);
  return account_day_row(v, v.equity(), v.equity(), state_);
}

namespace {

// The [national_team] section: the buyer's terms, its basket named by text, and whether it exists.
struct NationalTeamSection {
  bool enabled = true;
  NationalTeamParams buyer;
  std::string target = "constituents";   // read into buyer.constituent_share by parse_target
};

ParamBinder<NationalTeamSection> section_binder() {
  using S = NationalTeamSection;
  using P = NationalTeamParams;
  ParamBinder<S> b{"national_team"};
  b.bind(&S::enabled, "enabled", "", "whether the state buyer exists");
  b.bind(path(&S::buyer, &P::budget_yuan), "budget_yuan", 0, 1e13, "yuan",
         "cash the state buyer may spend in the whole run");
  b.bind(path(&S::buyer, &P::trigger_drawdown), "trigger_drawdown", 0, 1, "share",
         "fall of the hedged index from its running peak (the start level at first) that starts the buying")
      .long_doc("fall of the hedged index from its running peak (the start level at first) that starts the buying; 0 "
                "= buy from the first step");
  b.bind(path(&S::buyer, &P::pace_yuan_per_day), "pace_yuan_per_day", 0, 1e13, "yuan/day",
         "most it spends per day, spread evenly over the day's continuous steps");
  b.bind(&S::target, "target", "",
         "basket: \"constituents\", \"large_caps\", \"both\" (cap-weighted) or a share in 0..1 on constituents")
      .long_doc("basket: the hedged index's constituents, the large caps, both cap-weighted together, or this share "
                "of the spending on constituents and the rest on large caps (each cap-weighted)");
  b.bind(path(&S::buyer, &P::aggressiveness_ticks), "aggressiveness_ticks", 0, 10000, "ticks",
         "buy limit price above the best ask (never above limit-up)");
  b.bind(path(&S::buyer, &P::stop_recovery), "stop_recovery", 0, 10, "share",
         "rise of the hedged index from its trough that stops the buying (0 = never stops)")
      .long_doc("rise of the hedged index from its trough that stops the buying (0 = never stops on a recovery)");
  b.bind(path(&S::buyer, &P::from_day), "from_day", 0, 100000, "trading day", "first day (0-based) it may act");
  return b;
}

// "constituents" -> 1, "large_caps" -> 0, "both" -> -1 (cap-weighted over both), or a number in
// [0, 1]: the share of the spending on constituents.
double parse_target(const std::string& t) {
  if (t == "constituents") return 1.0;
  if (t == "large_caps") return 0.0;
  if (t == "both") return -1.0;
  double x = -1;
  const char* end = t.data() + t.size();
  auto [ptr, ec] = std::from_chars(t.data(), end, x);
  if (ec != std::errc() || ptr != end || !(x >= 0.0 && x <= 1.0))
    throw ScenarioError({"national_team.target: \"" + t +
                         "\" is not \"constituents\", \"large_caps\", \"both\" or a share between 0 and 1"});
  return x;
}

void populate(const NationalTeamSection& sec, const Scenario&, WorldSetup& setup) {
  if (!sec.enabled) return;
  NationalTeamParams p = sec.buyer;
  p.constituent_share = parse_target(sec.target);

  const Universe& u = setup.universe();
  std::vector<InstrumentId> basket;
  for (int i = 0; i < u.size(); ++i) {
    const Segment seg = u.segment[static_cast<std::size_t>(i)];
    const bool constituent = seg == Segment::Constituent, large = seg == Segment::LargeCap;
    if ((constituent && p.constituent_share != 0.0) || (large && p.constituent_share != 1.0)) basket.push_back(i);
  }
  if (basket.empty()) return;
  const AgentId id = setup.next_agent_id();
  const AccountId acc = setup.open_account(id, static_cast<Fen>(std::llround(p.budget_yuan * 100.0)));
  setup.add_agent(std::make_unique<NationalTeam>(p, acc, std::move(basket)));
}

}  // namespace

AgentKind national_team_kind() { return bound_agent_kind(section_binder(), populate, {kNationalTeamClass}); }

}  // namespace stampede
