// The run log's header and frames (RunHeader, StepFrame, DayFrame), filled from the simulation's
// state: after each step the index levels, futures and classes' figures, and each book's
// liquidity; after each close the daily bars, who traded and holds which stocks and futures per
// agent class, the futures' settlements and the daily agents' rows. Read-only passes over the
// market: they change nothing the simulation computes (record_step only clears the step's futures
// volume once recorded).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "sim/core/parallel.hpp"
#include "sim/engine/run.hpp"
#include "sim/engine/scenario_hash.hpp"
#include "sim/engine/simulation.hpp"

namespace stampede {

namespace {

struct BookLiquidity {
  Tick bid = 0, ask = 0, spread = 0;   // 0: no order on that side (spread: a side is empty)
  Qty bid_1pct = 0, ask_1pct = 0, bid_2pct = 0, ask_2pct = 0;
  Qty limit_down_queue = 0, limit_up_queue = 0;
};

// Depth is counted against a reference price: the mid when both sides quote, else the last price
// (a book locked at a limit has one side only, and its depth is what a trader would meet there).
// The bounds are exact in integers: price p is within k% above the mid (b + a) / 2 when
// 200 p <= (100 + k)(b + a).
BookLiquidity book_liquidity(const OrderBook& b, Tick last) {
  BookLiquidity out;
  const Tick bid = b.best_bid(), ask = b.best_ask();
  out.bid = bid != kNoPrice ? bid : 0;
  out.ask = ask != kNoPrice ? ask : 0;
  out.spread = bid != kNoPrice && ask != kNoPrice ? ask - bid : 0;
  const bool two_sided = bid != kNoPrice && ask != kNoPrice;
  if (two_sided || last != kNoPrice) {
    // reference price times `scale`, so that the bounds stay integers
    const std::int64_t ref = two_sided ? std::int64_t{bid} + ask : last;
    const std::int64_t scale = two_sided ? 200 : 100;
    auto upper_bound = [&](int pct) { return static_cast<Tick>(((100 + pct) * ref) / scale); };   // floor: ref > 0
    auto lower_bound = [&](int pct) { return static_cast<Tick>(((100 - pct) * ref + scale - 1) / scale); };   // ceil
    if (bid != kNoPrice) {
      out.bid_1pct = b.depth_between(Side::Buy, lower_bound(1), bid);
      out.bid_2pct = b.depth_between(Side::Buy, lower_bound(2), bid);
    }
    if (ask != kNoPrice) {
      out.ask_1pct = b.depth_between(Side::Sell, ask, upper_bound(1));
      out.ask_2pct = b.depth_between(Side::Sell, ask, upper_bound(2));
    }
  }
  out.limit_down_queue = b.volume_at(Side::Sell, b.lower());
  out.limit_up_queue = b.volume_at(Side::Buy, b.upper());
  return out;
}

// Depth is stored as int32 (half the bytes to compress every step; no book comes near 2^31
// shares within 2% of its price), clamped so that it could never wrap. The limit queues keep
// int64: they are zero nearly everywhere and cost nothing.
std::int32_t clamped(Qty q) { return static_cast<std::int32_t>(std::min<Qty>(q, std::numeric_limits<std::int32_t>::max())); }

}  // namespace

struct Simulation::LiquidityColumns {
  std::vector<std::int32_t> *bid, *ask, *spread, *bid_1pct, *ask_1pct, *bid_2pct, *ask_2pct;
  std::vector<std::int64_t> *down, *up;
  void put(std::size_t i, const BookLiquidity& l) const {
    (*bid)[i] = l.bid;
    (*ask)[i] = l.ask;
    (*spread)[i] = l.spread;
    (*bid_1pct)[i] = clamped(l.bid_1pct);
    (*ask_1pct)[i] = clamped(l.ask_1pct);
    (*bid_2pct)[i] = clamped(l.bid_2pct);
    (*ask_2pct)[i] = clamped(l.ask_2pct);
    (*down)[i] = l.limit_down_queue;
    (*up)[i] = l.limit_up_queue;
  }
  void resize(std::size_t n, std::int64_t fill) const {
    for (auto* v : {bid, ask, spread, bid_1pct, ask_1pct, bid_2pct, ask_2pct}) v->assign(n, static_cast<std::int32_t>(fill));
    for (auto* v : {down, up}) v->assign(n, fill);
  }
};

namespace {

using LiquidityColumns = Simulation::LiquidityColumns;

LiquidityColumns stock_columns(FrameArrays& a) {
  using F = FrameArray;
  return {&a.i32(F::stock_best_bid),       &a.i32(F::stock_best_ask),       &a.i32(F::stock_spread),
          &a.i32(F::stock_bid_depth_1pct), &a.i32(F::stock_ask_depth_1pct), &a.i32(F::stock_bid_depth_2pct),
          &a.i32(F::stock_ask_depth_2pct), &a.i64(F::stock_limit_down_queue), &a.i64(F::stock_limit_up_queue)};
}

LiquidityColumns futures_columns(FrameArrays& a) {
  using F = FrameArray;
  return {&a.i32(F::futures_best_bid),       &a.i32(F::futures_best_ask),       &a.i32(F::futures_spread),
          &a.i32(F::futures_bid_depth_1pct), &a.i32(F::futures_ask_depth_1pct), &a.i32(F::futures_bid_depth_2pct),
          &a.i32(F::futures_ask_depth_2pct), &a.i64(F::futures_limit_down_queue), &a.i64(F::futures_limit_up_queue)};
}

}  // namespace

// Chooses the stocks whose liquidity is recorded: the first N of each segment (codes are drawn
// at random within a segment), a sample of every segment for worlds too big to record every book
// every step; N < 0: every stock. Sizes the step frame's liquidity arrays once and keeps where
// each column is: refresh_quotes fills them book by book (record_book_liquidity). A run that
// records no stock's liquidity leaves the stock arrays empty (the log then stores nothing).
void Simulation::init_liquidity_record(std::int64_t stocks_per_segment) {
  const int n = universe_.size();
  std::array<std::int64_t, 3> taken{};
  liquidity_recorded_.assign(static_cast<std::size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    std::int64_t& k = taken[static_cast<std::size_t>(universe_.segment[static_cast<std::size_t>(i)])];
    if (stocks_per_segment < 0 || k < stocks_per_segment) {
      liquidity_stocks_.push_back(i);
      liquidity_recorded_[static_cast<std::size_t>(i)] = 1;
    }
    ++k;
  }
  const LiquidityColumns stocks = stock_columns(step_frame_.arrays);
  if (!liquidity_stocks_.empty()) stocks.resize(static_cast<std::size_t>(n), spec_of(FrameArray::stock_best_bid).fill);
  const LiquidityColumns futures = futures_columns(step_frame_.arrays);
  futures.resize(kFuturesSlots, 0);
  stock_liquidity_ = std::make_shared<const LiquidityColumns>(stocks);
  futures_liquidity_ = std::make_shared<const LiquidityColumns>(futures);
}

void Simulation::record_book_liquidity(int book, Tick last) {
  const int n = universe_.size();
  const BookLiquidity l = book_liquidity(books_[static_cast<std::size_t>(book)], last);
  if (book < n) stock_liquidity_->put(static_cast<std::size_t>(book), l);
  else futures_liquidity_->put(static_cast<std::size_t>(book - n), l);
}

// After the close, before an expiring contract is settled and the slots roll: stock holdings and
// futures positions summed per agent class (accounts of no class: the passive float).
void Simulation::record_positions(DayFrame& f) const {
  const std::size_t n = static_cast<std::size_t>(universe_.size()), classes = class_names_.size();
  std::vector<std::int64_t>& held = f.arrays.i64(FrameArray::class_holdings);
  std::vector<std::int64_t>& unclassed = f.arrays.i64(FrameArray::unclassed_holdings);
  std::vector<std::int64_t>& longs = f.arrays.i64(FrameArray::class_futures_long);
  std::vector<std::int64_t>& shorts = f.arrays.i64(FrameArray::class_futures_short);
  held.assign(classes * n, 0);
  unclassed.assign(n, 0);
  longs.assign(classes * kFuturesSlots, 0);
  shorts.assign(classes * kFuturesSlots, 0);
  auto class_of = [&](const Account& a) {
    return a.owner >= 0 ? static_cast<std::ptrdiff_t>(agent_class_[static_cast<std::size_t>(a.owner)]) : -1;
  };
  for (const Account& a : accounts_.all()) {
    const std::ptrdiff_t c = class_of(a);
    for (const StockPosition& p : a.stocks()) {
      const auto s = static_cast<std::size_t>(p.stock);
      (c >= 0 ? held[static_cast<std::size_t>(c) * n + s] : unclassed[s]) += p.qty;
    }
  }
  for (AccountId id : accounts_.futures_accounts()) {
    const Account& a = accounts_[id];
    const std::ptrdiff_t c = class_of(a);
    if (c < 0) continue;   // no futures account without an owner
    for (int k = 0; k < kFuturesSlots; ++k) {
      const Qty q = a.futures(k).qty;
      const std::size_t at = static_cast<std::size_t>(c) * kFuturesSlots + static_cast<std::size_t>(k);
      (q > 0 ? longs[at] : shorts[at]) += q > 0 ? q : -q;
    }
  }
}

// After each step: the step's index levels, futures prices, basis, volume and open interest, and
// the classes' figures (and every stock's last price when recorded). The liquidity arrays were
// filled book by book when the quotes were refreshed (record_book_liquidity).
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
    f.futures_price[s] = price;
    f.futures_basis[s] = price - hedged_level_;
    f.futures_basis_annualised[s] = annualised_basis(price, hedged_level_, futures_.days_to_expiry(k, today));
    f.futures_volume[s] = step_futures_volume_[s];
    f.futures_open_interest[s] = open_interest_[s];
    step_futures_volume_[s] = 0;
  }
  f.classes.resize(class_metrics_.size());
  for (std::size_t c = 0; c < class_metrics_.size(); ++c) {
    const ClassMetrics& m = class_metrics_[c];
    ClassStepRow& row = f.classes[c];
    row = ClassStepRow{m.nav,        m.equity,
                       m.gross_long, m.futures_notional,
                       m.cash,       m.equity > 0 ? m.gross_long / m.equity : std::nan(""),
                       m.accounts,   m.in_margin_call,
                       m.liquidating};
  }
}

