// Property test: the fast book must behave exactly like a naive std::map-based book written
// straight from the rules, over many thousands of random operations across days and phases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <list>
#include <map>
#include <random>

#include "book_helpers.hpp"

using namespace stampede;
using namespace stampede::test;

namespace {

struct NaiveOrder {
  OrderId id;
  AccountId owner;
  Side side;
  Tick price;
  Qty qty;
  std::uint64_t seq;
};

// Straight from the rules, no attention to speed.
class NaiveBook {
 public:
  explicit NaiveBook(Qty lot) : lot_(lot) {}
  void open_day(Tick lower, Tick upper, Tick reference) {
    bids_.clear();
    asks_.clear();
    lower_ = lower;
    upper_ = upper;
    reference_ = reference;
  }
  void set_phase(BookPhase p) { phase_ = p; }

  SubmitResult submit(const OrderRequest& o, std::vector<Trade>& trades) {
    SubmitResult r;
    if (phase_ == BookPhase::Closed) return r.reject = RejectReason::BookClosed, r;
    if (o.qty <= 0) return r.reject = RejectReason::NonPositiveQuantity, r;
    if (o.side == Side::Buy && o.qty % lot_ != 0) return r.reject = RejectReason::BadLot, r;
    const Tick limit = o.type == OrderType::Market ? (o.side == Side::Buy ? upper_ : lower_) : o.price;
    if (limit < lower_ || limit > upper_) return r.reject = RejectReason::BookPriceOutsideBand, r;
    if (find(o.id)) return r.reject = RejectReason::DuplicateOrderId, r;
    r.limit_price = limit;
    Qty left = o.qty;
    if (phase_ == BookPhase::Continuous) {
      auto& other = o.side == Side::Buy ? asks_ : bids_;
      while (left > 0) {
        NaiveOrder* best = best_of(other, o.side == Side::Buy ? Side::Sell : Side::Buy);
        if (!best) break;
        if (o.side == Side::Buy ? best->price > limit : best->price < limit) break;
        const Qty f = std::min(left, best->qty);
        const Tick buy_limit = o.side == Side::Buy ? limit : best->price;
        trades.push_back(Trade{best->id, o.id, best->owner, o.owner, o.side, best->price, f, buy_limit});
        left -= f;
        best->qty -= f;
        remove_empty(other);
      }
    }
    r.filled = o.qty - left;
    r.resting = left;
    if (left > 0) (o.side == Side::Buy ? bids_ : asks_)[limit].push_back({o.id, o.owner, o.side, limit, left, seq_++});
    return r;
  }

  CancelResult cancel(OrderId id, AccountId owner) {
    CancelResult r;
    for (auto* book : {&bids_, &asks_})
      for (auto& [price, queue] : *book)
        for (auto it = queue.begin(); it != queue.end(); ++it)
          if (it->id == id) {
            if (it->owner != owner) return r.reject = RejectReason::NotOwner, r;
            r.side = it->side;
            r.price = it->price;
            r.remaining = it->qty;
            queue.erase(it);
            remove_empty(*book);
            return r;
          }
    r.reject = RejectReason::UnknownOrder;
    return r;
  }

  AuctionResult uncross(std::vector<Trade>& trades) {
    AuctionResult chosen;
    Qty best_imb = 0;
    std::int64_t best_dist = 0;
    const Tick from = std::max(lower_, best(Side::Sell)), to = best(Side::Buy);  // elsewhere nothing trades
    for (Tick p = from; p <= to; ++p) {
      Qty buys = 0, sells = 0;
      for (auto& [price, q] : bids_)
        if (price >= p) for (auto& o : q) buys += o.qty;
      for (auto& [price, q] : asks_)
        if (price <= p) for (auto& o : q) sells += o.qty;
      const Qty vol = std::min(buys, sells);
      if (vol == 0) continue;
      const Qty imb = std::abs(buys - sells);
      const std::int64_t dist = reference_ == kNoPrice ? 0 : std::abs(std::int64_t{p} - reference_);
      if (vol > chosen.volume || (vol == chosen.volume && (imb < best_imb || (imb == best_imb && dist < best_dist)))) {
        chosen = {p, vol};
        best_imb = imb;
        best_dist = dist;
      }
    }
    for (Qty left = chosen.volume; left > 0;) {
      NaiveOrder* b = best_of(bids_, Side::Buy);
      NaiveOrder* a = best_of(asks_, Side::Sell);
      const Qty f = std::min({left, b->qty, a->qty});
      const NaiveOrder* taker = b->seq > a->seq ? b : a;
      const NaiveOrder* maker = b->seq > a->seq ? a : b;
      trades.push_back(Trade{maker->id, taker->id, maker->owner, taker->owner, taker->side, chosen.price, f, b->price});
      b->qty -= f;
      a->qty -= f;
      left -= f;
      remove_empty(bids_);
      remove_empty(asks_);
    }
    return chosen;
  }

