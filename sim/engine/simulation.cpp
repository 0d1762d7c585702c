#include "sim/engine/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "sim/core/parallel.hpp"
#include "sim/engine/market_driver.hpp"
#include "sim/scenario/core_params.hpp"

namespace stampede {

Simulation::Simulation(const Scenario& s, const AgentRegistry& registry)
    : seed_(static_cast<std::uint64_t>(s.get_int("seed"))),
      record_step_prices_(s.get_bool("output.record_step_prices")),
      microcap_rebalance_days_(static_cast<int>(s.get_int("indices.microcap_rebalance_days"))),
      rule_schedule_{static_cast<int>(s.get_int("regulator.sell_cap_from_day")),
                     static_cast<int>(s.get_int("regulator.dma_ban_from_day")),
                     static_cast<int>(s.get_int("regulator.dma_leverage_cap_from_day")),
                     s.get_float("regulator.sell_cap_fraction_per_day"), s.get_float("regulator.dma_leverage_cap")},
      universe_(make_universe(universe_binder().load(s), seed_)),
      clock_(static_cast<int>(s.get_int("session.step_minutes"))),
      calendar_(scenario_calendar(s)),
      fundamentals_(universe_, factor_binder().load(s), seed_),
      hedged_(universe_, s.get_float("indices.hedged_base")),
      futures_(futures_binder().load(s), calendar_),
      market_driver_(load_market_driver(s, calendar_)) {
  if (market_driver_) {
    double minutes = 0;
    for (int k = 0; k < clock_.steps_per_day(); ++k)
      if (clock_.step(k).phase == StepPhase::Continuous) minutes += clock_.step(k).length;
    fundamentals_.drive_market(market_driver_->log_return, minutes);
  }
  const int n = universe_.size();
  const int instruments = n + kFuturesSlots;
  books_.reserve(instruments);
  for (int i = 0; i < n; ++i) books_.emplace_back(BookRules{100});
  for (int k = 0; k < kFuturesSlots; ++k) books_.emplace_back(BookRules{1});

  stock_day_.resize(n);
  index_price_ = universe_.first_price;
  for (int i = 0; i < n; ++i) stock_day_[i].prev_close = universe_.first_price[i];
  hedged_level_ = hedged_prev_close_ = hedged_.level(index_price_);
  microcap_ = std::make_unique<MicrocapIndex>(universe_, s.get_float("indices.microcap_base"),
                                              static_cast<int>(s.get_int("indices.microcap_members")), index_price_);
  microcap_level_ = microcap_prev_close_ = microcap_->level(index_price_);
  futures_.list_initial(calendar_.date(0), hedged_level_);

  // Every share starts with the passive float, the holders who never trade; agents' initial
  // holdings are taken from it, so shares outstanding stay exactly constant.
  float_account_ = accounts_.open(-1, 0);
  if (n >= kMaxPositionStocks) throw std::invalid_argument("too many stocks for an account position (limit 2^23)");
  for (int i = 0; i < n; ++i) {
    if (universe_.shares_outstanding[static_cast<std::size_t>(i)] >= kMaxPositionShares)
      throw std::invalid_argument("stock " + universe_.name[static_cast<std::size_t>(i)] +
                                  ": shares outstanding above 2^51 (market cap too large for its price)");
    StockPosition& p = accounts_.position(float_account_, i);
    p.qty = p.sellable = universe_.shares_outstanding[i];
  }
  WorldSetup setup(universe_, accounts_, float_account_, seed_, agents_, agent_kinds_);
  registry.populate(s, setup);
  initial_cash_ = accounts_.total_cash();
  refresh_futures_margin(accounts_, futures_.margins_per_contract());

  for (const std::string& k : agent_kinds_) {
    auto it = std::find(class_names_.begin(), class_names_.end(), k);
    agent_class_.push_back(static_cast<int>(it - class_names_.begin()));
    if (it == class_names_.end()) class_names_.push_back(k);
  }
  for (const std::string& c : class_names_) {
    std::string section;
    const AgentClassInfo* info = registry.find_class(c, &section);
    class_info_.push_back(info != nullptr ? AgentClassRow{c, info->label, section, info->doc}
                                          : AgentClassRow{c, c, "", ""});
  }
  for (const auto& a : agents_)
    if (a->reports_daily()) daily_agents_.push_back(a->id());
  agent_outboxes_.resize(agents_.size());
  agent_metrics_.resize(agents_.size());
  class_metrics_.resize(class_names_.size());
  day_flows_.resize(class_names_.size() * 3);
  for (auto& v : day_class_volume_) v.assign(class_names_.size() * static_cast<std::size_t>(n), 0);
  agent_orders_.resize(agents_.size());
  agent_sequence_.assign(agents_.size(), 0);
  agent_rejects_.resize(agents_.size());
  agent_reject_count_.assign(agents_.size(), 0);
  agent_releases_in_match_.assign(agents_.size(), 0);
  for (std::size_t a = 0; a < agents_.size(); ++a) {
    agent_in_order_.push_back(agents_[a]->decides_in_order());
    agent_regulated_.push_back(agents_[a]->regulated_as());
    if (agent_in_order_.back()) in_order_agents_.push_back(a);
  }
  quotes_.resize(instruments);
  stock_last_.assign(static_cast<std::size_t>(n), kNoPrice);
  routed_start_.assign(static_cast<std::size_t>(instruments) + 1, 0);
  route_slots_.assign(kRouteGroups * static_cast<std::size_t>(instruments), 0);
  trades_.resize(instruments);
  releases_.resize(instruments);
  book_rejects_.resize(instruments);
  day_band_.assign(static_cast<std::size_t>(instruments), {kNoPrice, kNoPrice});
  if (record_step_prices_) step_frame_.last_price.resize(n);
  build_view();
  init_liquidity_record(s.get_int("output.liquidity_stocks_per_segment"));
}

Simulation::~Simulation() = default;

namespace {
// Adds the time since the previous lap to a phase's total; does nothing without totals.
class PhaseClock {
 public:
  explicit PhaseClock(std::array<double, Simulation::kPhases>* totals) : totals_(totals) {
    if (totals_) last_ = std::chrono::steady_clock::now();
  }
  void lap(std::size_t phase) {
    if (!totals_) return;
    const auto now = std::chrono::steady_clock::now();
    (*totals_)[phase] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  std::array<double, Simulation::kPhases>* totals_;
  std::chrono::steady_clock::time_point last_;
};
}  // namespace

bool Simulation::step() {
  if (finished()) throw std::logic_error("Simulation::step after the last day");
  PhaseClock phases(phase_timing_ ? &phase_seconds_ : nullptr);
  if (step_in_day_ == 0) {
    begin_day();
    phases.lap(7);
  }
  const IntradayStep& st = clock_.step(step_in_day_);
  if (st.phase == StepPhase::ClosingAuction)
    for (OrderBook& b : books_) b.set_phase(BookPhase::CallAuction);
  if (st.phase == StepPhase::Continuous) fundamentals_.advance(st.length, day_);

  build_view();
  // The base of NAV per unit for agents without units: their NAV at the first open, valued at the
  // previous closes (before the open the view has no prices yet). day_row only reads.
  if (global_step_ == 0)
    for (AgentId id : daily_agents_) daily_start_nav_.push_back(agents_[static_cast<std::size_t>(id)]->day_row(view_).nav);
  decide();
  phases.lap(0);
  route();
  phases.lap(1);
  match(st.phase != StepPhase::Continuous);
  phases.lap(2);
  settle();
  apply_outboxes();
  phases.lap(3);
  if (st.phase == StepPhase::OpeningAuction)
    for (OrderBook& b : books_) b.set_phase(BookPhase::Continuous);
  refresh_quotes();
  build_view();
  phases.lap(4);
  report_agents();
  phases.lap(5);
  futures_.record_index(hedged_level_, clock_.in_last_minutes(step_in_day_, futures_.spec().final_settlement_window_minutes));
  record_step();
  phases.lap(6);

  ++global_step_;
  const bool day_closed = ++step_in_day_ == clock_.steps_per_day();
  if (day_closed) {
    end_day();
    phases.lap(8);
    step_in_day_ = 0;
    ++day_;
  }
  if (check_invariants_) {
    // Every step: money, futures, prices, and the positions of the accounts that traded or sent
    // orders; after each close (and a run's last step), every position and every stock's total.
    std::vector<std::string> problems = invariant_problems(day_closed);
    if (!problems.empty()) {
      std::string what = "invariant broken after step " + std::to_string(global_step_ - 1) + " (day " +
                         std::to_string(day_closed ? day_ - 1 : day_) + "): " + problems.front();
      if (problems.size() > 1) what += " (and " + std::to_string(problems.size() - 1) + " more)";
      throw InvariantViolation(what, std::move(problems));
    }
  }
  return day_closed;
}

void Simulation::build_view() {
  MarketView& v = view_;
  v.step = global_step_;
  v.day = day_;
  // After the close (end_day) the step counter is one past the last step: show the last one.
  v.step_in_day = std::min(step_in_day_, clock_.steps_per_day() - 1);
  v.phase = clock_.step(v.step_in_day).phase;
  v.clock = &clock_;
  v.days_total = calendar_.size();
  v.universe = &universe_;
  v.stock_count = universe_.size();
  v.quotes = &quotes_;
  v.stock_last = &stock_last_;
  v.fundamental_yuan = &fundamentals_.values_yuan();
  v.expected_return_annual = &fundamentals_.expected_returns_annual();
  v.accounts = &accounts_;
  v.rules = rules_in_force();
  v.hedged_index = hedged_level_;
  v.hedged_prev_close = hedged_prev_close_;
  v.microcap_index = microcap_level_;
  v.microcap_prev_close = microcap_prev_close_;
  v.futures.resize(kFuturesSlots);
  const Date today = calendar_.date(std::min(day_, calendar_.size() - 1));
  for (int k = 0; k < kFuturesSlots; ++k) {
    FuturesQuoteInfo& f = v.futures[static_cast<std::size_t>(k)];
    f.code = futures_.contract(k).code;
    f.days_to_expiry = futures_.days_to_expiry(k, today);
    f.tick_points = futures_.spec().tick_points;
    f.tick_value_fen = futures_.tick_value_fen();
    f.margin_per_contract = futures_.margin_per_contract(k);
  }
}

void Simulation::refresh_quotes() {
  const int n = universe_.size();
  stampede::parallel_for(tbb::blocked_range<int>(0, static_cast<int>(books_.size()), 128), [&](const auto& r) {
    for (int i = r.begin(); i < r.end(); ++i) {
      const OrderBook& b = books_[static_cast<std::size_t>(i)];
      InstrumentQuote& q = quotes_[static_cast<std::size_t>(i)];
      if (i < n) {
        q.reference = stock_day_[i].prev_close;
        q.last = stock_day_[i].last != kNoPrice ? stock_day_[i].last : q.reference;
        q.volume = stock_day_[i].volume;
      } else {
        q.reference = futures_.contract(i - n).prev_settlement;
        q.last = futures_.price_or_settlement(i - n);
        q.volume = futures_.contract(i - n).volume;
      }
      q.lower = b.lower();
      q.upper = b.upper();
      q.best_bid = b.best_bid();
      q.best_ask = b.best_ask();
      q.bid_qty = q.best_bid != kNoPrice ? b.volume_at(Side::Buy, q.best_bid) : 0;
      q.ask_qty = q.best_ask != kNoPrice ? b.volume_at(Side::Sell, q.best_ask) : 0;
      q.locked_limit_down = b.locked_limit_down();
      q.locked_limit_up = b.locked_limit_up();
      // The run log's liquidity of this book, while its lines are in cache (the book does not
      // change again before the step is recorded).
      if (i >= n || liquidity_recorded_[static_cast<std::size_t>(i)]) record_book_liquidity(i, q.last);
    }
  });
  int down = 0, up = 0;
  for (int i = 0; i < n; ++i) {
    index_price_[i] = stock_last_[i] = quotes_[i].last;
    down += quotes_[i].locked_limit_down;
    up += quotes_[i].locked_limit_up;
  }
  view_.locked_limit_down_count = down;
  view_.locked_limit_up_count = up;
  hedged_level_ = hedged_.level(index_price_);
  microcap_level_ = microcap_->level(index_price_);
  // How stale the hedged index is: the cap share of its members locked limit-down, whose last
  // price is a limit no seller can reach.
  // Most steps have no lock at all: then there is nothing to sum.
  double locked_cap = 0, all_cap = 0;
  if (down > 0)
    for (int i : hedged_.members()) {
      const double cap = static_cast<double>(universe_.shares_outstanding[static_cast<std::size_t>(i)]) * static_cast<double>(index_price_[i]);
      all_cap += cap;
      if (quotes_[static_cast<std::size_t>(i)].locked_limit_down) locked_cap += cap;
    }
  view_.hedged_locked_down_weight = all_cap > 0 ? locked_cap / all_cap : 0.0;
}

void Simulation::add_event(const std::string& kind, AgentId agent, InstrumentId instrument, Qty qty, double price,
                           std::string reason) {
  std::string agent_class = agent >= 0 ? agent_kinds_[static_cast<std::size_t>(agent)] : std::string("market");
  events_[kind].push_back(EventRow{global_step_, day_, agent, std::move(agent_class), instrument, qty, price, std::move(reason)});
}

std::map<std::string, std::vector<EventRow>> Simulation::take_events() {
  std::map<std::string, std::vector<EventRow>> out;
  out.swap(events_);
  return out;
}

std::vector<std::string> Simulation::conservation_problems() const { return invariant_problems(true); }

std::vector<std::string> Simulation::invariant_problems(bool all_positions) const {
  const InvariantInputs in{.universe = universe_,
                           .accounts = accounts_,
                           .books = books_,
                           .stock_day = stock_day_,
                           .day_band = day_band_,
                           .last_trades = trades_,
                           .last_orders = agent_orders_,
                           .open_interest = open_interest_,
                           .initial_cash = initial_cash_,
                           .inflow = external_in_,
                           .outflow = external_out_};
  return stampede::invariant_problems(in, all_positions);
}

}  // namespace stampede
