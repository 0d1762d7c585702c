// Cancels: only the owner may cancel, only a resting order, and the best price moves on.
#include <catch2/catch.hpp>

#include "book_helpers.hpp"

using namespace stampede;
using namespace stampede::test;

TEST_CASE("cancel removes a resting order and reports what was left", "[book][cancel]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Buy, 999, 300, 7), trades);
  const CancelResult c = book.cancel(1, 7);
  CHECK(c.reject == RejectReason::None);
  CHECK(c.side == Side::Buy);
  CHECK(c.price == 999);
  CHECK(c.remaining == 300);
  CHECK(book.order_count() == 0);
  CHECK(book.best_bid() == kNoPrice);
  CHECK(book.volume_at(Side::Buy, 999) == 0);
  CHECK(book.total_volume(Side::Buy) == 0);
}

TEST_CASE("cancel of a partially filled order returns the unfilled remainder", "[book][cancel]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Sell, 1001, 500, 7), trades);
  book.submit(limit(2, Side::Buy, 1001, 200, 8), trades);
  const CancelResult c = book.cancel(1, 7);
  CHECK(c.reject == RejectReason::None);
  CHECK(c.remaining == 300);
  CHECK(c.side == Side::Sell);
  CHECK(book.best_ask() == kNoPrice);
}

TEST_CASE("cancel rejects unknown, filled, already cancelled orders and other owners", "[book][cancel]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  CHECK(book.cancel(42, 1).reject == RejectReason::UnknownOrder);

  book.submit(limit(1, Side::Sell, 1001, 100, 7), trades);
  CHECK(book.cancel(1, 8).reject == RejectReason::NotOwner);
  CHECK(book.order_count() == 1);  // still there

  book.submit(limit(2, Side::Buy, 1001, 100, 8), trades);  // fills order 1 completely
  CHECK(book.cancel(1, 7).reject == RejectReason::UnknownOrder);

  book.submit(limit(3, Side::Buy, 990, 100, 8), trades);
  CHECK(book.cancel(3, 8).reject == RejectReason::None);
  CHECK(book.cancel(3, 8).reject == RejectReason::UnknownOrder);
}

TEST_CASE("cancelling the best level moves the best price to the next level, others keep their place",
          "[book][cancel]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Sell, 1002, 100), trades);
  book.submit(limit(2, Side::Sell, 1002, 100), trades);
  book.submit(limit(3, Side::Sell, 1002, 100), trades);
  book.submit(limit(4, Side::Sell, 1090, 100), trades);
  REQUIRE(book.cancel(2, 1).reject == RejectReason::None);  // middle of the queue
  book.submit(limit(5, Side::Buy, 1002, 200), trades);
  REQUIRE(trades.size() == 2);
  CHECK(trades[0].maker_id == 1);
  CHECK(trades[1].maker_id == 3);
  CHECK(book.best_ask() == 1090);
  REQUIRE(book.cancel(4, 1).reject == RejectReason::None);
  CHECK(book.best_ask() == kNoPrice);
  CHECK(book.order_count() == 0);
}

TEST_CASE("an id becomes free again once its order has left the book", "[book][cancel]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Buy, 999, 100), trades);
  CHECK(book.submit(limit(1, Side::Buy, 998, 100), trades).reject == RejectReason::DuplicateOrderId);
  book.cancel(1, 1);
  CHECK(book.submit(limit(1, Side::Buy, 998, 100), trades).reject == RejectReason::None);
}

TEST_CASE("submit with type Cancel is forwarded to cancel", "[book][cancel]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Buy, 999, 100), trades);
  CHECK(book.submit(OrderRequest{1, 2, Side::Buy, OrderType::Cancel, kNoPrice, 0}, trades).reject ==
        RejectReason::NotOwner);
  CHECK(book.submit(OrderRequest{1, 1, Side::Buy, OrderType::Cancel, kNoPrice, 0}, trades).reject ==
        RejectReason::None);
  CHECK(book.order_count() == 0);
}
