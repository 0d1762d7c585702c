#include "agents/index_enhanced_fund.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>

#include "sim/engine/valuation.hpp"
#include "sim/scenario/scenario.hpp"

namespace stampede {

namespace {
Qty floor_lots(Qty q) { return q > 0 ? q / 100 * 100 : 0; }
Qty ceil_lots(Qty q) { return q > 0 ? (q + 99) / 100 * 100 : 0; }
}  // namespace

IndexEnhancedFund::IndexEnhancedFund(const IndexEnhancedParams& p, AccountId account, std::vector<InstrumentId> basket,
                                     std::vector<double> weight, std::shared_ptr<const IndexEnhancedPools> pools,
                                     double initial_nav, Rng rng)
    : p_(p), account_(account), basket_(std::move(basket)), weight_(std::move(weight)), pools_(std::move(pools)),
      rng_(rng), units_(std::max(1.0, initial_nav)) {}

Fen IndexEnhancedFund::pending_total() const {
  Fen t = 0;
  for (const Pending& r : pending_) t += r.amount;
  return t;
}

double IndexEnhancedFund::pending_redemptions_yuan() const { return static_cast<double>(pending_total()) / 100.0; }

// Replaces about turnover_per_day of the basket's names with names from the same pool; a new
// name takes over the old one's weight. The stock picking: of pick_candidates random slots the
// name that looks dearest (latent value / price lowest) goes, and of pick_candidates random
// names from its pool the cheapest comes in (pick_candidates = 1: random picks, no skill).
void IndexEnhancedFund::rotate(const MarketView& view) {
  const Universe& u = *view.universe;
  const std::vector<double>& value = *view.fundamental_yuan;
  auto cheapness = [&](InstrumentId i) { return value[static_cast<std::size_t>(i)] * 100.0 / std::max<Tick>(1, view.quote(i).last); };
  const double expected = p_.turnover_per_day * static_cast<double>(basket_.size());
  int n = static_cast<int>(std::floor(expected));
  if (uniform01(rng_) < expected - n) ++n;
  if (basket_.empty()) return;
  boost::random::uniform_int_distribution<std::size_t> slot(0, basket_.size() - 1);
  const int tries = std::max(1, p_.pick_candidates);
  for (int r = 0; r < n; ++r) {
    std::size_t k = slot(rng_);
    for (int t = 1; t < tries; ++t) {
      const std::size_t other = slot(rng_);
      if (cheapness(basket_[other]) < cheapness(basket_[k])) k = other;
    }
    const InstrumentId old = basket_[k];
    const auto& pool = u.segment[static_cast<std::size_t>(old)] == Segment::Microcap ? pools_->microcaps : pools_->constituents;
    if (pool.size() <= 1) continue;
    boost::random::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
    InstrumentId best = -1;
    for (int attempt = 0, found = 0; attempt < 4 * tries && found < tries; ++attempt) {
      const InstrumentId candidate = pool[pick(rng_)];
      if (in_basket_[static_cast<std::size_t>(candidate)]) continue;
      ++found;
      if (best < 0 || cheapness(candidate) > cheapness(best)) best = candidate;
    }
    if (best < 0) continue;
    in_basket_[static_cast<std::size_t>(old)] = 0;
    in_basket_[static_cast<std::size_t>(best)] = 1;
    basket_[k] = best;
  }
}

// The day's targets, fixed at the first continuous step: redemption sales while redemptions are
// owed, else the rotated basket at its target weights.
void IndexEnhancedFund::plan_day(const MarketView& view) {
  work_.clear();
  const Account& acc = view.account(account_);
  const AccountValue val = value_account(view, acc);
  day_start_long_ = val.long_value;
  sold_today_ = 0;
  const Fen owed = pending_total();
  if (owed > 0) {
    state_ = AgentState::Redeeming;
    const double owed_yuan = static_cast<double>(owed) / 100.0;
    const double raise = owed_yuan + p_.cash_buffer * std::max(0.0, val.equity() - owed_yuan) - val.cash;
    if (raise <= 0 || val.long_value <= 0) return;
    const double fraction = std::min(1.0, raise / val.long_value);
    for (const StockPosition& pos : acc.stocks()) {
      if (pos.qty <= 0) continue;
      const Qty sell = std::min(pos.qty, static_cast<Qty>(std::ceil(static_cast<double>(pos.qty) * fraction)));
      if (sell > 0) work_.push_back(Work{static_cast<InstrumentId>(pos.stock), pos.qty - sell, OrderReason::Redemption});
    }
    return;
  }
  state_ = AgentState::Normal;
  rotate(view);
  const double investable = std::max(0.0, val.equity() * (1.0 - p_.cash_buffer));
  for (std::size_t k = 0; k < basket_.size(); ++k) {
    const InstrumentId i = basket_[k];
    const double price = view.quote(i).last / 100.0;
    if (price <= 0) continue;
    const double target_yuan = weight_[k] * investable;
    const Qty target = floor_lots(static_cast<Qty>(target_yuan / price));
    const Qty held = acc.holding(i);
    const bool off = std::abs(static_cast<double>(target - held)) * price > p_.rebalance_band * target_yuan;
    if (held == 0 ? target > 0 : off) work_.push_back(Work{i, target, OrderReason::Rebalance});
  }
  for (const StockPosition& pos : acc.stocks())   // names rotated out: sell them all
    if (pos.qty > 0 && !in_basket_[static_cast<std::size_t>(pos.stock)])
      work_.push_back(Work{static_cast<InstrumentId>(pos.stock), 0, OrderReason::Rebalance});
}

// One step of the day's work: each target is approached by an even slice of what is left over
// the day's remaining continuous steps (the last step sends all of it). Sells never exceed the
// sellable shares (T+1, and shares still in a sell being cancelled); buys never exceed free cash.
void IndexEnhancedFund::trade(const MarketView& view, OrderSink& out) {
  const Account& acc = view.account(account_);
  const int steps_left = std::max(1, view.clock->continuous_steps() - continuous_seen_ + 1);
  Fen cash = acc.available_cash();
  const double cap = view.rules.quant_sell_cap_per_day;
  double sell_room = cap >= 1.0 ? std::numeric_limits<double>::infinity() : cap * day_start_long_ - sold_today_;
  for (const Work& w : work_) {
    const Qty held = acc.holding(w.stock);
    const InstrumentQuote& q = view.quote(w.stock);
    if (held > w.target) {
      const Qty need = held - w.target;
      Qty slice = std::min({need, std::max<Qty>(100, ceil_lots(need / steps_left)), acc.sellable(w.stock)});
      const Tick base = q.best_bid != kNoPrice ? q.best_bid : q.last;
      const Tick price = std::clamp<Tick>(base - p_.aggressiveness_ticks, q.lower, q.upper);
      const double share_value = std::max<Tick>(price, q.last) / 100.0;   // what a fill can be worth, about
      if (sell_room < std::numeric_limits<double>::infinity())
        slice = std::min<Qty>(slice, static_cast<Qty>(std::max(0.0, std::floor(sell_room / share_value))));
      if (slice <= 0) continue;
      sell_room -= static_cast<double>(slice) * share_value;
      sent_.push_back(Sent{w.stock, out.limit(account_, w.stock, Side::Sell, price, slice, w.reason), slice, held, Side::Sell});
    } else if (held < w.target && w.reason == OrderReason::Rebalance) {
      const Qty need = floor_lots(w.target - held);
      const Tick base = q.best_ask != kNoPrice ? q.best_ask : q.last;
      const Tick price = std::clamp<Tick>(base + p_.aggressiveness_ticks, q.lower, q.upper);
      Qty slice = std::min(need, std::max<Qty>(100, ceil_lots(need / steps_left)));
      slice = std::min(slice, floor_lots(cash / std::max<Tick>(1, price)));
      if (slice <= 0) continue;
      cash -= static_cast<Fen>(price) * slice;
      sent_.push_back(Sent{w.stock, out.limit(account_, w.stock, Side::Buy, price, slice, w.reason), slice, held, Side::Buy});
    }
  }
}

void IndexEnhancedFund::decide(const MarketView& view, OrderSink& out) {
  if (in_basket_.empty()) {
    in_basket_.assign(static_cast<std::size_t>(view.stock_count), 0);
    for (InstrumentId i : basket_) in_basket_[static_cast<std::size_t>(i)] = 1;
  }
  if (index0_ <= 0) index0_ = view.hedged_index;
  // Last step's orders: what is not filled yet is cancelled (cancels reach the book first).
  const Account& acc = view.account(account_);
  for (const Sent& s : sent_) {
    const Qty filled = std::abs(acc.holding(s.stock) - s.holding_before);
    if (s.side == Side::Sell) sold_today_ += static_cast<double>(filled) * view.quote(s.stock).last / 100.0;
    if (filled < s.qty) out.cancel(account_, s.stock, s.id);
  }
  sent_.clear();
  if (view.phase != StepPhase::Continuous) return;
  if (view.day != day_) {
    day_ = view.day;
    continuous_seen_ = 0;
    plan_day(view);
  }
  ++continuous_seen_;
  trade(view, out);
}

void IndexEnhancedFund::end_of_day(const MarketView& view, OrderSink& out) {
  sent_.clear();   // day orders expired at the close
  const Account& acc = view.account(account_);
  const AccountValue val = value_account(view, acc);
  if (index0_ <= 0) index0_ = view.hedged_index;

  // Investors compare NAV per unit with the index, both from the start.
  const double nav = val.equity() - static_cast<double>(pending_total()) / 100.0;
  const double unit = units_ > 0 ? nav / units_ : 0.0;
  const double relative = index0_ > 0 && view.hedged_index > 0 ? unit / (view.hedged_index / index0_) : unit;
  peak_relative_ = std::max(peak_relative_, relative);
  last_drawdown_ = peak_relative_ > 0 ? 1.0 - relative / peak_relative_ : 0.0;
  peak_unit_ = std::max(peak_unit_, unit);
  const bool losing_day = unit < last_unit_;
  last_unit_ = unit;
  const double absolute_drawdown = this->absolute_drawdown();
  double share = 0;
  const char* why = "relative_drawdown";
  if (last_drawdown_ > p_.redemption_relative_drawdown) {
    share = p_.redemption_sensitivity * (last_drawdown_ - p_.redemption_relative_drawdown);
  }
  if (losing_day && absolute_drawdown > p_.redemption_absolute_drawdown) {
    const double absolute_share =
        p_.redemption_absolute_sensitivity * (absolute_drawdown - p_.redemption_absolute_drawdown);
    if (absolute_share > share) {
      share = absolute_share;
      why = "absolute_drawdown";
    }
  }
  share = std::min(p_.redemption_max_share, share);
  if (share > 0 && nav > 0 && unit > 0) {
    const Fen amount = static_cast<Fen>(std::floor(share * nav * 100.0));
    if (amount > 0) {
      units_ -= static_cast<double>(amount) / 100.0 / unit;
      pending_.push_back(Pending{view.day, view.day + p_.redemption_lag_days, amount});
      out.event(event_kind::redemption_requests, -1, p_.redemption_lag_days, static_cast<double>(amount) / 100.0, why);
    }
  }

  // Requests due by today are paid from free cash, oldest first.
  Fen free = acc.available_cash();
  std::size_t settled = 0;
  for (Pending& r : pending_) {
    if (r.due > view.day || free <= 0) break;
    const Fen pay = std::min(r.amount, free);
    out.pay_out(account_, pay, "redemption");
    free -= pay;
    r.amount -= pay;
    out.event(event_kind::redemption_payments, -1, r.requested, static_cast<double>(pay) / 100.0,
              r.amount == 0 ? "paid" : "partial");
    if (r.amount == 0) ++settled;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(settled));
  state_ = pending_.empty() ? AgentState::Normal : AgentState::Redeeming;
}

void IndexEnhancedFund::report(const MarketView& view, ClassMetrics& into) const {
  const AccountValue v = value_account(view, account_);
  add_account(into, v, v.equity(), v.equity() - static_cast<double>(pending_total()) / 100.0, state_);
}

AgentDayRow IndexEnhancedFund::day_row(const MarketView& view) const {
  const AccountValue v = value_account(view, account_);
  AgentDayRow r = account_day_row(v, v.equity(), v.equity() - static_cast<double>(pending_total()) / 100.0, state_);
  r.nav_per_unit = units_ > 0 ? r.nav / units_ : std::nan("");   // redemptions took units out at the day's NAV per unit
  return r;
}

namespace {

// The [index_enhanced] section: the funds' rules and how their capital is drawn.
struct IndexEnhancedSection {
  int count = 20;
  double capital_yuan_median = 2.5e7;
  double capital_dispersion = 0.5;
  IndexEnhancedParams fund;
};

ParamBinder<IndexEnhancedSection> section_binder() {
  using S = IndexEnhancedSection;
  using P = IndexEnhancedParams;
  ParamBinder<S> b{"index_enhanced"};
  b.bind(&S::count, "count", 0, 100000, "funds", "number of index-enhanced long-only funds");
  b.bind(&S::capital_yuan_median, "capital_yuan_median", 0, 1e13, "yuan",
         "median capital of a fund at the start (lognormal)");
  b.bind(&S::capital_dispersion, "capital_dispersion", 0, 5, "", "lognormal sigma of fund capitals");
  b.bind(path(&S::fund, &P::basket_size), "basket_size", 1, 20000, "stocks", "names held");
  b.bind(path(&S::fund, &P::microcap_tilt), "microcap_tilt", 0, 1, "share",
         "share of the book (and of the names) in microcaps; the rest in index constituents")
      .long_doc("share of the book (and of the names) in microcaps, equal-weighted; the rest in index constituents, "
                "cap-weighted");
  b.bind(path(&S::fund, &P::turnover_per_day), "turnover_per_day", 0, 1, "1/day",
         "share of the basket's names replaced each day");
  b.bind(path(&S::fund, &P::pick_candidates), "pick_candidates", 1, 1000, "stocks",
         "names compared by latent value / price for each name sold and each bought in the rotation (1 = random)")
      .long_doc("names compared by latent value / price for each name sold (the dearest goes) and each bought (the "
                "cheapest comes) in the rotation; 1 = random picks");
  b.bind(path(&S::fund, &P::rebalance_band), "rebalance_band", 0, 10, "share",
         "a holding is traded back to target when off by more than this share of its target");
  b.bind(path(&S::fund, &P::cash_buffer), "cash_buffer", 0, 1, "share", "share of NAV kept in cash");
  b.bind(path(&S::fund, &P::redemption_relative_drawdown), "redemption_relative_drawdown", 0, 1, "share",
         "drawdown of NAV per unit relative to the hedged index (from its running peak) beyond which investors redeem");
  b.bind(path(&S::fund, &P::redemption_sensitivity), "redemption_sensitivity", 0, 100, "",
         "share of NAV requested per day per unit of relative drawdown beyond the threshold");
  b.bind(path(&S::fund, &P::redemption_max_share), "redemption_max_share", 0, 1, "share",
         "largest share of NAV requested on one day");
  b.bind(path(&S::fund, &P::redemption_absolute_drawdown), "redemption_absolute_drawdown", 0, 1, "share",
         "drawdown of NAV per unit from its running peak beyond which a losing day brings redemption requests");
  b.bind(path(&S::fund, &P::redemption_absolute_sensitivity), "redemption_absolute_sensitivity", 0, 100, "",
         "share of NAV requested per losing day per unit of absolute drawdown beyond its threshold (0 = off)");
  b.bind(path(&S::fund, &P::redemption_lag_days), "redemption_lag_days", 0, 250, "trading days",
         "days from a redemption request (at a close) to its payment (at a close)");
  b.bind(path(&S::fund, &P::aggressiveness_ticks), "aggressiveness_ticks", 0, 10000, "ticks",
         "orders are priced this far through the best opposite quote (within the price band)");
  return b;
}

void populate(const IndexEnhancedSection& sec, const Scenario&, WorldSetup& setup) {
  const int count = sec.count;
  if (count == 0) return;
  const IndexEnhancedParams& p = sec.fund;
  const double capital_median = sec.capital_yuan_median;
  const double dispersion = sec.capital_dispersion;

  const Universe& u = setup.universe();
  auto pools = std::make_shared<IndexEnhancedPools>();
  for (int i = 0; i < u.size(); ++i) {
    if (u.segment[static_cast<std::size_t>(i)] == Segment::Microcap) pools->microcaps.push_back(i);
    if (u.segment[static_cast<std::size_t>(i)] == Segment::Constituent) pools->constituents.push_back(i);
  }
  const int n_micro_pool = static_cast<int>(pools->microcaps.size());
  const int n_cons_pool = static_cast<int>(pools->constituents.size());

  std::vector<InstrumentId> scratch;
  for (int f = 0; f < count; ++f) {
    const AgentId id = setup.next_agent_id();
    // Keyed by the fund's ordinal, not its agent id: other kinds coming or going leave the funds alone.
    Rng rng = make_stream(setup.seed(), "index_enhanced", static_cast<std::uint64_t>(f));
    const double capital = capital_median * std::exp(dispersion * boost::random::normal_distribution<double>(0.0, 1.0)(rng));

    // Basket: microcap_tilt of the names (and of the book) in microcaps, equal-weighted; the
    // rest in constituents, weighted by market cap like the benchmark.
    int n_micro = std::min(n_micro_pool, static_cast<int>(std::lround(p.basket_size * p.microcap_tilt)));
    int n_cons = std::min(n_cons_pool, p.basket_size - n_micro);
    if (n_micro == 0 && n_cons == 0) n_micro = std::min(n_micro_pool, 1);
    auto draw = [&](const std::vector<InstrumentId>& pool, int k, std::vector<InstrumentId>& into) {
      scratch = pool;   // partial Fisher-Yates: k distinct names
      for (int j = 0; j < k; ++j) {
        boost::random::uniform_int_distribution<std::size_t> pick(static_cast<std::size_t>(j), scratch.size() - 1);
        std::swap(scratch[static_cast<std::size_t>(j)], scratch[pick(rng)]);
        into.push_back(scratch[static_cast<std::size_t>(j)]);
      }
    };
    std::vector<InstrumentId> basket;
    draw(pools->microcaps, n_micro, basket);
    draw(pools->constituents, n_cons, basket);
    if (basket.empty()) continue;
    double micro_share = n_micro > 0 ? (n_cons > 0 ? p.microcap_tilt : 1.0) : 0.0;
    double cons_cap = 0;
    for (int j = n_micro; j < n_micro + n_cons; ++j) cons_cap += u.first_market_cap_yuan(basket[static_cast<std::size_t>(j)]);
    std::vector<double> weight(basket.size());
    for (int j = 0; j < n_micro + n_cons; ++j)
      weight[static_cast<std::size_t>(j)] =
          j < n_micro ? micro_share / n_micro
                      : (1.0 - micro_share) * u.first_market_cap_yuan(basket[static_cast<std::size_t>(j)]) / cons_cap;

    const Fen cash = static_cast<Fen>(std::llround(capital * p.cash_buffer * 100.0));
    const AccountId acc = setup.open_account(id, cash);
    double nav = static_cast<double>(cash) / 100.0;
    for (std::size_t j = 0; j < basket.size(); ++j) {
      const double price = u.first_price[static_cast<std::size_t>(basket[j])] / 100.0;
      const Qty granted = setup.grant_shares(acc, basket[j], static_cast<Qty>(weight[j] * capital * (1.0 - p.cash_buffer) / price));
      nav += static_cast<double>(granted) * price;
    }
    setup.add_agent(std::make_unique<IndexEnhancedFund>(p, acc, std::move(basket), std::move(weight), pools, nav, rng));
  }
}

}  // namespace

AgentKind index_enhanced_kind() { return bound_agent_kind(section_binder(), populate, {kIndexEnhancedClass}); }

}  // namespace stampede