  std::vector<RestingOrder> resting() const {
    std::vector<RestingOrder> out;
    for (auto it = bids_.rbegin(); it != bids_.rend(); ++it)
      for (auto& o : it->second) out.push_back({o.id, o.owner, o.side, o.price, o.qty});
    for (auto& [price, q] : asks_)
      for (auto& o : q) out.push_back({o.id, o.owner, o.side, o.price, o.qty});
    return out;
  }
  Tick best(Side s) const {
    const auto& m = s == Side::Buy ? bids_ : asks_;
    if (m.empty()) return kNoPrice;
    return s == Side::Buy ? m.rbegin()->first : m.begin()->first;
  }
  Qty total(Side s) const {
    Qty t = 0;
    for (auto& [p, q] : (s == Side::Buy ? bids_ : asks_))
      for (auto& o : q) t += o.qty;
    return t;
  }

 private:
  using Side_ = std::map<Tick, std::list<NaiveOrder>>;
  NaiveOrder* best_of(Side_& m, Side s) {
    if (m.empty()) return nullptr;
    return s == Side::Buy ? &m.rbegin()->second.front() : &m.begin()->second.front();
  }
  static void remove_empty(Side_& m) {
    for (auto it = m.begin(); it != m.end();) {
      it->second.remove_if([](const NaiveOrder& o) { return o.qty == 0; });
      it = it->second.empty() ? m.erase(it) : std::next(it);
    }
  }
  bool find(OrderId id) const {
    for (auto* m : {&bids_, &asks_})
      for (auto& [p, q] : *m)
        for (auto& o : q)
          if (o.id == id) return true;
    return false;
  }

  Qty lot_;
  BookPhase phase_ = BookPhase::Closed;
  Tick lower_ = 0, upper_ = -1, reference_ = kNoPrice;
  Side_ bids_, asks_;
  std::uint64_t seq_ = 0;
};

bool same(const Trade& a, const Trade& b) {
  return a.maker_id == b.maker_id && a.taker_id == b.taker_id && a.maker == b.maker && a.taker == b.taker &&
         a.taker_side == b.taker_side && a.price == b.price && a.qty == b.qty && a.buy_limit == b.buy_limit;
}
bool same(const RestingOrder& a, const RestingOrder& b) {
  return a.id == b.id && a.owner == b.owner && a.side == b.side && a.price == b.price && a.qty == b.qty;
}

void run_random_days(std::uint64_t seed, Qty lot, Tick reference, Tick half_band, int days, int ops_per_day) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  OrderBook fast(BookRules{lot});
  NaiveBook naive(lot);
  std::vector<Trade> ft, nt;
  OrderId next_id = 1;
  std::size_t checked_trades = 0;

