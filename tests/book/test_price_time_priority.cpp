// Continuous matching: better price first, first come first served within a price, trades at
// the resting order's price, partial fills leave the remainder in place.
#include <catch2/catch.hpp>

#include "book_helpers.hpp"

using namespace stampede;
using namespace stampede::test;

TEST_CASE("an incoming order fills resting orders at the same price in arrival order", "[book][priority]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Sell, 1000, 100, 11), trades);
  book.submit(limit(2, Side::Sell, 1000, 200, 12), trades);
  book.submit(limit(3, Side::Sell, 1000, 300, 13), trades);
  REQUIRE(trades.empty());

  const SubmitResult r = book.submit(limit(4, Side::Buy, 1000, 400, 14), trades);
  CHECK(r.reject == RejectReason::None);
  CHECK(r.filled == 400);
  CHECK(r.resting == 0);
  REQUIRE(trades.size() == 3);
  CHECK(trades[0].maker_id == 1);
  CHECK(trades[0].qty == 100);
  CHECK(trades[1].maker_id == 2);
  CHECK(trades[1].qty == 200);
  CHECK(trades[2].maker_id == 3);
  CHECK(trades[2].qty == 100);  // partial fill of the third order
  for (const Trade& t : trades) {
    CHECK(t.taker_id == 4);
    CHECK(t.taker == 14);
    CHECK(t.taker_side == Side::Buy);
    CHECK(t.price == 1000);
  }
  CHECK(trades[2].maker == 13);
  // The partly filled order keeps its place with what is left.
  CHECK(book.volume_at(Side::Sell, 1000) == 200);
  CHECK(book.order_count() == 1);
  CHECK(book.best_ask() == 1000);
}

TEST_CASE("a better price is filled before an earlier worse price", "[book][priority]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Buy, 995, 100), trades);  // earliest but lowest
  book.submit(limit(2, Side::Buy, 998, 100), trades);
  book.submit(limit(3, Side::Buy, 997, 100), trades);
  CHECK(book.best_bid() == 998);

  book.submit(limit(4, Side::Sell, 990, 250), trades);
  REQUIRE(trades.size() == 3);
  CHECK(trades[0].maker_id == 2);
  CHECK(trades[0].price == 998);
  CHECK(trades[1].maker_id == 3);
  CHECK(trades[1].price == 997);
  CHECK(trades[2].maker_id == 1);
  CHECK(trades[2].price == 995);
  CHECK(trades[2].qty == 50);
  CHECK(book.best_bid() == 995);
  CHECK(book.volume_at(Side::Buy, 995) == 50);
  CHECK(book.best_ask() == kNoPrice);
}

TEST_CASE("trades happen at the resting order's price, not the aggressor's limit", "[book][priority]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Sell, 1003, 100), trades);
  book.submit(limit(2, Side::Buy, 1050, 100), trades);
  REQUIRE(trades.size() == 1);
  CHECK(trades[0].price == 1003);
  CHECK(trades[0].buy_limit == 1050);  // the buyer reserved cash at its own limit
  book.submit(limit(3, Side::Buy, 1001, 100), trades);
  book.submit(limit(4, Side::Sell, 990, 100), trades);
  REQUIRE(trades.size() == 2);
  CHECK(trades[1].price == 1001);
  CHECK(trades[1].buy_limit == 1001);  // a resting buy's limit is its price
}

TEST_CASE("the unfilled rest of an aggressive order rests at its limit and becomes the best price",
          "[book][priority]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Sell, 1001, 100), trades);
  book.submit(limit(2, Side::Sell, 1005, 100), trades);
  const SubmitResult r = book.submit(limit(3, Side::Buy, 1002, 300), trades);
  CHECK(r.filled == 100);
  CHECK(r.resting == 200);
  CHECK(r.limit_price == 1002);
  CHECK(book.best_bid() == 1002);
  CHECK(book.best_ask() == 1005);
  CHECK(book.volume_at(Side::Buy, 1002) == 200);
  CHECK(book.total_volume(Side::Buy) == 200);
  CHECK(book.total_volume(Side::Sell) == 100);
}

TEST_CASE("orders that do not cross rest without trading and the trades vector is appended to",
          "[book][priority]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades{Trade{99, 98, 1, 2, Side::Buy, 1000, 5, 1000}};
  book.submit(limit(1, Side::Buy, 999, 100), trades);
  book.submit(limit(2, Side::Sell, 1000, 100), trades);
  CHECK(trades.size() == 1);  // untouched
  book.submit(limit(3, Side::Sell, 999, 100), trades);
  REQUIRE(trades.size() == 2);
  CHECK(trades[1].maker_id == 1);
  CHECK(book.best_bid() == kNoPrice);
}

TEST_CASE("for_each_resting lists bids best first, then asks best first, each in time order", "[book][priority]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Buy, 990, 100), trades);
  book.submit(limit(2, Side::Sell, 1010, 100), trades);
  book.submit(limit(3, Side::Buy, 995, 100), trades);
  book.submit(limit(4, Side::Buy, 990, 200), trades);
  book.submit(limit(5, Side::Sell, 1005, 7), trades);
  const auto all = resting(book);
  REQUIRE(all.size() == 5);
  CHECK(all[0].id == 3);
  CHECK(all[1].id == 1);
  CHECK(all[2].id == 4);
  CHECK(all[3].id == 5);
  CHECK(all[3].qty == 7);
  CHECK(all[3].side == Side::Sell);
  CHECK(all[4].id == 2);
  CHECK(all[4].price == 1010);
}
