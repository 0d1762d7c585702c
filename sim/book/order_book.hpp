#pragma once
// Limit order book of one instrument under A-share / CFFEX rules: a price band around the
// previous close, buy lots, call auctions and continuous price-time matching.
//
// Layout (hot path, no allocation once grown): one array of price levels per side indexed by
// (price - lower), each level an intrusive FIFO of order nodes living in a pool; a two-level
// bitmap of non-empty levels to find the next best price; an open-addressing id -> node map.
#include <cstdint>
#include <vector>

#include "sim/book/id_map.hpp"
#include "sim/book/level_bitmap.hpp"
#include "sim/core/reject_reason.hpp"
#include "sim/core/types.hpp"

namespace stampede {

class StateIo;

enum class BookPhase : std::uint8_t { Closed, CallAuction, Continuous };
// A book refuses with the book stage's codes of RejectReason (sim/core/reject_reason.hpp).
const char* to_string(Side);          // "buy" / "sell"
const char* to_string(BookPhase);     // "closed" / "call_auction" / "continuous"

// Buys must be multiples of buy_lot (A-shares: 100; futures: 1); sells may be any positive
// quantity (odd-lot sells of leftover shares are allowed).
struct BookRules {
  Qty buy_lot = 100;
};

struct OrderRequest {
  OrderId id;
  AccountId owner;
  Side side;
  OrderType type;  // Limit or Market (price ignored); Cancel is forwarded to cancel(id, owner)
  Tick price;
  Qty qty;
};

struct Trade {
  OrderId maker_id;
  OrderId taker_id;
  AccountId maker;
  AccountId taker;
  Side taker_side;
  Tick price;
  Qty qty;
  Tick buy_limit;   // limit price of the buy order: the engine releases the cash it reserved at that price
};

struct SubmitResult {
  RejectReason reject = RejectReason::None;
  Tick limit_price = kNoPrice;  // effective limit (a market order's band bound)
  Qty filled = 0;
  Qty resting = 0;
};

struct CancelResult {
  RejectReason reject = RejectReason::None;
  Side side{};
  Tick price = kNoPrice;
  Qty remaining = 0;
};

struct AuctionResult {
  Tick price = kNoPrice;  // kNoPrice and volume 0 when nothing crosses
  Qty volume = 0;
};

struct RestingOrder {
  OrderId id;
  AccountId owner;
  Side side;
  Tick price;
  Qty qty;
};

class alignas(64) OrderBook {
 public:
  explicit OrderBook(BookRules rules = {});

  // Starts a trading day: removes every resting order (day orders), sets the inclusive band
  // [lower, upper] and the reference price (auction tie-break). The phase is left unchanged.
  // Cost O(resting orders + band/64); no allocation once capacity has grown.
  void open_day(Tick lower, Tick upper, Tick reference);
  void set_phase(BookPhase phase) { phase_ = phase; }
  BookPhase phase() const { return phase_; }

  // Validates (BookClosed, NonPositiveQuantity, BadLot, BookPriceOutsideBand, DuplicateOrderId, in
  // that order), then: Continuous -> matches marketable quantity at the resting orders' prices
  // in price-time priority and rests the rest; CallAuction -> rests everything. A market order is
  // a limit order at the band bound (buy: upper, sell: lower). Trades are appended to `trades`.
  SubmitResult submit(const OrderRequest& order, std::vector<Trade>& trades);

  // Allowed in every phase. UnknownOrder if not resting; NotOwner if `owner` differs.
  CancelResult cancel(OrderId id, AccountId owner);

  // Ends a call auction at the single price maximising executed volume (ties: minimum absolute
  // imbalance, then closest to the reference, then the lower price). Crossing orders execute at
  // that price in price-time priority; each trade's taker is the later-arriving order.
  AuctionResult uncross(std::vector<Trade>& trades);

  Tick best_bid() const { return best_[0]; }
  Tick best_ask() const { return best_[1]; }
  Qty volume_at(Side side, Tick price) const {
    if (price < lower_ || price > upper_) return 0;
    return levels_[idx(side)][static_cast<std::size_t>(price - lower_)].qty;
  }
  Qty total_volume(Side side) const { return total_[idx(side)]; }
  // Quantity resting on `side` at prices in [from, to], summed over the non-empty levels the
  // bitmap finds. For the run log's depth figures; matching never calls it.
  Qty depth_between(Side side, Tick from, Tick to) const {
    from = from < lower_ ? lower_ : from;
    to = to > upper_ ? upper_ : to;
    Qty sum = 0;
    const detail::LevelBitmap& b = bits_[idx(side)];
    const std::vector<Level>& levels = levels_[idx(side)];
    for (std::int32_t i = b.next_up(from - lower_); i >= 0 && i <= to - lower_; i = b.next_up(i + 1))
      sum += levels[static_cast<std::size_t>(i)].qty;
    return sum;
  }
  Tick lower() const { return lower_; }
  Tick upper() const { return upper_; }
  Tick reference() const { return reference_; }
  std::size_t order_count() const { return count_; }
  // Checkpoints (sim/core/state_io.hpp): the band, phase and every resting order with its place
  // in its queue and its arrival number.
  void checkpoint(StateIo& io);
  // Sells rest at the lower bound and no buy rests: nobody buys at the limit-down price.
  bool locked_limit_down() const { return total_[0] == 0 && volume_at(Side::Sell, lower_) > 0; }
  // Buys rest at the upper bound and no sell rests.
  bool locked_limit_up() const { return total_[1] == 0 && volume_at(Side::Buy, upper_) > 0; }

