// Day boundaries and band sizes: open_day empties the book (day orders) and re-centres the band;
// a futures-width band (thousands of levels) works the same way.
#include <catch2/catch.hpp>

#include "book_helpers.hpp"

using namespace stampede;
using namespace stampede::test;

TEST_CASE("open_day removes every resting order and sets the new band", "[book][day]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  for (OrderId id = 1; id <= 50; ++id) {
    book.submit(limit(id, Side::Buy, static_cast<Tick>(950 - id), 100), trades);
    book.submit(limit(id + 1000, Side::Sell, static_cast<Tick>(1050 + id), 100), trades);
  }
  REQUIRE(book.order_count() == 100);

  book.open_day(1000, 1200, 1100);
  CHECK(book.lower() == 1000);
  CHECK(book.upper() == 1200);
  CHECK(book.reference() == 1100);
  CHECK(book.phase() == BookPhase::Continuous);  // the phase is the caller's business
  CHECK(book.order_count() == 0);
  CHECK(book.best_bid() == kNoPrice);
  CHECK(book.best_ask() == kNoPrice);
  CHECK(book.total_volume(Side::Buy) == 0);
  CHECK(book.total_volume(Side::Sell) == 0);
  CHECK(book.volume_at(Side::Sell, 1051) == 0);
  CHECK(resting(book).empty());
  CHECK(book.cancel(1, 1).reject == RejectReason::UnknownOrder);
  // Yesterday's ids may be used again and old levels hold nothing.
  CHECK(book.submit(limit(1, Side::Sell, 1051, 100), trades).reject == RejectReason::None);
  CHECK(book.submit(limit(2, Side::Buy, 1051, 300), trades).filled == 100);
  CHECK(trades.size() == 1);
  CHECK(book.submit(limit(3, Side::Buy, 999, 100), trades).reject == RejectReason::BookPriceOutsideBand);
}

TEST_CASE("open_day after many orders (id table grown) still clears every id", "[book][day]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  for (int day = 0; day < 3; ++day) {
    for (OrderId id = 0; id < 5000; ++id)
      REQUIRE(book.submit(limit(id, Side::Buy, static_cast<Tick>(900 + id % 100), 100), trades).reject ==
              RejectReason::None);
    // Cancel most, so the next open_day takes the one-by-one path sometimes.
    if (day == 1)
      for (OrderId id = 0; id < 4990; ++id) REQUIRE(book.cancel(id, 1).reject == RejectReason::None);
    book.open_day(900, 1100, 1000);
    CHECK(book.order_count() == 0);
    for (OrderId id = 0; id < 5000; id += 97) CHECK(book.cancel(id, 1).reject == RejectReason::UnknownOrder);
  }
}

TEST_CASE("a futures-width band of thousands of levels per side", "[book][day]") {
  // IC around 6000 points, tick 0.2 -> 30000 ticks; +-10% -> [27000, 33000].
  OrderBook book(BookRules{1});
  book.open_day(27000, 33000, 30000);
  book.set_phase(BookPhase::Continuous);
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Buy, 27000, 2), trades);
  book.submit(limit(2, Side::Sell, 33000, 3), trades);
  book.submit(limit(3, Side::Buy, 30001, 1), trades);
  CHECK(book.best_bid() == 30001);
  CHECK(book.best_ask() == 33000);
  // Sweeping the bid side across the whole band finds the far level through the bitmap.
  const SubmitResult r = book.submit(market(4, Side::Sell, 10), trades);
  CHECK(r.filled == 3);
  REQUIRE(trades.size() == 2);
  CHECK(trades[0].price == 30001);
  CHECK(trades[1].price == 27000);
  CHECK(book.best_bid() == kNoPrice);
  CHECK(book.best_ask() == 27000);  // the market sell rests at the lower bound
  CHECK(book.locked_limit_down());
  // Cancelling the best ask walks up thousands of empty levels to the next one.
  book.cancel(4, 1);
  CHECK(book.best_ask() == 33000);

  // A wider band on another day, then a narrow one: both work.
  book.open_day(0, 200000, 100000);
  book.submit(limit(5, Side::Sell, 199999, 1), trades);
  book.submit(limit(6, Side::Sell, 3, 1), trades);
  book.cancel(6, 1);
  CHECK(book.best_ask() == 199999);
  book.open_day(100, 110, 105);
  CHECK(book.order_count() == 0);
  CHECK(book.submit(limit(7, Side::Buy, 110, 1), trades).reject == RejectReason::None);
  CHECK(book.best_bid() == 110);
}
