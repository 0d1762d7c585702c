#include "agents/margin_investors.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <limits>

#include "agents/stock_picker.hpp"
#include "sim/engine/valuation.hpp"

namespace stampede {

MarginInvestors::MarginInvestors(const MarginInvestorParams& p, AccountId first_account, std::vector<Fen> loans,
                                 AccountId broker_account)
    : p_(p), first_account_(first_account), broker_account_(broker_account), loan_(std::move(loans)),
      state_(loan_.size(), static_cast<std::uint8_t>(MarginState::Normal)), call_left_(loan_.size(), 0) {}

namespace {
// Cash that would repay the loan now (what is not reserved for resting buys: these investors buy nothing).
Fen repayable(const Account& a, Fen loan) { return std::min(loan, std::max<Fen>(0, a.cash - a.reserved_cash)); }
}   // namespace

MarginInvestors::Collateral MarginInvestors::collateral(const MarketView& view, int investor) const {
  const Fen loan = loan_[static_cast<std::size_t>(investor)];
  const Account& a = view.account(account(investor));
  const Fen repay = repayable(a, loan);
  return {value_account(view, a).equity() - static_cast<double>(repay) / 100.0,
          static_cast<double>(loan - repay) / 100.0};
}

double MarginInvestors::collateral_ratio(const MarketView& view, int investor) const {
  const Collateral c = collateral(view, investor);
  return c.debt > 0 ? c.assets / c.debt : std::numeric_limits<double>::infinity();
}

// Selling s yuan of stock and repaying with it takes (A, D) to (A - s, D - s): the ratio reaches
// the safe line r at s = (r D - A) / (r - 1).
double MarginInvestors::shortfall_to_safe(const MarketView& view, int investor) const {
  const Collateral c = collateral(view, investor);
  if (c.debt <= 0) return 0;
  return std::max(0.0, (p_.safe_ratio * c.debt - c.assets) / std::max(1e-9, p_.safe_ratio - 1.0));
}

void MarginInvestors::decide(const MarketView& view, OrderSink& out) {
  if (view.day != day_) {
    day_ = view.day;
    continuous_seen_ = 0;
    resting_.clear();   // day orders: yesterday's are gone
    // Yesterday's sale proceeds repay the loan (the broker takes them first).
    for (int i = 0; i < size(); ++i) {
      Fen& loan = loan_[static_cast<std::size_t>(i)];
      if (loan <= 0) continue;
      const Fen repay = repayable(view.account(account(i)), loan);
      if (repay <= 0) continue;
      out.transfer(account(i), broker_account_, repay, "margin_loan_repayment");
      loan -= repay;
    }
  }
  if (view.phase != StepPhase::Continuous || forced_.empty()) return;
  if (continuous_seen_++ % std::max(1, p_.every_steps) != 0) return;
  for (const Resting& r : resting_) out.cancel(account(r.investor), r.stock, r.id);
  resting_.clear();
  for (std::int32_t i : forced_)
    if (static_cast<MarginState>(state_[static_cast<std::size_t>(i)]) == MarginState::Forced) sell_round(view, out, i);
}

// One round of the broker's sale: a slice of every sellable holding, no more in all than what
// brings the ratio back to the safe line at last prices.
void MarginInvestors::sell_round(const MarketView& view, OrderSink& out, int investor) {
  double left = shortfall_to_safe(view, investor);
  if (left <= 0) {
    state_[static_cast<std::size_t>(investor)] = static_cast<std::uint8_t>(MarginState::Normal);
    out.event(event_kind::margin_calls, -1, investor, collateral_ratio(view, investor), "margin_investor_restored");
    return;
  }
  const AccountId acc = account(investor);
  for (const StockPosition& pos : view.account(acc).stocks()) {
    if (pos.sellable <= 0 || left <= 0) continue;
    const InstrumentQuote& q = view.quote(pos.stock);
    const Tick price = q.best_bid != kNoPrice ? std::max(q.lower, q.best_bid - p_.aggressiveness_ticks) : q.lower;
    if (price <= 0) continue;
    const double price_yuan = static_cast<double>(price) / 100.0;
    // The round's slice, at most what is left to sell (both at least a lot); whole lots unless it is all.
    const Qty slice = std::max<Qty>(100, static_cast<Qty>(std::ceil(p_.pace * static_cast<double>(pos.sellable))));
    const Qty to_safe = static_cast<Qty>(std::ceil(left / price_yuan / 100.0)) * 100;
    const Qty want = std::min(slice, to_safe);
    const Qty qty = want >= pos.sellable ? pos.sellable : want / 100 * 100;
    left -= static_cast<double>(qty) * price_yuan;
    resting_.push_back({investor, static_cast<InstrumentId>(pos.stock),
                        out.limit(acc, pos.stock, Side::Sell, price, qty, OrderReason::MarginCall)});
  }
}

// The broker's check at the close.
void MarginInvestors::end_of_day(const MarketView& view, OrderSink& out) {
  forced_.clear();
  for (int i = 0; i < size(); ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    if (loan_[k] <= 0) {
      state_[k] = static_cast<std::uint8_t>(MarginState::Normal);
      continue;
    }
    const double ratio = collateral_ratio(view, i);
    auto state = static_cast<MarginState>(state_[k]);
    if (ratio <= p_.forced_ratio) {
      if (state != MarginState::Forced) out.event(event_kind::margin_calls, -1, i, ratio, "margin_investor_forced");
      state = MarginState::Forced;
    } else if (ratio < p_.maintenance_ratio) {
      if (state == MarginState::Normal) {
        state = MarginState::Called;
        call_left_[k] = p_.call_days;
        out.event(event_kind::margin_calls, -1, i, ratio, "margin_investor_called");
      } else if (state == MarginState::Called && --call_left_[k] <= 0) {
        state = MarginState::Forced;
        out.event(event_kind::margin_calls, -1, i, ratio, "margin_investor_forced");
      }
    } else if (state == MarginState::Called) {
      state = MarginState::Normal;   // prices came back: the call is met
    }
    state_[k] = static_cast<std::uint8_t>(state);
    if (state == MarginState::Forced) forced_.push_back(i);
  }
}

void MarginInvestors::census(const MarketView& view) const {
  census_shares_.assign(static_cast<std::size_t>(view.stock_count), 0);
  census_cash_ = census_loan_ = 0;
  census_called_ = census_forced_ = 0;
  for (int i = 0; i < size(); ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    const Account& a = view.account(account(i));
    census_cash_ += a.cash;
    census_loan_ += loan_[k];
    for (const StockPosition& p : a.stocks()) census_shares_[static_cast<std::size_t>(p.stock)] += p.qty;
    census_called_ += static_cast<MarginState>(state_[k]) == MarginState::Called;
    census_forced_ += static_cast<MarginState>(state_[k]) == MarginState::Forced;
  }
  census_step_ = view.step;
  census_day_ = view.day;
}

// The class totals: equity is net of the loans; nav is that equity, floored at zero in all.
void MarginInvestors::report(const MarketView& view, ClassMetrics& into) const {
  if (size() == 0) return;
  if (census_step_ < 0 || view.day != census_day_ || view.step - census_step_ >= kCensusEverySteps) census(view);
  double gross = 0;
  for (std::size_t i = 0; i < census_shares_.size(); ++i)
    if (census_shares_[i] != 0)
      gross += static_cast<double>(census_shares_[i]) * view.quote(static_cast<InstrumentId>(i)).last / 100.0;
  const double cash = static_cast<double>(census_cash_) / 100.0;
  const double equity = cash + gross - static_cast<double>(census_loan_) / 100.0;
  into.cash += cash;
  into.gross_long += gross;
  into.equity += equity;
  into.nav += std::max(0.0, equity);
  into.accounts += size();
  into.in_margin_call += census_called_;
  into.liquidating += census_forced_;
}

namespace {

// The [margin_investors] section: the broker's lines and how the investors are endowed.
struct MarginInvestorsSection {
  int count = 0;
  double holdings_yuan_median = 1.0e6;
  double holdings_dispersion = 1.0;
  double start_ratio_min = 1.6;
  double start_ratio_max = 3.0;
  int stocks_held = 3;
  double cap_weight_exponent = 0.5;
  bool large_caps = false;
  MarginInvestorParams investor;
};

ParamBinder<MarginInvestorsSection> section_binder() {
  using S = MarginInvestorsSection;
  using P = MarginInvestorParams;
  auto investor = [](auto member) { return path(&S::investor, member); };
  ParamBinder<S> b{"margin_investors"};
  b.bind(&S::count, "count", 0, 10000000, "investors",
         "number of retail margin-financing accounts (0 = none: the section adds nothing to the run)");
  b.bind(&S::holdings_yuan_median, "holdings_yuan_median", 0, 1e13, "yuan",
         "median value of an investor's stocks at the start (lognormal), bought partly on the broker's loan");
  b.bind(&S::holdings_dispersion, "holdings_dispersion", 0, 5, "", "lognormal sigma of the investors' holdings");
  b.bind(&S::start_ratio_min, "start_ratio_min", 1, 100, "",
         "lowest collateral ratio (stocks / loan) an investor starts at; each draws uniformly within [min, max]")
      .long_doc(
          "lowest collateral ratio (stocks / loan) an investor starts at; each draws its own uniformly within "
          "[`start_ratio_min`, `start_ratio_max`] (2 = half the stocks bought on credit, the most the rules "
          "allow at purchase; the spread stands for when and at what price each bought)");
  b.bind(&S::start_ratio_max, "start_ratio_max", 1, 100, "", "highest collateral ratio an investor starts at");
  b.bind(&S::stocks_held, "stocks_held", 1, 100, "stocks", "distinct stocks an investor holds (equal yuan)");
  b.bind(&S::cap_weight_exponent, "cap_weight_exponent", 0, 2, "",
         "holdings are picked with probability proportional to (market cap)^this");
  b.bind(&S::large_caps, "large_caps", "", "investors may hold large caps too (else small caps and index members)");
  b.bind(investor(&P::maintenance_ratio), "maintenance_ratio", 1, 100, "",
         "collateral ratio (cash + stocks) / loan below which a close calls the investor (the rules' 130%)");
  b.bind(investor(&P::forced_ratio), "forced_ratio", 0, 100, "",
         "a close at or below this ratio sends the broker selling from the next open, without waiting");
  b.bind(investor(&P::safe_ratio), "safe_ratio", 1.01, 100, "",
         "the broker's forced sale stops once the ratio at last prices is back at this");
  b.bind(investor(&P::call_days), "call_days", 0, 100, "closes",
         "closes a called investor has to restore the ratio before the broker sells");
  b.bind(investor(&P::pace), "pace", 0.001, 1, "", "share of each sellable holding the broker offers per sale round");
  b.bind(investor(&P::every_steps), "every_steps", 1, 100000, "steps", "continuous steps between sale rounds");
  b.bind(investor(&P::aggressiveness_ticks), "aggressiveness_ticks", 0, 100000, "ticks",
         "forced sales are priced this far below the best bid (never below limit-down)");
  return b;
}

void populate(const MarginInvestorsSection& sec, const Scenario&, WorldSetup& setup) {
  if (sec.count == 0) return;
  if (sec.start_ratio_max < sec.start_ratio_min)
    throw ScenarioError({"margin_investors.start_ratio_max (" + std::to_string(sec.start_ratio_max) +
                         ") must be at least margin_investors.start_ratio_min (" + std::to_string(sec.start_ratio_min) +
                         ")"});
  const Universe& u = setup.universe();
  const AgentId id = setup.next_agent_id();
  Rng rng = make_stream(setup.seed(), "margin_investors", static_cast<std::uint64_t>(id));
  const StockPicker picker(u, sec.cap_weight_exponent);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  boost::random::uniform_real_distribution<double> ratio(sec.start_ratio_min, sec.start_ratio_max);
  const AccountId broker = setup.open_account(id, 0);
  AccountId first = kNoAccount;
  std::vector<Fen> loans;
  loans.reserve(static_cast<std::size_t>(sec.count));
  for (int k = 0; k < sec.count; ++k) {
    const AccountId acc = setup.open_account(id, 0);
    if (k == 0) first = acc;
    const double holdings = sec.holdings_yuan_median * std::exp(sec.holdings_dispersion * normal(rng));
    const double start_ratio = ratio(rng);
    double granted = 0;
    for (int h = 0; h < sec.stocks_held; ++h) {
      int stock = picker.pick(rng, u.size());
      for (int tries = 0;
           tries < 64 && !sec.large_caps && u.segment[static_cast<std::size_t>(stock)] == Segment::LargeCap; ++tries)
        stock = picker.pick(rng, u.size());
      const double price = static_cast<double>(u.first_price[static_cast<std::size_t>(stock)]) / 100.0;
      const Qty want = static_cast<Qty>(holdings / sec.stocks_held / price / 100.0) * 100;
      granted += static_cast<double>(setup.grant_shares(acc, stock, want)) * price;
    }
    loans.push_back(static_cast<Fen>(std::llround(granted / start_ratio * 100.0)));
  }
  setup.add_agent(std::make_unique<MarginInvestors>(sec.investor, first, std::move(loans), broker));
}

}   // namespace

AgentKind margin_investors_kind() { return bound_agent_kind(section_binder(), populate, {kMarginInvestorClass}); }

}   // namespace stampede
