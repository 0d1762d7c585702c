// OrderBook::checkpoint: a book loaded from a checkpoint holds the same resting orders in the same
// queues, band and phase, and matches the next orders (an auction's taker is still the order that
// arrived later) exactly as the original does.
#include <catch2/catch.hpp>

#include "book_helpers.hpp"
#include "sim/core/state_io.hpp"

using namespace stampede;
using namespace stampede::test;

namespace {
bool same(const RestingOrder& a, const RestingOrder& b) {
  return a.id == b.id && a.owner == b.owner && a.side == b.side && a.price == b.price && a.qty == b.qty;
}
bool same(const Trade& a, const Trade& b) {
  return a.maker_id == b.maker_id && a.taker_id == b.taker_id && a.maker == b.maker && a.taker == b.taker &&
         a.taker_side == b.taker_side && a.price == b.price && a.qty == b.qty && a.buy_limit == b.buy_limit;
}
}  // namespace

TEST_CASE("a book loaded from a checkpoint keeps its queues and arrival order", "[book][checkpoint]") {
  OrderBook book;
  book.open_day(900, 1100, 1000);
  book.set_phase(BookPhase::CallAuction);
  std::vector<Trade> trades;
  // Two price levels per side, several orders per level, a cancel in the middle of a queue.
  const OrderRequest orders[] = {limit(1, Side::Buy, 1001, 300, 1), limit(2, Side::Sell, 999, 200, 2),
                                 limit(3, Side::Buy, 1001, 100, 3), limit(4, Side::Buy, 1000, 500, 4),
                                 limit(5, Side::Sell, 999, 400, 5), limit(6, Side::Sell, 1002, 100, 6),
                                 limit(7, Side::Buy, 1001, 200, 7)};
  for (const OrderRequest& o : orders) REQUIRE(book.submit(o, trades).reject == RejectReason::None);
  REQUIRE(book.cancel(3, 3).reject == RejectReason::None);

  std::vector<char> bytes;
  StateIo w(bytes);
  book.checkpoint(w);
  OrderBook loaded;
  loaded.open_day(1, 5, 3);   // anything: loading replaces it
  StateIo r(bytes.data(), bytes.size());
  loaded.checkpoint(r);
  CHECK(r.remaining() == 0);

  CHECK(loaded.lower() == 900);
  CHECK(loaded.upper() == 1100);
  CHECK(loaded.reference() == 1000);
  CHECK(loaded.phase() == BookPhase::CallAuction);
  CHECK(loaded.best_bid() == book.best_bid());
  CHECK(loaded.best_ask() == book.best_ask());
  CHECK(loaded.order_count() == book.order_count());
  CHECK(loaded.total_volume(Side::Buy) == book.total_volume(Side::Buy));
  const auto a = resting(book), b = resting(loaded);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(same(a[i], b[i]));

  // The same next order and the same auction on both.
  for (OrderBook* x : {&book, &loaded}) REQUIRE(x->submit(limit(8, Side::Sell, 1000, 300, 8), trades).reject == RejectReason::None);
  std::vector<Trade> ta, tb;
  const AuctionResult ra = book.uncross(ta), rb = loaded.uncross(tb);
  CHECK(ra.price == rb.price);
  CHECK(ra.volume == rb.volume);
  REQUIRE(ta.size() == tb.size());
  REQUIRE(!ta.empty());
  for (std::size_t i = 0; i < ta.size(); ++i) CHECK(same(ta[i], tb[i]));
  CHECK(loaded.cancel(1, 1).reject == book.cancel(1, 1).reject);
}