// After the close (the day's closes set): the day's bar of every stock, the fundamentals and the
// indices' closes.
void Simulation::record_day_bars(DayFrame& f) const {
  const int n = universe_.size();
  f.day = day_;
  f.date = calendar_.iso(day_);
  for (auto* v : {&f.open, &f.high, &f.low, &f.close, &f.turnover}) v->assign(n, 0.0);
  f.volume.assign(n, 0);
  f.limit_up.assign(n, 0);
  f.limit_down.assign(n, 0);
  f.value.assign(fundamentals_.values_yuan().begin(), fundamentals_.values_yuan().end());
  for (int i = 0; i < n; ++i) {
    const StockDayStats& d = stock_day_[i];
    const bool traded = d.open != kNoPrice;
    f.open[i] = stock_yuan(traded ? d.open : d.close);
    f.high[i] = stock_yuan(traded ? d.high : d.close);
    f.low[i] = stock_yuan(traded ? d.low : d.close);
    f.close[i] = stock_yuan(d.close);
    f.volume[i] = d.volume;
    f.turnover[i] = static_cast<double>(d.turnover) / 100.0;
    f.limit_up[i] = d.close == books_[i].upper();
    f.limit_down[i] = d.close == books_[i].lower();
  }
  f.hedged_close = hedged_level_;
  f.microcap_close = microcap_level_;
}

