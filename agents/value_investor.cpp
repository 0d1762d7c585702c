#include "agents/value_investor.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>

#include "sim/engine/valuation.hpp"
#include "sim/scenario/scenario.hpp"

namespace stampede {

ValueInvestor::ValueInvestor(const ValueInvestorParams& p, AccountId account, Fen capital,
                             std::vector<InstrumentId> universe, std::vector<float> estimate_error, int phase, Rng rng)
    : p_(p), account_(account), capital_(capital), universe_(std::move(universe)),
      estimate_error_(std::move(estimate_error)), phase_(phase), rng_(rng) {
  resting_.reserve(static_cast<std::size_t>(p_.candidates) + 64);
}

void ValueInvestor::report(const MarketView& view, ClassMetrics& into) const {
  add_account(into, value_account(view, account_));
}

double ValueInvestor::value_ticks(const MarketView& view, InstrumentId stock) const {
  const auto i = static_cast<std::size_t>(stock);
  return (*view.fundamental_yuan)[i] * 100.0 * (1.0 + static_cast<double>(estimate_error_[i]));
}

void ValueInvestor::decide(const MarketView& view, OrderSink& out) {
  if (view.day != day_) {
    day_ = view.day;
    committed_today_ = 0;
    continuous_seen_ = 0;
    resting_.clear();   // day orders: yesterday's are gone
  }
  if (view.phase != StepPhase::Continuous || universe_.empty()) return;
  if (continuous_seen_++ % std::max(1, p_.every_steps) != phase_ % std::max(1, p_.every_steps)) return;
  for (const Resting& r : resting_) out.cancel(account_, r.stock, r.id);
  resting_.clear();
  sell_round(view, out);
  buy_round(view, out);
}

// Holdings whose price has caught up with the estimate are sold (what T+1 allows).
void ValueInvestor::sell_round(const MarketView& view, OrderSink& out) {
  for (const StockPosition& pos : view.account(account_).stocks()) {
    if (pos.sellable <= 0) continue;
    const InstrumentQuote& q = view.quote(pos.stock);
    if (q.best_bid == kNoPrice) continue;
    if (value_ticks(view, pos.stock) / static_cast<double>(q.best_bid) - 1.0 >= p_.exit_discount) continue;
    const Tick price = std::max(q.lower, q.best_bid - p_.aggressiveness_ticks);
    resting_.push_back(
        {static_cast<InstrumentId>(pos.stock), out.limit(account_, pos.stock, Side::Sell, price, pos.sellable, OrderReason::Voluntary)});
  }
}

// A few random stocks (drawn with replacement); those far enough below the estimate get one order
// each, within the day's budget, the position limit and the cash at hand.
void ValueInvestor::buy_round(const MarketView& view, OrderSink& out) {
  const Fen day_budget = static_cast<Fen>(p_.daily_budget_share * static_cast<double>(capital_));
  const Fen order_fen = std::max<Fen>(1, static_cast<Fen>(p_.order_share * static_cast<double>(capital_)));
  const Fen position_cap = static_cast<Fen>(p_.max_position_share * static_cast<double>(capital_));
  Fen cash = view.account(account_).available_cash();
  boost::random::uniform_int_distribution<std::size_t> pick(0, universe_.size() - 1);
  for (int c = 0; c < p_.candidates; ++c) {
    const InstrumentId stock = universe_[pick(rng_)];
    // One order per stock and round: a stock drawn twice would get a second order sized on the same
    // holding, past the position limit.
    if (std::any_of(resting_.begin(), resting_.end(), [stock](const Resting& r) { return r.stock == stock; })) continue;
    const InstrumentQuote& q = view.quote(stock);
    const Tick ask = q.best_ask != kNoPrice ? q.best_ask : q.last;
    if (ask == kNoPrice || ask <= 0) continue;
    if (value_ticks(view, stock) / static_cast<double>(ask) - 1.0 <= p_.entry_discount) continue;
    const Tick price = std::min(q.upper, ask + p_.aggressiveness_ticks);
    const Fen held = static_cast<Fen>(view.account(account_).holding(stock)) * q.last;
    const Fen room = std::min({order_fen, position_cap - held, day_budget - committed_today_, cash});
    const Qty lots = room > 0 ? room / (static_cast<Fen>(price) * 100) : 0;
    if (lots <= 0) continue;
    const Fen cost = static_cast<Fen>(price) * lots * 100;
    committed_today_ += cost;
    cash -= cost;
    resting_.push_back({stock, out.limit(account_, stock, Side::Buy, price, lots * 100, OrderReason::Voluntary)});
  }
}

namespace {

// The [value_investors] section: the funds' rules and how their capital and estimates are drawn.
struct ValueInvestorsSection {
  int count = 0;
  double capital_yuan_median = 2.0e8;
  double capital_dispersion = 0.5;
  double estimate_noise = 0.05;
  ValueInvestorParams fund;
};

ParamBinder<ValueInvestorsSection> section_binder() {
  using S = ValueInvestorsSection;
  using P = ValueInvestorParams;
  ParamBinder<S> b{"value_investors"};
  b.bind(&S::count, "count", 0, 100000, "funds", "number of value investors (slow-moving long-only capital)")
      .long_doc("number of value investors");
  b.bind(&S::capital_yuan_median, "capital_yuan_median", 0, 1e13, "yuan",
         "median capital of a fund at the start (lognormal), all in cash");
  b.bind(&S::capital_dispersion, "capital_dispersion", 0, 5, "", "lognormal sigma of fund capitals");
  b.bind(&S::estimate_noise, "estimate_noise", 0, 1, "",
         "standard deviation of each fund's persistent relative error in its value estimate of each stock");
  b.bind(path(&S::fund, &P::entry_discount), "entry_discount", 0, 10, "",
         "buy when estimated value / best ask - 1 exceeds this");
  b.bind(path(&S::fund, &P::exit_discount), "exit_discount", -1, 10, "",
         "sell a holding when estimated value / best bid - 1 falls below this");
  b.bind(path(&S::fund, &P::max_position_share), "max_position_share", 0, 1, "",
         "largest holding of one stock, as a share of starting capital");
  b.bind(path(&S::fund, &P::daily_budget_share), "daily_budget_share", 0, 1, "1/day",
         "most committed to buy orders per day, as a share of starting capital (slow-moving capital)")
      .long_doc("most committed to buy orders per day, as a share of starting capital");
  b.bind(path(&S::fund, &P::order_share), "order_share", 0, 1, "",
         "size of one buy order, as a share of starting capital");
  b.bind(path(&S::fund, &P::candidates), "candidates", 1, 100000, "stocks", "random stocks looked at per round");
  b.bind(path(&S::fund, &P::every_steps), "every_steps", 1, 100000, "steps",
         "continuous steps between rounds (funds are staggered)");
  b.bind(path(&S::fund, &P::aggressiveness_ticks), "aggressiveness_ticks", 0, 10000, "ticks",
         "orders are priced this far through the best opposite quote (within the price band)");
  b.bind(path(&S::fund, &P::microcaps_only), "microcaps_only", "", "look only at microcaps (else at every stock)");
  return b;
}

void populate(const ValueInvestorsSection& sec, const Scenario&, WorldSetup& setup) {
  const int count = sec.count;
  if (count == 0) return;
  const ValueInvestorParams& p = sec.fund;
  const double median = sec.capital_yuan_median;
  const double dispersion = sec.capital_dispersion;
  const double error_sd = sec.estimate_noise;

  const Universe& u = setup.universe();
  std::vector<InstrumentId> universe;
  for (int i = 0; i < u.size(); ++i)
    if (!p.microcaps_only || u.segment[static_cast<std::size_t>(i)] == Segment::Microcap) universe.push_back(i);
  for (int k = 0; k < count; ++k) {
    const AgentId id = setup.next_agent_id();
    Rng rng = make_stream(setup.seed(), "agent", static_cast<std::uint64_t>(id));
    boost::random::normal_distribution<double> normal(0.0, 1.0);
    const Fen capital = static_cast<Fen>(std::llround(median * std::exp(dispersion * normal(rng)) * 100.0));
    std::vector<float> error(static_cast<std::size_t>(u.size()));
    for (float& e : error) e = static_cast<float>(std::clamp(error_sd * normal(rng), -0.9, 0.9));
    const AccountId acc = setup.open_account(id, capital);
    setup.add_agent(std::make_unique<ValueInvestor>(p, acc, capital, universe, std::move(error), k, rng));
  }
}

}  // namespace

AgentKind value_investors_kind() { return bound_agent_kind(section_binder(), populate, {kValueInvestorClass}); }

}  // namespace stampede
