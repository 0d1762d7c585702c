#include "agents/value_investor.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>

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
  const AccountValue v = value_account(view, account_);
  into.cash += v.cash;
  into.gross_long += v.long_value;
  into.equity += v.equity();
  into.nav += v.equity();
  into.accounts += 1;
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

const SectionSpec spec{"value_investors"};

void populate(const Scenario& s, WorldSetup& setup) {
  const int count = static_cast<int>(s.get_int("value_investors.count"));
  if (count == 0) return;
  ValueInvestorParams p;
  p.entry_discount = s.get_float("value_investors.entry_discount");
  p.exit_discount = s.get_float("value_investors.exit_discount");
  p.max_position_share = s.get_float("value_investors.max_position_share");
  p.daily_budget_share = s.get_float("value_investors.daily_budget_share");
  p.order_share = s.get_float("value_investors.order_share");
  p.candidates = static_cast<int>(s.get_int("value_investors.candidates"));
  p.every_steps = static_cast<int>(s.get_int("value_investors.every_steps"));
  p.aggressiveness_ticks = static_cast<int>(s.get_int("value_investors.aggressiveness_ticks"));
  p.microcaps_only = s.get_bool("value_investors.microcaps_only");
  const double median = s.get_float("value_investors.capital_yuan_median");
  const double dispersion = s.get_float("value_investors.capital_dispersion");
  const double error_sd = s.get_float("value_investors.estimate_noise");

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

AgentKind value_investors_kind() {
  using T = ParamType;
  constexpr double kInf1 = std::numeric_limits<double>::infinity(), kInf0 = -kInf1;
  return AgentKind{
      "value_investors",
      {
          spec("count", T::Int, std::int64_t{0}, 0, 100000, "funds", "number of value investors (slow-moving long-only capital)"),
          spec("capital_yuan_median", T::Float, 2.0e8, 0, 1e13, "yuan", "median capital of a fund at the start (lognormal), all in cash"),
          spec("capital_dispersion", T::Float, 0.5, 0, 5, "", "lognormal sigma of fund capitals"),
          spec("estimate_noise", T::Float, 0.05, 0, 1, "", "standard deviation of each fund's persistent relative error in its value estimate of each stock"),
          spec("entry_discount", T::Float, 0.15, 0, 10, "", "buy when estimated value / best ask - 1 exceeds this"),
          spec("exit_discount", T::Float, 0.0, -1, 10, "", "sell a holding when estimated value / best bid - 1 falls below this"),
          spec("max_position_share", T::Float, 0.04, 0, 1, "", "largest holding of one stock, as a share of starting capital"),
          spec("daily_budget_share", T::Float, 0.1, 0, 1, "1/day", "most committed to buy orders per day, as a share of starting capital (slow-moving capital)"),
          spec("order_share", T::Float, 0.01, 0, 1, "", "size of one buy order, as a share of starting capital"),
          spec("candidates", T::Int, std::int64_t{10}, 1, 100000, "stocks", "random stocks looked at per round"),
          spec("every_steps", T::Int, std::int64_t{10}, 1, 100000, "steps", "continuous steps between rounds (funds are staggered)"),
          spec("aggressiveness_ticks", T::Int, std::int64_t{1}, 0, 10000, "ticks", "orders are priced this far through the best opposite quote (within the price band)"),
          spec("microcaps_only", T::Bool, true, kInf0, kInf1, "", "look only at microcaps (else at every stock)"),
      },
      populate};
}

}  // namespace stampede
