#include "agents/snowball_issuer.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "sim/engine/valuation.hpp"

namespace stampede {

SnowballIssuer::SnowballIssuer(const SnowballHedgeParams& p, AccountId account,
                               std::vector<std::shared_ptr<const SnowballSurface>> surfaces,
                               std::vector<std::string> type_labels, std::vector<SnowballNote> notes)
    : p_(p), account_(account), surfaces_(std::move(surfaces)), labels_(std::move(type_labels)), notes_(std::move(notes)) {
  if (labels_.size() != surfaces_.size()) throw std::invalid_argument("snowball issuer: one label per note type");
  for (const SnowballNote& n : notes_)
    if (n.type < 0 || n.type >= static_cast<int>(surfaces_.size()) || n.closes_left < 1 || !(n.relative_initial > 0))
      throw std::invalid_argument("snowball issuer: bad note");
  p_.hedge_every_steps = std::max(1, p_.hedge_every_steps);
  p_.max_order_contracts = std::max<Qty>(1, p_.max_order_contracts);
  ki_count_.assign(surfaces_.size(), 0);
  ko_count_.assign(surfaces_.size(), 0);
  matured_count_.assign(surfaces_.size(), 0);
}

void SnowballIssuer::anchor(double index) {
  for (SnowballNote& n : notes_)
    if (n.initial_level <= 0) n.initial_level = n.relative_initial * index;
  anchored_ = true;
}

int SnowballIssuer::knocked_in_notes() const {
  int k = 0;
  for (const SnowballNote& n : notes_) k += n.knocked_in;
  return k;
}

double SnowballIssuer::target_contracts(double index, double multiplier_yuan, bool* breached) const {
  double exposure = 0;   // yuan of index to hold long
  bool below = false;
  for (const SnowballNote& n : notes_) {
    const SnowballSurface& s = *surfaces_[static_cast<std::size_t>(n.type)];
    const double x = index / n.initial_level;
    const double d = std::clamp(s.delta(x, n.closes_left, n.knocked_in), -p_.delta_cap, p_.delta_cap);
    exposure += d * n.notional;
    below |= !n.knocked_in && x <= s.terms().ki;
  }
  if (breached) *breached = below;
  return exposure / (index * multiplier_yuan);
}

Qty SnowballIssuer::affordable(const MarketView& view, int slot, Qty wanted) const {
  const Fen margin = std::max<Fen>(1, view.futures[static_cast<std::size_t>(slot)].margin_per_contract);
  const Fen free = view.account(account_).available_cash() - margin_spent_;
  return std::clamp<Qty>(free / margin, 0, wanted);
}

void SnowballIssuer::send(const MarketView& view, OrderSink& out, int slot, Qty signed_qty, OrderReason reason) {
  if (signed_qty == 0) return;
  const Side side = signed_qty > 0 ? Side::Buy : Side::Sell;
  const Qty qty = affordable(view, slot, std::min(std::abs(signed_qty), p_.max_order_contracts));
  if (qty <= 0) return;
  const InstrumentId inst = view.futures_instrument(slot);
  const InstrumentQuote& q = view.quote(inst);
  Tick price;
  if (side == Side::Buy) price = (q.best_ask != kNoPrice ? q.best_ask : q.last) + p_.aggressiveness_ticks;
  else price = (q.best_bid != kNoPrice ? q.best_bid : q.last) - p_.aggressiveness_ticks;
  price = std::clamp(price, q.lower, q.upper);
  margin_spent_ += qty * view.futures[static_cast<std::size_t>(slot)].margin_per_contract;
  resting_.push_back(out.limit(account_, inst, side, price, qty, reason));
  resting_slot_.push_back(slot);
}

void SnowballIssuer::decide(const MarketView& view, OrderSink& out) {
  if (!anchored_) anchor(view.hedged_index);
  if (view.day != day_) {   // day orders expired overnight
    day_ = view.day;
    resting_.clear();
    resting_slot_.clear();
    target_stale_ = true;
  }
  if (view.phase == StepPhase::ClosingAuction || (notes_.empty() && resting_.empty() && !catching_up_)) return;
  if (!catching_up_ && view.step_in_day % p_.hedge_every_steps != 0) return;

  for (std::size_t k = 0; k < resting_.size(); ++k) out.cancel(account_, view.futures_instrument(resting_slot_[k]), resting_[k]);
  resting_.clear();
  resting_slot_.clear();
  margin_spent_ = 0;

  const FuturesQuoteInfo& front = view.futures[0];
  // The notes' deltas are summed at the rebalancing cadence and after a close that changed the
  // book; steps in between (catching up) reuse the last target.
  if (target_stale_ || view.step_in_day % p_.hedge_every_steps == 0) {
    const double multiplier = static_cast<double>(front.tick_value_fen) / 100.0 / front.tick_points;
    target_ = target_contracts(view.hedged_index, multiplier, &breached_);
    target_stale_ = false;
  }
  const double target = target_;
  const bool breached = breached_;
  if (breached) ki_selling_ = true;

  const Account& acc = view.account(account_);
  const Qty q0 = acc.futures(0).qty, q1 = acc.futures(1).qty;
  const Qty gap = std::llround(target) - (q0 + q1);
  const bool rebalance = static_cast<double>(std::abs(gap)) > std::max(1.0, p_.hedge_band * std::abs(target));
  if (!rebalance && !breached) ki_selling_ = false;
  const Qty hedge = rebalance ? gap : 0;
  const OrderReason hedge_reason = gap < 0 && ki_selling_ ? OrderReason::KnockInHedge : OrderReason::Hedge;

  const bool roll = front.days_to_expiry <= p_.roll_days_before_expiry;
  if (!roll) {
    in_roll_ = false;
    send(view, out, 0, hedge, hedge_reason);
    catching_up_ = rebalance;
    return;
  }
  // Roll: close the front, and buy in the next contract what the front sold and the next has not
  // replaced yet (the legs fill independently, so the next leg follows the front's fills one step
  // later and the hedge is never doubled). Rebalancing goes to the next contract too, on the same
  // side as the roll leg.
  if (!in_roll_) {
    in_roll_ = true;
    roll_front_start_ = q0;
    roll_next_start_ = q1;
  }
  send(view, out, 0, -q0, OrderReason::Roll);
  const Qty unreplaced = std::max<Qty>(0, (roll_front_start_ - q0) - (q1 - roll_next_start_));
  const Qty roll_buy = gap > 0 ? std::min(gap, unreplaced) : 0;
  send(view, out, 1, roll_buy, OrderReason::Roll);
  const Qty rest = gap - roll_buy;
  const bool rebalance_rest = static_cast<double>(std::abs(rest)) > std::max(1.0, p_.hedge_band * std::abs(target));
  send(view, out, 1, rebalance_rest ? rest : 0, hedge_reason);
  catching_up_ = rebalance_rest || q0 != 0 || roll_buy > 0;
}

void SnowballIssuer::end_of_day(const MarketView& view, OrderSink& out) {
  if (!anchored_) anchor(view.hedged_index);
  const double close = view.hedged_index;
  std::fill(ki_count_.begin(), ki_count_.end(), 0);
  std::fill(ko_count_.begin(), ko_count_.end(), 0);
  std::fill(matured_count_.begin(), matured_count_.end(), 0);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < notes_.size(); ++i) {
    SnowballNote n = notes_[i];
    const SnowballSurface& s = *surfaces_[static_cast<std::size_t>(n.type)];
    const auto type = static_cast<std::size_t>(n.type);
    const int after = n.closes_left - 1;   // closes left after today's
    const double x = close / n.initial_level;
    bool ended = false;
    if (after % s.model().observation_days == 0 && x >= s.terms().ko) {
      ++ko_count_[type];
      ended = true;
    } else {
      if (!n.knocked_in && x <= s.terms().ki) {
        n.knocked_in = true;
        ++ki_count_[type];
      }
      if (after <= 0) {
        ++matured_count_[type];
        ended = true;
      }
    }
    n.closes_left = after;
    if (!ended) notes_[kept++] = n;
  }
  notes_.resize(kept);
  bool knocked = false, ended_any = false;
  for (std::size_t t = 0; t < surfaces_.size(); ++t) {
    if (ki_count_[t] > 0) out.event(event_kind::knock_ins, -1, ki_count_[t], close, labels_[t]);
    if (ko_count_[t] > 0) out.event(event_kind::knock_outs, -1, ko_count_[t], close, labels_[t]);
    if (matured_count_[t] > 0) out.event(event_kind::note_maturities, -1, matured_count_[t], close, labels_[t]);
    knocked |= ki_count_[t] > 0;
    ended_any |= ko_count_[t] > 0 || matured_count_[t] > 0;
  }
  // The hedge follows at the next open: knock-ins make its sells forced (KnockInHedge).
  if (knocked) ki_selling_ = true;
  if (knocked || ended_any) catching_up_ = true;
  target_stale_ = true;
}

