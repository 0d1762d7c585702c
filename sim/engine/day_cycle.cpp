// What happens at the open and after the close of each trading day: price bands, the close,
// day orders expiring, T+1, futures settlement, expiry and roll, index rebalancing. The day's
// frame for the run log is filled by record_frames.cpp.
#include <algorithm>
#include <array>
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
  // The close is the last trade's price, or the previous close when the stock did not trade.
  for (StockDayStats& d : stock_day_) d.prev_close = d.close = d.last != kNoPrice ? d.last : d.prev_close;
  DayFrame& f = day_frame_;
  record_day_bars(f);
  // Who traded and holds what, before an expiring contract settles and the slots roll.
  record_day_trading(f);

  // Futures: daily settlement and variation margin; an expiring front settles to the index.
  std::array<Tick, kFuturesSlots> settlement = futures_.settle_day(hedged_level_, hedged_prev_close_);
  const bool expiry = futures_.front_expires(today);
  for (int k = 0; k < kFuturesSlots; ++k) {
    Tick& price = settlement[static_cast<std::size_t>(k)];
    if (k == 0 && expiry) {
      price = futures_.final_settlement();
      add_event(event_kind::futures_expiry.name, -1, n, open_interest_[0], futures_.to_points(price),
                futures_.contract(0).code);
    }
    settle_variation_margin(accounts_, k, price * futures_.tick_value_fen());
  }
  record_day_futures(f, settlement);
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

  record_day_agents(f);
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