  // Memory hints only, no effect on the book's state. The engine sees a book's whole queue for a
  // step, so it asks for the cache lines of later operations while earlier ones run; every book
  // is cold when its turn comes in a step, and a cancel otherwise waits on four dependent misses.
  // Stage 1 needs the book's header lines (prefetch_header); stage 2 reads what stage 1 fetched.
  void prefetch_header() const {
    for (int line = 0; line < 4; ++line) __builtin_prefetch(reinterpret_cast<const char*>(this) + 64 * line);
  }
  void prefetch_stage1(const OrderRequest& o) const;  // the id slot; the price levels it will touch
  void prefetch_bitmaps() const { bits_[0].prefetch(), bits_[1].prefetch(); }   // once per book, with stage 1
  void prefetch_stage2(const OrderRequest& o) const;  // the resting node a cancel names, or the queue tail

  // Visits resting orders in price-time priority: bids from the best, then asks from the best.
  template <class F>
  void for_each_resting(F&& f) const {
    const detail::LevelBitmap& b = bits_[0];
    for (std::int32_t i = b.next_down(b.size() - 1); i >= 0; i = b.next_down(i - 1))
      visit_level(Side::Buy, i, f);
    const detail::LevelBitmap& a = bits_[1];
    for (std::int32_t i = a.next_up(0); i >= 0; i = a.next_up(i + 1)) visit_level(Side::Sell, i, f);
  }

 private:
  struct Level {
    std::int32_t head = -1;
    std::int32_t tail = -1;
    Qty qty = 0;
  };
  // 32 bytes, two per cache line. The arrival sequence (auctions only) lives in seqs_.
  struct alignas(32) Node {
    OrderId id;
    Qty qty;
    std::int32_t prev;
    std::int32_t next;
    std::uint32_t where;  // level index (price - lower) | side << 31
    AccountId owner;
  };
  static constexpr std::uint32_t kSellBit = 1U << 31;
  Side side_of(const Node& o) const { return (o.where & kSellBit) ? Side::Sell : Side::Buy; }
  std::int32_t level_of(const Node& o) const { return static_cast<std::int32_t>(o.where & ~kSellBit); }
  Tick price_of(const Node& o) const { return lower_ + level_of(o); }

  static constexpr int idx(Side s) { return static_cast<int>(s); }

  template <class F>
  void visit_level(Side side, std::int32_t level, F& f) const {
    for (std::int32_t n = levels_[idx(side)][static_cast<std::size_t>(level)].head; n >= 0; n = pool_[n].next) {
      const Node& o = pool_[n];
      f(RestingOrder{o.id, o.owner, side_of(o), price_of(o), o.qty});
    }
  }

  template <Side S>
  Qty match(const OrderRequest& order, Tick limit, Qty qty, std::vector<Trade>& trades);
  void rest(const OrderRequest& order, Tick limit, Qty qty);
  std::int32_t allocate_node();
  void free_node(std::int32_t n);
  void unlink(std::int32_t n);                        // removes node n from its level, updates best
  void fill_front(Side side, Qty q);                  // fills the head of the best level of `side`
  void level_emptied(Side side, std::int32_t level);  // bitmap and best price upkeep

  // Hot fields first so that a typical operation touches few cache lines of the book itself.
  Qty total_[2] = {0, 0};
  std::size_t count_ = 0;
  BookRules rules_;
  Tick lower_ = 0;
  Tick upper_ = -1;
  Tick best_[2] = {kNoPrice, kNoPrice};
  std::int32_t free_ = -1;
  std::uint32_t seq_ = 0;  // arrival counter of the day
  BookPhase phase_ = BookPhase::Closed;
  std::vector<Level> levels_[2];
  std::vector<Node> pool_;
  detail::IdMap ids_;
  detail::LevelBitmap bits_[2];
  std::vector<std::uint32_t> seqs_;  // arrival sequence per pool node (auction taker = later order)
  std::vector<Qty> scratch_;         // auction: cumulative buy volume per crossing price
  Tick reference_ = kNoPrice;
};

}  // namespace stampede