void SnowballIssuer::report(const MarketView& view, ClassMetrics& into) const {
  add_account(into, value_account(view, account_));
}

// Leverage is gross long / equity, as for every class: an issuer's hedge is futures, so it is 0
// (its futures notional is in /agents/classes/futures_notional).
AgentDayRow SnowballIssuer::day_row(const MarketView& view) const {
  const AccountValue v = value_account(view, account_);
  return account_day_row(v, v.equity(), v.equity(),
                         knocked_in_notes() > 0 ? AgentState::KnockedIn : AgentState::Normal);
}

namespace {

// The [snowball] section: how the issuers' books are drawn, the pricing model and the hedging rules.
struct SnowballSection {
  int issuers = 4;
  int notes_per_issuer = 1250;
  double notional_yuan_median = 1.5e5;
  double notional_dispersion = 0.5;
  double ko_barrier_min = 1.00;
  double ko_barrier_max = 1.03;
  double ki_barrier_min = 0.75;
  double ki_barrier_max = 0.80;
  double barrier_step = 0.01;
  double ki_distance_mean = 0.88;
  double ki_distance_spread = 0.05;
  double coupon_annual = 0.15;
  int maturity_months = 24;
  SnowballModel model;   // its days_per_year follows from observation_days (populate)
  SnowballHedgeParams hedge;
  double capital_yuan = 2.0e9;
};

ParamBinder<SnowballSection> section_binder() {
  using S = SnowballSection;
  using H = SnowballHedgeParams;
  ParamBinder<S> b{"snowball"};
  b.bind(&S::issuers, "issuers", 0, 100, "issuers", "brokers that issued snowball notes and hedge them");
  b.bind(&S::notes_per_issuer, "notes_per_issuer", 0, 1000000, "notes", "outstanding notes in each issuer's book");
  b.bind(&S::notional_yuan_median, "notional_yuan_median", 0, 1e12, "yuan", "median notional of a note (lognormal)")
      .long_doc("median notional of a note (lognormal); the default makes the issuers' hedge about two thirds of the "
                "default neutral funds' and DMA accounts' futures shorts");
  b.bind(&S::notional_dispersion, "notional_dispersion", 0, 3, "", "lognormal sigma of note notionals");
  b.bind(&S::ko_barrier_min, "ko_barrier_min", 1, 1.5, "of initial level",
         "lowest knock-out barrier (uniform between min and max)")
      .long_doc("lowest knock-out barrier (uniform between min and max), observed at monthly closes");
  b.bind(&S::ko_barrier_max, "ko_barrier_max", 1, 1.5, "of initial level", "highest knock-out barrier");
  b.bind(&S::ki_barrier_min, "ki_barrier_min", 0.5, 0.99, "of initial level",
         "lowest knock-in barrier (uniform between min and max)")
      .long_doc("lowest knock-in barrier (uniform between min and max), observed at every close");
  b.bind(&S::ki_barrier_max, "ki_barrier_max", 0.5, 0.99, "of initial level", "highest knock-in barrier");
  b.bind(&S::barrier_step, "barrier_step", 0, 0.5, "of initial level",
         "barriers are rounded to this step; notes with equal barriers share a pricing surface (0 = no rounding)");
  b.bind(&S::ki_distance_mean, "ki_distance_mean", 0.3, 1.5, "of today's index",
         "mean KI barrier level / index at the start (normal across notes; >= 1: already knocked in)")
      .long_doc("mean of KI barrier level / index at the start, across notes (normal, clipped to 0.3..1.5); a note "
                "drawn at 1 or above starts knocked in");
  b.bind(&S::ki_distance_spread, "ki_distance_spread", 0, 1, "of today's index",
         "standard deviation of KI barrier level / index at the start");
  b.bind(&S::coupon_annual, "coupon_annual", 0, 2, "1/year",
         "coupon paid at knock-out, or at maturity if never knocked in")
      .long_doc("coupon paid at knock-out, or at maturity if never knocked in (simple interest)");
  b.bind(&S::maturity_months, "maturity_months", 1, 120, "months",
         "note maturity; remaining lives are uniform over it");
  b.bind(path(&S::model, &SnowballModel::observation_days), "observation_days", 1, 250, "trading days",
         "trading days per month: KO is observed every this many closes")
      .long_doc("trading days per month: KO is observed every this many closes counted back from maturity (a year is "
                "12 months)");
  b.bind(path(&S::model, &SnowballModel::vol), "vol_annual", 0.01, 3, "1/sqrt(year)",
         "pricing volatility of the hedged index");
  b.bind(path(&S::model, &SnowballModel::rate), "rate", -0.1, 1, "1/year", "risk-free rate of the pricing model")
      .long_doc("risk-free rate of the pricing model (drift and discount)");
  b.bind(path(&S::hedge, &H::delta_cap), "delta_cap", 0, 100, "per yuan of notional",
         "the hedge delta of a note is clipped to this (risk limit near the barriers)")
      .long_doc("a note's hedge delta is clipped to this (risk limit near the barriers, where it spikes before "
                "maturity)");
  b.bind(path(&S::hedge, &H::hedge_band), "hedge_band", 0, 1, "of target",
         "rebalance when the hedge is off its target by more than this share (and one contract)")
      .long_doc("rebalance when the hedge is off its target by more than this share (and more than one contract)");
  b.bind(path(&S::hedge, &H::hedge_every_steps), "hedge_every_steps", 1, 10000, "steps",
         "steps between rebalancing checks (every step while catching up)")
      .long_doc("steps between rebalancing checks (every step while catching up after a rebalance, a knock-in or a "
                "knock-out)");
  b.bind(path(&S::hedge, &H::aggressiveness_ticks), "aggressiveness_ticks", 0, 1000, "ticks",
         "hedge orders are priced this far beyond the opposite best quote")
      .long_doc("hedge orders are limit orders this far beyond the opposite best quote");
  b.bind(path(&S::hedge, &H::max_order_contracts), "max_order_contracts", 1, 1000000, "contracts",
         "largest hedge or roll order per step and contract");
  b.bind(path(&S::hedge, &H::roll_days_before_expiry), "roll_days_before_expiry", 0, 30, "calendar days",
         "the hedge moves to the next contract this close to the front's expiry")
      .long_doc("the hedge moves to the next contract when the front expires within this many days");
  b.bind(&S::capital_yuan, "capital_yuan", 0, 1e13, "yuan", "cash of each issuer's hedging account")
      .long_doc("cash of each issuer's hedging account (futures margin)");
  return b;
}

void populate(const SnowballSection& sec, const Scenario&, WorldSetup& setup) {
  const int issuers = sec.issuers;
  const int per_issuer = sec.notes_per_issuer;
  if (issuers == 0) return;

  const SnowballHedgeParams& hp = sec.hedge;
  SnowballModel model = sec.model;
  model.days_per_year = 12 * model.observation_days;
  const int months = sec.maturity_months;
  const double coupon = sec.coupon_annual;
  const double step = sec.barrier_step;
  const double ko_lo = sec.ko_barrier_min, ko_hi = std::max(ko_lo, sec.ko_barrier_max);
  const double ki_lo = sec.ki_barrier_min, ki_hi = std::max(ki_lo, sec.ki_barrier_max);
  const double dist_mean = sec.ki_distance_mean, dist_spread = sec.ki_distance_spread;
  const double notional_median = sec.notional_yuan_median, notional_disp = sec.notional_dispersion;
  const Fen capital = static_cast<Fen>(std::llround(sec.capital_yuan * 100.0));
  const int days = months * model.observation_days;
  auto snap = [step](double v) { return step > 0 ? std::round(v / step) * step : v; };

  // Notes first (each issuer from its own stream), then one surface per type shared by all.
  std::map<std::pair<long long, long long>, int> type_of;   // barriers in 1e-6 units -> type
  std::vector<SnowballTerms> types;
  std::vector<std::string> labels;
  std::vector<std::vector<SnowballNote>> books(static_cast<std::size_t>(issuers));
  const AgentId first = setup.next_agent_id();
  for (int k = 0; k < issuers; ++k) {
    Rng rng = make_stream(setup.seed(), "snowball_issuer", static_cast<std::uint64_t>(first + k));
    boost::random::uniform_real_distribution<double> u01(0.0, 1.0);
    boost::random::normal_distribution<double> normal(0.0, 1.0);
    boost::random::uniform_int_distribution<int> age(1, days);
    for (int i = 0; i < per_issuer; ++i) {
      // Rounded barriers stay in the pricer's range: KO at or above 100%, KI at most 99%.
      const double ko = std::max(1.0, snap(ko_lo + (ko_hi - ko_lo) * u01(rng)));
      const double ki = std::clamp(snap(ki_lo + (ki_hi - ki_lo) * u01(rng)), 0.5, 0.99);
      // Today's index relative to the KI barrier level: the scenario's crowding of barriers.
      const double distance = std::clamp(dist_mean + dist_spread * normal(rng), 0.3, 1.5);
      SnowballNote n;
      n.relative_initial = distance / ki;   // S0 / S_start, since the KI level is ki * S0 = distance * S_start
      n.knocked_in = distance >= 1.0;       // a barrier above today's index has been crossed already
      n.closes_left = age(rng);
      n.notional = std::round(notional_median * std::exp(notional_disp * normal(rng)));
      const auto key = std::make_pair(std::llround(ko * 1e6), std::llround(ki * 1e6));
      auto it = type_of.find(key);
      if (it == type_of.end()) {
        it = type_of.emplace(key, static_cast<int>(types.size())).first;
        types.push_back(SnowballTerms{ko, ki, coupon, months});
        char label[64];
        std::snprintf(label, sizeof label, "ko%.2f/ki%.2f", ko, ki);
        labels.emplace_back(label);
      }
      n.type = it->second;
      books[static_cast<std::size_t>(k)].push_back(n);
    }
  }
  const auto surfaces = snowball_surfaces(types, model);
  for (int k = 0; k < issuers; ++k) {
    const AgentId id = setup.next_agent_id();
    const AccountId acc = setup.open_account(id, capital);
    setup.add_agent(std::make_unique<SnowballIssuer>(hp, acc, surfaces, labels, std::move(books[static_cast<std::size_t>(k)])));
  }
}

}  // namespace

AgentKind snowball_kind() { return bound_agent_kind(section_binder(), populate, {kSnowballIssuerClass}); }

}  // namespace stampede
