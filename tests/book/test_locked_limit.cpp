// Locked limit: sellers queue at the limit-down price and nobody bids (or the mirror at limit up).
#include <catch2/catch.hpp>

#include "book_helpers.hpp"

using namespace stampede;
using namespace stampede::test;

TEST_CASE("limit down is locked when sells rest at the lower bound and no buy rests", "[book][locked]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  CHECK_FALSE(book.locked_limit_down());
  book.submit(market(1, Side::Sell, 1000), trades);  // rests at 900
  CHECK(book.locked_limit_down());
  CHECK_FALSE(book.locked_limit_up());

  book.submit(limit(2, Side::Buy, 899 + 1, 100), trades);  // a buyer at the limit takes some
  CHECK(trades.size() == 1);
  CHECK(book.locked_limit_down());  // still locked: the buyer was filled, none rests

  book.submit(limit(3, Side::Buy, 950, 100), trades);
  CHECK(trades.size() == 2);  // crosses the 900 sells
  book.submit(limit(4, Side::Sell, 960, 100), trades);
  book.cancel(1, 1);
  CHECK_FALSE(book.locked_limit_down());  // no sell left at the bound
}

TEST_CASE("a resting buy unlocks limit down even below the sells", "[book][locked]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Sell, 900, 100), trades);
  CHECK(book.locked_limit_down());
  book.set_phase(BookPhase::CallAuction);
  book.submit(limit(2, Side::Buy, 900, 100), trades);  // rests (no matching in the auction)
  CHECK_FALSE(book.locked_limit_down());
}

TEST_CASE("sells above the lower bound do not lock limit down", "[book][locked]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Sell, 901, 100), trades);
  CHECK_FALSE(book.locked_limit_down());
}

TEST_CASE("limit up is locked when buys rest at the upper bound and no sell rests", "[book][locked]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(market(1, Side::Buy, 500), trades);
  CHECK(book.best_bid() == 1100);
  CHECK(book.locked_limit_up());
  CHECK_FALSE(book.locked_limit_down());
  book.submit(limit(2, Side::Sell, 1100, 200), trades);  // filled at once: still locked
  CHECK(book.locked_limit_up());
  CHECK(book.volume_at(Side::Buy, 1100) == 300);
  book.submit(limit(3, Side::Buy, 1050, 100), trades);
  book.cancel(1, 1);
  CHECK_FALSE(book.locked_limit_up());
}
