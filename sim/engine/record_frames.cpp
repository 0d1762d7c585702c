// What the run log records beyond prices: each book's liquidity at the end of a step, and after
// each close who holds which stocks and futures, per agent class. Read-only passes over the
// books and accounts: they change nothing the simulation computes.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "sim/core/parallel.hpp"
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

}  // namespace stampede
