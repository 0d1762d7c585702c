#include "sim/book/order_book.hpp"

#include "sim/core/state_io.hpp"

#include <algorithm>
#include <cstdlib>

namespace stampede {

const char* to_string(Side s) { return s == Side::Buy ? "buy" : "sell"; }

const char* to_string(BookPhase p) {
  switch (p) {
    case BookPhase::Closed: return "closed";
    case BookPhase::CallAuction: return "call_auction";
    case BookPhase::Continuous: return "continuous";
  }
  return "unknown";
}

OrderBook::OrderBook(BookRules rules) : rules_(rules) {
  bits_[0].reset(0);
  bits_[1].reset(0);
}

void OrderBook::open_day(Tick lower, Tick upper, Tick reference) {
  // Clear only what is in use: the non-empty levels and the ids of the resting orders.
  const bool erase_ids_one_by_one = count_ * 4 < ids_.capacity();
  for (int s = 0; s < 2; ++s) {
    detail::LevelBitmap& bits = bits_[s];
    for (std::int32_t i = bits.next_up(0); i >= 0; i = bits.next_up(i + 1)) {
      Level& level = levels_[s][static_cast<std::size_t>(i)];
      if (erase_ids_one_by_one)
        for (std::int32_t n = level.head; n >= 0; n = pool_[n].next) ids_.erase(pool_[n].id);
      level = Level{};
    }
  }
  if (!erase_ids_one_by_one) ids_.clear();
  pool_.clear();
  seqs_.clear();
  free_ = -1;

  const std::int32_t n = upper >= lower ? upper - lower + 1 : 0;
  for (int s = 0; s < 2; ++s) {
    levels_[s].resize(static_cast<std::size_t>(n));  // kept levels are all empty now
    bits_[s].reset(n);
  }
  lower_ = lower;
  upper_ = upper;
  reference_ = reference;
  best_[0] = best_[1] = kNoPrice;
  total_[0] = total_[1] = 0;
  count_ = 0;
  seq_ = 0;
}

void OrderBook::checkpoint(StateIo& io) {
  io.tag("book");
  Tick lower = lower_, upper = upper_, reference = reference_;
  BookPhase phase = phase_;
  std::uint32_t seq = seq_;
  io(lower, upper, reference, phase, seq);
  struct Saved { OrderId id; AccountId owner; Side side; Tick price; Qty qty; std::uint32_t seq; };
  std::vector<Saved> orders;
  if (io.saving()) {
    orders.reserve(count_);
    for (int s = 0; s < 2; ++s) {   // every level's queue from its head: the same FIFO when rested again
      const detail::LevelBitmap& b = bits_[s];
      for (std::int32_t i = b.next_up(0); i >= 0; i = b.next_up(i + 1))
        for (std::int32_t n = levels_[s][static_cast<std::size_t>(i)].head; n >= 0; n = pool_[n].next) {
          const Node& o = pool_[n];
          orders.push_back(Saved{o.id, o.owner, side_of(o), price_of(o), o.qty, seqs_[static_cast<std::size_t>(n)]});
        }
    }
  }
  io(orders);
  if (io.saving()) return;
  open_day(lower, upper, reference);
  phase_ = phase;
  for (const Saved& o : orders) {
    if (o.price < lower_ || o.price > upper_ || o.qty <= 0) throw CheckpointError("checkpoint: a resting order outside its book's band");
    seq_ = o.seq;
    rest(OrderRequest{o.id, o.owner, o.side, OrderType::Limit, o.price, o.qty}, o.price, o.qty);
  }
  seq_ = seq;
}

SubmitResult OrderBook::submit(const OrderRequest& o, std::vector<Trade>& trades) {
  SubmitResult r;
  if (o.type == OrderType::Cancel) {
    r.reject = cancel(o.id, o.owner).reject;
    return r;
  }
  if (phase_ == BookPhase::Closed) return r.reject = RejectReason::BookClosed, r;
  if (o.qty <= 0) return r.reject = RejectReason::NonPositiveQuantity, r;
  if (o.side == Side::Buy && rules_.buy_lot > 1 && o.qty % rules_.buy_lot != 0)
    return r.reject = RejectReason::BadLot, r;
  const Tick limit = o.type == OrderType::Market ? (o.side == Side::Buy ? upper_ : lower_) : o.price;
  if (limit < lower_ || limit > upper_) return r.reject = RejectReason::BookPriceOutsideBand, r;
  if (ids_.find_pos(o.id) != detail::IdMap::npos) return r.reject = RejectReason::DuplicateOrderId, r;

  r.limit_price = limit;
  Qty left = o.qty;
  if (phase_ == BookPhase::Continuous)
    left = o.side == Side::Buy ? match<Side::Buy>(o, limit, left, trades) : match<Side::Sell>(o, limit, left, trades);
  r.filled = o.qty - left;
  r.resting = left;
  if (left > 0) rest(o, limit, left);
  return r;
}

void OrderBook::prefetch_stage1(const OrderRequest& o) const {
  ids_.prefetch(o.id);
  if (o.type == OrderType::Cancel) return;
  const int s = idx(o.side);
  if (o.price >= lower_ && o.price <= upper_) __builtin_prefetch(&levels_[s][static_cast<std::size_t>(o.price - lower_)]);
  if (const Tick best = best_[1 - s]; best != kNoPrice)
    __builtin_prefetch(&levels_[1 - s][static_cast<std::size_t>(best - lower_)]);
}

void OrderBook::prefetch_stage2(const OrderRequest& o) const {
  if (o.type == OrderType::Cancel) {
    if (const std::int32_t n = ids_.find(o.id); n >= 0) __builtin_prefetch(&pool_[static_cast<std::size_t>(n)]);
    return;
  }
  const int s = idx(o.side);
  if (o.price >= lower_ && o.price <= upper_)
    if (const std::int32_t t = levels_[s][static_cast<std::size_t>(o.price - lower_)].tail; t >= 0)
      __builtin_prefetch(&pool_[static_cast<std::size_t>(t)]);
  if (const Tick best = best_[1 - s]; best != kNoPrice)
    if (const std::int32_t h = levels_[1 - s][static_cast<std::size_t>(best - lower_)].head; h >= 0)
      __builtin_prefetch(&pool_[static_cast<std::size_t>(h)]);
}

template <Side S>
Qty OrderBook::match(const OrderRequest& o, Tick limit, Qty qty, std::vector<Trade>& trades) {
  constexpr int other = 1 - idx(S);
  Tick& best = best_[other];
  while (qty > 0 && best != kNoPrice && (S == Side::Buy ? best <= limit : best >= limit)) {
    const Tick price = best;
    const std::int32_t li = price - lower_;
    Level& level = levels_[other][static_cast<std::size_t>(li)];
    std::int32_t n = level.head;
    while (qty > 0 && n >= 0) {
      Node& m = pool_[n];
      const Qty f = std::min(qty, m.qty);
      trades.push_back(Trade{m.id, o.id, m.owner, o.owner, S, price, f, S == Side::Buy ? limit : price});
      qty -= f;
      m.qty -= f;
      level.qty -= f;
      total_[other] -= f;
      if (m.qty != 0) break;
      const std::int32_t next = m.next;
      ids_.erase(m.id);
      free_node(n);
      --count_;
      n = next;
    }
    level.head = n;
    if (n >= 0) {
      pool_[n].prev = -1;
    } else {
      level.tail = -1;
      level_emptied(opposite(S), li);
    }
  }
  return qty;
}

void OrderBook::rest(const OrderRequest& o, Tick limit, Qty qty) {
  const int s = idx(o.side);
  const std::int32_t li = limit - lower_;
  Level& level = levels_[s][static_cast<std::size_t>(li)];
  const std::int32_t n = allocate_node();
  pool_[n] = Node{o.id, qty, level.tail, -1, static_cast<std::uint32_t>(li) | (s ? kSellBit : 0U), o.owner};
  seqs_[static_cast<std::size_t>(n)] = seq_++;
  if (level.tail >= 0) {
    pool_[level.tail].next = n;
  } else {
    level.head = n;
    bits_[s].set(li);
    Tick& best = best_[s];
    if (best == kNoPrice || (o.side == Side::Buy ? limit > best : limit < best)) best = limit;
  }
  level.tail = n;
  level.qty += qty;
  total_[s] += qty;
  ++count_;
  ids_.insert(o.id, n);
}

CancelResult OrderBook::cancel(OrderId id, AccountId owner) {
  CancelResult r;
  const std::size_t pos = ids_.find_pos(id);
  if (pos == detail::IdMap::npos) return r.reject = RejectReason::UnknownOrder, r;
  const std::int32_t n = ids_.value_at(pos);
  const Node& o = pool_[n];
  if (o.owner != owner) return r.reject = RejectReason::NotOwner, r;
  r.side = side_of(o);
  r.price = price_of(o);
  r.remaining = o.qty;
  ids_.erase_at(pos);
  unlink(n);
  return r;
}

void OrderBook::unlink(std::int32_t n) {
  Node& o = pool_[n];
  const Side side = side_of(o);
  const int s = idx(side);
  const std::int32_t li = level_of(o);
  Level& level = levels_[s][static_cast<std::size_t>(li)];
  if (o.prev >= 0) pool_[o.prev].next = o.next; else level.head = o.next;
  if (o.next >= 0) pool_[o.next].prev = o.prev; else level.tail = o.prev;
  level.qty -= o.qty;
  total_[s] -= o.qty;
  --count_;
  free_node(n);
  if (level.head < 0) level_emptied(side, li);
}

void OrderBook::level_emptied(Side side, std::int32_t li) {
  const int s = idx(side);
  bits_[s].clear(li);
  if (best_[s] != lower_ + li) return;
  const std::int32_t next = side == Side::Buy ? bits_[s].next_down(li - 1) : bits_[s].next_up(li + 1);
  best_[s] = next < 0 ? kNoPrice : lower_ + next;
}

std::int32_t OrderBook::allocate_node() {
  if (free_ >= 0) {
    const std::int32_t n = free_;
    free_ = pool_[n].next;
    return n;
  }
  pool_.emplace_back();
  seqs_.emplace_back();
  return static_cast<std::int32_t>(pool_.size() - 1);
}

void OrderBook::free_node(std::int32_t n) {
  pool_[n].next = free_;
  free_ = n;
}

// Fills q of the first order at the best level of `side` (q <= its quantity).
void OrderBook::fill_front(Side side, Qty q) {
  const int s = idx(side);
  Level& level = levels_[s][static_cast<std::size_t>(best_[s] - lower_)];
  const std::int32_t n = level.head;
  Node& o = pool_[n];
  if (o.qty == q) {
    ids_.erase(o.id);
    unlink(n);
    return;
  }
  o.qty -= q;
  level.qty -= q;
  total_[s] -= q;
}

AuctionResult OrderBook::uncross(std::vector<Trade>& trades) {
  AuctionResult r;
  const Tick lo = best_[1];
  const Tick hi = best_[0];
  if (lo == kNoPrice || hi == kNoPrice || hi < lo) return r;

  // Only levels in [best ask, best bid] can trade; cumulate buys from above, sells from below.
  const std::size_t n = static_cast<std::size_t>(hi - lo + 1);
  scratch_.resize(n);
  const Level* bids = levels_[0].data() + (lo - lower_);
  const Level* asks = levels_[1].data() + (lo - lower_);
  Qty acc = 0;
  for (std::size_t i = n; i-- > 0;) scratch_[i] = acc += bids[i].qty;
  Qty sells = 0, best_volume = 0, best_imbalance = 0;
  std::int64_t best_distance = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sells += asks[i].qty;
    const Qty buys = scratch_[i];
    const Qty volume = std::min(buys, sells);
    const Qty imbalance = buys > sells ? buys - sells : sells - buys;
    const Tick price = lo + static_cast<Tick>(i);
    const std::int64_t distance =
        reference_ == kNoPrice ? 0 : std::llabs(static_cast<std::int64_t>(price) - reference_);
    const bool better = volume > best_volume ||
                        (volume == best_volume && (imbalance < best_imbalance ||
                                                   (imbalance == best_imbalance && distance < best_distance)));
    if (r.price == kNoPrice || better) {
      r.price = price;
      best_volume = volume;
      best_imbalance = imbalance;
      best_distance = distance;
    }
  }
  r.volume = best_volume;

  // Execute: head of the best bid against head of the best ask, all at the auction price.
  for (Qty left = best_volume; left > 0;) {
    const Node& b = pool_[levels_[0][static_cast<std::size_t>(best_[0] - lower_)].head];
    const Node& a = pool_[levels_[1][static_cast<std::size_t>(best_[1] - lower_)].head];
    const Qty f = std::min({left, b.qty, a.qty});
    const bool buy_is_taker = seqs_[static_cast<std::size_t>(&b - pool_.data())] >
                              seqs_[static_cast<std::size_t>(&a - pool_.data())];
    const Node& maker = buy_is_taker ? a : b;
    const Node& taker = buy_is_taker ? b : a;
    trades.push_back(Trade{maker.id, taker.id, maker.owner, taker.owner, buy_is_taker ? Side::Buy : Side::Sell,
                           r.price, f, price_of(b)});
    left -= f;
    fill_front(Side::Buy, f);
    fill_front(Side::Sell, f);
  }
  return r;
}

}  // namespace stampede