  auto compare_state = [&](int op) {
    INFO("seed " << seed << " op " << op);
    REQUIRE(ft.size() == nt.size());
    for (std::size_t i = 0; i < ft.size(); ++i) REQUIRE(same(ft[i], nt[i]));
    checked_trades += ft.size();
    ft.clear();
    nt.clear();
    REQUIRE(fast.best_bid() == naive.best(Side::Buy));
    REQUIRE(fast.best_ask() == naive.best(Side::Sell));
    REQUIRE(fast.total_volume(Side::Buy) == naive.total(Side::Buy));
    REQUIRE(fast.total_volume(Side::Sell) == naive.total(Side::Sell));
  };
  auto compare_books = [&] {
    const auto a = resting(fast);
    const auto b = naive.resting();
    REQUIRE(a.size() == b.size());
    REQUIRE(fast.order_count() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(same(a[i], b[i]));
    for (const auto& o : a) REQUIRE(fast.volume_at(o.side, o.price) > 0);
  };

  for (int day = 0; day < days; ++day) {
    const Tick ref = static_cast<Tick>(reference + uniform(-half_band / 4, half_band / 4));
    const Tick lower = ref - half_band, upper = ref + half_band;
    fast.open_day(lower, upper, ref);
    naive.open_day(lower, upper, ref);
    compare_books();
    const int auction_ops = ops_per_day / 5;
    for (int op = 0; op < ops_per_day; ++op) {
      BookPhase phase = op < auction_ops ? BookPhase::CallAuction : BookPhase::Continuous;
      if (op == ops_per_day - 3) phase = BookPhase::Closed;
      fast.set_phase(phase);
      naive.set_phase(phase);
      const auto kind = uniform(0, 99);
      if (kind < 55) {  // limit, sometimes outside the band, sometimes a reused id
        const Side side = uniform(0, 1) ? Side::Buy : Side::Sell;
        const Tick centre = side == Side::Buy ? ref - 2 : ref + 2;
        const Tick price = static_cast<Tick>(centre + uniform(-half_band / 3, half_band / 3) +
                                             (uniform(0, 40) == 0 ? half_band : 0));
        Qty qty = uniform(1, 8) * (side == Side::Buy ? lot : uniform(1, 3) * lot);
        if (uniform(0, 30) == 0) qty = uniform(-1, 150);
        const OrderId id = uniform(0, 50) == 0 && next_id > 1 ? uniform(1, next_id - 1) : next_id++;
        const auto owner = static_cast<AccountId>(uniform(1, 4));
        const OrderRequest o{id, owner, side, OrderType::Limit, price, qty};
        const SubmitResult a = fast.submit(o, ft);
        const SubmitResult b = naive.submit(o, nt);
        REQUIRE(a.reject == b.reject);
        REQUIRE(a.filled == b.filled);
        REQUIRE(a.resting == b.resting);
        REQUIRE(a.limit_price == b.limit_price);
      } else if (kind < 65) {  // market
        const Side side = uniform(0, 1) ? Side::Buy : Side::Sell;
        const OrderRequest o{next_id++, 1, side, OrderType::Market, kNoPrice, uniform(1, 10) * lot};
        const SubmitResult a = fast.submit(o, ft);
        const SubmitResult b = naive.submit(o, nt);
        REQUIRE(a.reject == b.reject);
        REQUIRE(a.filled == b.filled);
        REQUIRE(a.resting == b.resting);
      } else if (kind < 97) {  // cancel: mostly recent ids, some long gone, some wrong owners
        const OrderId id = static_cast<OrderId>(uniform(std::max<std::int64_t>(1, next_id - 60), next_id));
        const auto owner = static_cast<AccountId>(uniform(1, 4));
        const CancelResult a = fast.cancel(id, owner);
        const CancelResult b = naive.cancel(id, owner);
        REQUIRE(a.reject == b.reject);
        if (a.reject == RejectReason::None) {
          REQUIRE(a.side == b.side);
          REQUIRE(a.price == b.price);
          REQUIRE(a.remaining == b.remaining);
        }
      } else {  // auction uncross mid-phase (also a no-op check in continuous)
        const AuctionResult a = fast.uncross(ft);
        const AuctionResult b = naive.uncross(nt);
        REQUIRE(a.price == b.price);
        REQUIRE(a.volume == b.volume);
      }
      if (op == auction_ops - 1) {  // the opening uncross
        const AuctionResult a = fast.uncross(ft);
        const AuctionResult b = naive.uncross(nt);
        REQUIRE(a.price == b.price);
        REQUIRE(a.volume == b.volume);
      }
      REQUIRE(fast.locked_limit_down() ==
              (naive.total(Side::Buy) == 0 && !naive.resting().empty() && naive.best(Side::Sell) == lower));
      compare_state(op);
      if (op % 50 == 0) compare_books();
    }
    compare_books();
  }
  CHECK(checked_trades > static_cast<std::size_t>(days * ops_per_day / 10));  // the test really trades
}

}  // namespace

TEST_CASE("the book matches a naive reference book on random stock order streams", "[book][property]") {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) run_random_days(seed, 100, 1000, 100, 5, 1500);
}

TEST_CASE("the book matches a naive reference book on a narrow band with many collisions", "[book][property]") {
  run_random_days(77, 100, 50, 5, 10, 1000);
}

TEST_CASE("the book matches a naive reference book on a futures-width band", "[book][property]") {
  run_random_days(2024, 1, 30000, 3000, 3, 1500);
}
