// What happens at the open and after the close of each trading day: price bands, day orders
// expiring, T+1, daily bars, futures settlement, expiry and roll, index rebalancing.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/core/parallel.hpp"
#include "sim/engine/simulation.hpp"

namespace stampede {

namespace {
// A-share limit prices: previous close * (1 +- pct), rounded half up to the tick, exactly.
Tick limit_price(Tick prev_close, double pct, int sign) {
  const std::int64_t bp = std::llround(pct * 100.0);
  return static_cast<Tick>((static_cast<std::int64_t>(prev_close) * (10000 + sign * bp) + 5000) / 10000);
}
}  // namespace

void Simulation::begin_day() {
  const int n = universe_.size();
  // Books are independent: emptying 2,000 of them is worth two threads.
  stampede::parallel_for(tbb::blocked_range<int>(0, n, 64), [&](const auto& r) {
    for (int i = r.begin(); i < r.end(); ++i) {
      StockDayStats& d = stock_day_[i];
      d = StockDayStats{d.prev_close};
      const Tick lower = std::max<Tick>(1, limit_price(d.prev_close, universe_.limit_pct[i], -1));
      const Tick upper = limit_price(d.prev_close, universe_.limit_pct[i], +1);
      day_band_[static_cast<std::size_t>(i)] = {lower, upper};
      books_[i].open_day(lower, upper, d.prev_close);
      books_[i].set_phase(BookPhase::CallAuction);
    }
  });
  futures_.start_day();
  std::fill(day_flows_.begin(), day_flows_.end(), Flow{});
  for (auto& v : day_class_volume_) std::fill(v.begin(), v.end(), 0);
  for (int k = 0; k < kFuturesSlots; ++k) {
    OrderBook& b = books_[static_cast<std::size_t>(n + k)];
    day_band_[static_cast<std::size_t>(n + k)] = {futures_.band_lower(k), futures_.band_upper(k)};
    b.open_day(futures_.band_lower(k), futures_.band_upper(k), futures_.contract(k).prev_settlement);
    b.set_phase(BookPhase::CallAuction);
  }
  refresh_quotes();
  take_opening_holdings();
}

void Simulation::end_day() {
  const int n = universe_.size();
  const Date today = calendar_.date(day_);
  DayFrame& f = day_frame_;
  f.day = day_;
  f.date = calendar_.iso(day_);
  for (auto* v : {&f.open, &f.high, &f.low, &f.close, &f.turnover}) v->assign(n, 0.0);
  f.volume.assign(n, 0);
  f.limit_up.assign(n, 0);
  f.limit_down.assign(n, 0);
  f.value.assign(fundamentals_.values_yuan().begin(), fundamentals_.values_yuan().end());
  for (int i = 0; i < n; ++i) {
    StockDayStats& d = stock_day_[i];
    d.close = d.last != kNoPrice ? d.last : d.prev_close;
    const bool traded = d.open != kNoPrice;
    f.open[i] = stock_yuan(traded ? d.open : d.close);
    f.high[i] = stock_yuan(traded ? d.high : d.close);
    f.low[i] = stock_yuan(traded ? d.low : d.close);
    f.close[i] = stock_yuan(d.close);
    f.volume[i] = d.volume;
    f.turnover[i] = static_cast<double>(d.turnover) / 100.0;
    f.limit_up[i] = d.close == books_[i].upper();
    f.limit_down[i] = d.close == books_[i].lower();
    d.prev_close = d.close;
  }
  f.hedged_close = hedged_level_;
  f.microcap_close = microcap_level_;
  // Who traded and holds what, before an expiring contract settles and the slots roll.
  f.arrays.i64(FrameArray::class_bought_voluntary) = day_class_volume_[kBoughtVoluntary];
  f.arrays.i64(FrameArray::class_bought_forced) = day_class_volume_[kBoughtForced];
  f.arrays.i64(FrameArray::class_sold_voluntary) = day_class_volume_[kSoldVoluntary];
  f.arrays.i64(FrameArray::class_sold_forced) = day_class_volume_[kSoldForced];
  record_positions(f);

  // Futures: daily settlement and variation margin; an expiring front settles to the index.
  const auto settlement = futures_.settle_day(hedged_level_, hedged_prev_close_);
  const bool expiry = futures_.front_expires(today);
  f.futures_code.clear();
  f.futures_settlement.clear();
  f.futures_expiry.clear();
  f.futures_main_slot = static_cast<std::int32_t>(main_contract_slot(open_interest_.data(), open_interest_.size()));
  for (int k = 0; k < kFuturesSlots; ++k) {
    Tick price = settlement[static_cast<std::size_t>(k)];
    if (k == 0 && expiry) {
      price = futures_.final_settlement();
      add_event(event_kind::futures_expiry.name, -1, n, open_interest_[0], futures_.to_points(price),
                futures_.contract(0).code);
    }
    settle_variation_margin(accounts_, k, price * futures_.tick_value_fen());
    f.futures_code.push_back(futures_.contract(k).code);
    f.futures_expiry.push_back(to_iso(futures_.contract(k).expiry));
    f.futures_settlement.push_back(futures_.to_points(price));
  }
  if (expiry) {
    futures_.roll(today, hedged_level_);
    roll_futures_positions(accounts_);
    open_interest_[0] = open_interest_[1];
    open_interest_[1] = 0;
  }

  // Day orders expire: reservations end and today's purchases become sellable (T+1).
  for (OrderBook& b : books_) b.set_phase(BookPhase::Closed);
  accounts_.start_new_day();
  refresh_futures_margin(accounts_, futures_.margins_per_contract());

  hedged_prev_close_ = hedged_level_;
  microcap_prev_close_ = microcap_level_;
  if ((day_ + 1) % microcap_rebalance_days_ == 0) microcap_->rebalance(index_price_);

  for (const auto& [key, count] : day_rejections_) {
    add_event(event_kind::order_rejections.name, -1, -1, count, 0.0, key.second);
    events_[event_kind::order_rejections.name].back().agent_class = key.first;
    totals_.rejections[key.second] += count;
  }
  day_rejections_.clear();

  build_view();
  for (std::size_t a = 0; a < agents_.size(); ++a) {
    std::vector<Order>& orders = agent_orders_[a];
    orders.clear();
    OrderSink sink(agents_[a]->id(), orders, agent_sequence_[a], &agent_outboxes_[a]);
    agents_[a]->end_of_day(view_, sink);
    if (!orders.empty())
      throw std::logic_error(std::string("agent kind ") + agents_[a]->kind() + " placed orders after the close");
  }
  apply_outboxes();

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
  f.state_fingerprint = static_cast<std::int64_t>(state_fingerprint());
}

std::uint64_t Simulation::state_fingerprint() const {
  // FNV-1a over 64-bit words, in a fixed order (stocks, then accounts by id): the same state gives
  // the same number at any thread count; one sequential pass over the accounts and their positions.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::uint64_t x) {
    for (int i = 0; i < 8; ++i) {
      h ^= (x >> (8 * i)) & 0xff;
      h *= 0x100000001b3ULL;
    }
  };
  for (const StockDayStats& d : stock_day_) mix(static_cast<std::uint64_t>(d.close));
  mix(static_cast<std::uint64_t>(accounts_.size()));
  for (const Account& a : accounts_.all()) {
    mix(static_cast<std::uint64_t>(a.cash));
    mix(static_cast<std::uint64_t>(a.reserved_cash));
    mix(a.stocks().size());
    for (const StockPosition& p : a.stocks()) {
      mix(static_cast<std::uint64_t>(p.stock));
      mix(static_cast<std::uint64_t>(p.qty));
      mix(static_cast<std::uint64_t>(p.sellable));
    }
  }
  for (AccountId id : accounts_.futures_accounts())
    for (int k = 0; k < kFuturesSlots; ++k) mix(static_cast<std::uint64_t>(accounts_[id].futures(k).qty));
  return h;
}

}  // namespace stampede
