#include "sim/engine/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "sim/core/parallel.hpp"
#include "sim/engine/market_driver.hpp"
#include "sim/engine/run.hpp"
#include "sim/engine/scenario_hash.hpp"
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

void Simulation::record_step() {
  StepFrame& f = step_frame_;
  f.step = global_step_;
  f.day = day_;
  if (record_step_prices_)
    for (int i = 0; i < universe_.size(); ++i) f.last_price[i] = stock_yuan(index_price_[i]);
  f.hedged_index = hedged_level_;
  f.microcap_index = microcap_level_;
  f.futures_price.assign(kFuturesSlots, 0);
  f.futures_basis.assign(kFuturesSlots, 0);
  f.futures_basis_annualised.assign(kFuturesSlots, 0);
  f.futures_volume.assign(kFuturesSlots, 0);
  f.futures_open_interest.assign(kFuturesSlots, 0);
  const Date today = calendar_.date(day_);
  for (int k = 0; k < kFuturesSlots; ++k) {
    const auto s = static_cast<std::size_t>(k);
    double price = futures_.to_points(futures_.price_or_settlement(k));
    double basis = price - hedged_level_;
    int days = std::max(1, futures_.days_to_expiry(k, today));
    f.futures_price[s] = price;
    f.futures_basis[s] = basis;
    f.futures_basis_annualised[s] = basis / hedged_level_ * 365.0 / days;
    f.futures_volume[s] = step_futures_volume_[s];
    f.futures_open_interest[s] = open_interest_[s];
    step_futures_volume_[s] = 0;
  }
  f.classes.resize(class_metrics_.size());
  for (std::size_t c = 0; c < class_metrics_.size(); ++c) {
    const ClassMetrics& m = class_metrics_[c];
    ClassStepRow& row = f.classes[c];
    row = ClassStepRow{m.nav, m.equity, m.gross_long, m.futures_notional, m.cash,
                       m.equity > 0 ? m.gross_long / m.equity : std::nan(""), m.accounts, m.in_margin_call, m.liquidating};
  }
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

RunHeader Simulation::make_header(const Scenario& s, int threads) const {
  RunHeader h;
  h.scenario_name = s.name();
  h.scenario_toml = s.source_text();
  h.scenario_resolved = s.resolved_toml();
  h.scenario_hash = scenario_hash(s);
  h.seed = seed_;
  h.threads = threads;
  h.record_step_prices = record_step_prices_;
  h.invariants_checked = check_invariants_;
  h.stocks.names = universe_.name;
  for (Segment seg : universe_.segment) h.stocks.segment.push_back(static_cast<std::uint8_t>(seg));
  h.stocks.shares_outstanding = universe_.shares_outstanding;
  h.stocks.index_weight = hedged_.weights_at_start();
  h.stocks.limit_pct = universe_.limit_pct;
  h.futures_slots = {"front", "next"};
  h.steps_per_day = clock_.steps_per_day();
  for (int k = 0; k < clock_.steps_per_day(); ++k) {
    h.step_minute.push_back(clock_.step(k).minute);
    h.step_phase.push_back(static_cast<std::uint8_t>(clock_.step(k).phase));
  }
  h.segment_names = {"microcap", "constituent", "large_cap"};
  h.agent_classes = class_names_;
  h.agent_class_info = class_info_;
  for (const SummaryMetric& m : declared_summary_metrics())
    h.summary_metrics.push_back({m.name, m.units, m.label, m.doc});
  for (AgentId id : daily_agents_) {
    const auto a = static_cast<std::size_t>(id);
    h.daily_agent_names.push_back(daily_agent_name(agent_kinds_[a], id));
    h.daily_agent_class.push_back(agent_class_[a]);
    h.daily_agent_id.push_back(id);
  }
  h.agent_state_names = agent_state_names();
  if (market_driver_) h.driver = *market_driver_;
  h.liquidity_recorded = liquidity_recorded_;
  h.futures_tick_points = futures_.spec().tick_points;
  return h;
}

std::vector<std::string> Simulation::conservation_problems() const { return invariant_problems(true); }

std::vector<std::string> Simulation::invariant_problems(bool all_positions) const {
  std::vector<std::string> problems;
  auto str = [](auto v) { return std::to_string(v); };
  // One pass over the accounts (it runs after every step when checking is on): totals first,
  // problems named afterwards. Positions only with all_positions (see set_check_invariants).
  const int n = universe_.size();
  // Integer sums: the same in any order, so the scan runs in parallel and stays exact.
  struct Totals {
    std::vector<Qty> held;
    Fen cash = 0;
    std::array<Qty, kFuturesSlots> net{}, longs{};
    std::array<Fen, kFuturesSlots> trade_cash{}, marks{};
    bool bad_position = false;
  };
  const std::vector<Account>& all = accounts_.all();
  const Totals totals = stampede::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, all.size(), 2048), Totals{},
      [&](const tbb::blocked_range<std::size_t>& r, Totals t) {
        if (all_positions && t.held.empty()) t.held.assign(static_cast<std::size_t>(n), 0);
        for (std::size_t a = r.begin(); a < r.end(); ++a) {
          const Account& acc = all[a];
          t.cash += acc.cash;
          t.bad_position |= acc.reserved_cash < 0;
          for (std::size_t k = 0; k < kFuturesSlots; ++k) {
            const FuturesPosition& f = acc.futures(static_cast<int>(k));
            t.net[k] += f.qty;
            t.longs[k] += std::max<Qty>(0, f.qty);
            t.trade_cash[k] += f.trade_cash;
            t.marks[k] += f.mark_base;
          }
          if (!all_positions) continue;
          for (const StockPosition& p : acc.stocks()) {
            if (p.stock < 0 || p.stock >= n) {
              t.bad_position = true;
              continue;
            }
            t.held[static_cast<std::size_t>(p.stock)] += p.qty;
            t.bad_position |= p.qty < 0 || p.sellable < 0 || p.sellable > p.qty;
          }
        }
        return t;
      },
      [&](Totals x, const Totals& y) {
        if (x.held.empty()) x.held = y.held;
        else
          for (std::size_t i = 0; i < y.held.size(); ++i) x.held[i] += y.held[i];
        x.cash += y.cash;
        for (std::size_t k = 0; k < kFuturesSlots; ++k) {
          x.net[k] += y.net[k];
          x.longs[k] += y.longs[k];
          x.trade_cash[k] += y.trade_cash[k];
          x.marks[k] += y.marks[k];
        }
        x.bad_position |= y.bad_position;
        return x;
      });
  std::vector<Qty> held = totals.held;
  if (held.empty()) held.assign(static_cast<std::size_t>(n), 0);
  const Fen cash = totals.cash;
  const auto &net = totals.net, &longs = totals.longs;
  const auto &trade_cash = totals.trade_cash, &marks = totals.marks;
  const bool bad_position = totals.bad_position;
  // Money: every fen is in some account or was declared as entering or leaving the market.
  if (cash != initial_cash_ + external_in_ - external_out_)
    problems.push_back("total cash " + str(cash) + " fen differs from the initial " + str(initial_cash_) +
                       " plus inflows " + str(external_in_) + " minus outflows " + str(external_out_) + " (by " +
                       str(cash - (initial_cash_ + external_in_ - external_out_)) + ")");
  // Shares: held per stock, never negative, sellable within what is held. Without all_positions,
  // only the accounts this step could have changed: those that traded or sent orders.
  std::vector<AccountId> accounts_to_name;
  if (all_positions) {
    if (bad_position)
      for (AccountId a = 0; a < accounts_.size(); ++a) accounts_to_name.push_back(a);
  } else {
    if (bad_position)   // negative reserved cash somewhere
      for (AccountId a = 0; a < accounts_.size(); ++a)
        if (accounts_[a].reserved_cash < 0) accounts_to_name.push_back(a);
    std::vector<AccountId> touched;
    for (int i = 0; i < n; ++i)
      for (const Trade& t : trades_[static_cast<std::size_t>(i)]) {
        touched.push_back(t.maker);
        touched.push_back(t.taker);
      }
    for (const auto& orders : agent_orders_)
      for (const Order& o : orders) touched.push_back(o.account);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (AccountId a : touched) {
      if (!accounts_.valid(a)) continue;
      for (const StockPosition& p : accounts_[a].stocks())
        if (p.stock < 0 || p.stock >= n || p.qty < 0 || p.sellable < 0 || p.sellable > p.qty) {
          accounts_to_name.push_back(a);
          break;
        }
    }
  }
  for (AccountId a : accounts_to_name) {
    const Account& acc = accounts_[a];
    if (acc.reserved_cash < 0)
      problems.push_back("account " + str(a) + ": negative reserved cash " + str(acc.reserved_cash) + " fen");
    for (const StockPosition& p : acc.stocks()) {
      if (p.stock < 0 || p.stock >= n) {
        problems.push_back("account " + str(a) + " holds unknown stock " + str(p.stock));
        continue;
      }
      if (p.qty < 0 || p.sellable < 0 || p.sellable > p.qty)
        problems.push_back("account " + str(a) + " stock " + universe_.name[static_cast<std::size_t>(p.stock)] +
                           ": holds " + str(p.qty) + " shares, " + str(p.sellable) + " sellable" +
                           (p.qty < 0 ? " (negative holding)" : p.sellable > p.qty ? " (sellable above holding)" : " (negative sellable)"));
    }
  }
  for (int i = 0; all_positions && i < n; ++i)
    if (held[static_cast<std::size_t>(i)] != universe_.shares_outstanding[static_cast<std::size_t>(i)])
      problems.push_back("stock " + universe_.name[static_cast<std::size_t>(i)] + ": " + str(held[static_cast<std::size_t>(i)]) +
                         " shares held, " + str(universe_.shares_outstanding[static_cast<std::size_t>(i)]) + " outstanding");
  // Futures: the clearing house is flat in every slot; open interest is the long side.
  for (std::size_t k = 0; k < kFuturesSlots; ++k) {
    const std::string slot = "futures slot " + str(k);
    if (net[k] != 0) problems.push_back(slot + ": positions sum to " + str(net[k]) + " contracts");
    if (trade_cash[k] != 0) problems.push_back(slot + ": unsettled trade cash sums to " + str(trade_cash[k]) + " fen");
    if (marks[k] != 0) problems.push_back(slot + ": settled marks sum to " + str(marks[k]) + " fen");
    if (longs[k] != open_interest_[k])
      problems.push_back(slot + ": open interest " + str(open_interest_[k]) + " but long positions sum to " + str(longs[k]));
  }
  // Prices: every trade of the last step and the day's range inside the band the day opened with.
  if (day_band_.empty() || day_band_.front().first == kNoPrice) return problems;   // no day opened yet
  auto name = [&](std::size_t i) {
    return static_cast<int>(i) < n ? "stock " + universe_.name[i] : "futures slot " + str(static_cast<int>(i) - n);
  };
  for (std::size_t i = 0; i < books_.size(); ++i) {
    const auto [lower, upper] = day_band_[i];
    if (books_[i].lower() != lower || books_[i].upper() != upper)
      problems.push_back(name(i) + ": book band [" + str(books_[i].lower()) + ", " + str(books_[i].upper()) +
                         "] differs from the day's band [" + str(lower) + ", " + str(upper) + "]");
    for (const Trade& t : trades_[i]) {
      if (t.price < lower || t.price > upper)
        problems.push_back(name(i) + ": trade of " + str(t.qty) + " at " + str(t.price) + " ticks outside the day's band [" +
                           str(lower) + ", " + str(upper) + "]");
      if (t.qty <= 0) problems.push_back(name(i) + ": trade of " + str(t.qty) + " at " + str(t.price));
    }
    if (static_cast<int>(i) < n) {
      const StockDayStats& d = stock_day_[i];
      for (Tick p : {d.high, d.low})
        if (p != kNoPrice && (p < lower || p > upper))
          problems.push_back(name(i) + ": day's high/low " + str(p) + " outside the day's band [" + str(lower) + ", " + str(upper) + "]");
    }
  }
  return problems;
}

}  // namespace stampede