// After the close, before an expiring contract settles: the shares each class bought and sold
// today, and what each holds.
void Simulation::record_day_trading(DayFrame& f) const {
  f.arrays.i64(FrameArray::class_bought_voluntary) = day_class_volume_[kBoughtVoluntary];
  f.arrays.i64(FrameArray::class_bought_forced) = day_class_volume_[kBoughtForced];
  f.arrays.i64(FrameArray::class_sold_voluntary) = day_class_volume_[kSoldVoluntary];
  f.arrays.i64(FrameArray::class_sold_forced) = day_class_volume_[kSoldForced];
  record_positions(f);
}

// After the day's settlement, before the slots roll: each slot's contract, expiry and settlement
// price (an expiring front's final settlement), and the main contract by open interest.
void Simulation::record_day_futures(DayFrame& f, const std::array<Tick, kFuturesSlots>& settlement) const {
  f.futures_code.clear();
  f.futures_settlement.clear();
  f.futures_expiry.clear();
  f.futures_main_slot = static_cast<std::int32_t>(main_contract_slot(open_interest_.data(), open_interest_.size()));
  for (int k = 0; k < kFuturesSlots; ++k) {
    f.futures_code.push_back(futures_.contract(k).code);
    f.futures_expiry.push_back(to_iso(futures_.contract(k).expiry));
    f.futures_settlement.push_back(futures_.to_points(settlement[static_cast<std::size_t>(k)]));
  }
}

// After the agents' end of day: each daily agent's row and NAV per unit, and the classes' flows.
void Simulation::record_day_agents(DayFrame& f) const {
  f.agents.clear();
  std::vector<double>& per_unit = f.arrays.f64(FrameArray::agent_nav_per_unit);
  per_unit.clear();
  for (std::size_t j = 0; j < daily_agents_.size(); ++j) {
    const AgentDayRow r = agents_[static_cast<std::size_t>(daily_agents_[j])]->day_row(view_);
    f.agents.push_back(AgentDayRecord{r.nav, r.equity, r.leverage, static_cast<std::int32_t>(r.state)});
    const double start = daily_start_nav_[j];
    per_unit.push_back(!std::isnan(r.nav_per_unit) ? r.nav_per_unit : start > 0 ? r.nav / start : std::nan(""));
  }
  f.flows.resize(day_flows_.size());
  auto yuan = [](Fen v) { return static_cast<double>(v) / 100.0; };
  for (std::size_t k = 0; k < day_flows_.size(); ++k)
    f.flows[k] = FlowRow{yuan(day_flows_[k].sell_forced), yuan(day_flows_[k].sell_voluntary),
                         yuan(day_flows_[k].sell_aggressive), yuan(day_flows_[k].buy)};
}

// The run log's header: what the run is (scenario, seed, threads), the world's fixed
// description (stocks, steps, classes, daily agents, declared summary metrics), and the market
// driver's real path when there is one.
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

}  // namespace stampede
