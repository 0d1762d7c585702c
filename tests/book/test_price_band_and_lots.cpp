// Order validation: price band, buy lots (odd-lot sells allowed), quantities, ids, closed book,
// and market orders turned into limit orders at the band bound.
#include <catch2/catch.hpp>

#include "book_helpers.hpp"

using namespace stampede;
using namespace stampede::test;

TEST_CASE("limit prices outside the inclusive band are rejected", "[book][band]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  CHECK(book.submit(limit(1, Side::Buy, 899, 100), trades).reject == RejectReason::BookPriceOutsideBand);
  CHECK(book.submit(limit(2, Side::Sell, 1101, 100), trades).reject == RejectReason::BookPriceOutsideBand);
  CHECK(book.submit(limit(3, Side::Buy, 900, 100), trades).reject == RejectReason::None);
  CHECK(book.submit(limit(4, Side::Sell, 1100, 100), trades).reject == RejectReason::None);
  CHECK(book.order_count() == 2);
  CHECK(std::string(to_string(RejectReason::BookPriceOutsideBand)) == "book_price_outside_band");
}

TEST_CASE("buys must be whole lots, sells may be odd lots", "[book][lots]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  const SubmitResult bad = book.submit(limit(1, Side::Buy, 1000, 150), trades);
  CHECK(bad.reject == RejectReason::BadLot);
  CHECK(bad.filled == 0);
  CHECK(book.submit(limit(2, Side::Sell, 1000, 37), trades).reject == RejectReason::None);
  CHECK(book.submit(limit(3, Side::Buy, 1000, 100), trades).reject == RejectReason::None);
  REQUIRE(trades.size() == 1);
  CHECK(trades[0].qty == 37);
  CHECK(book.volume_at(Side::Buy, 1000) == 63);  // the remainder of a whole-lot buy rests
  CHECK(std::string(to_string(RejectReason::BadLot)) == "bad_lot");
}

TEST_CASE("a buy lot of 1 (futures) accepts any positive quantity", "[book][lots]") {
  OrderBook book = continuous_book(BookRules{1});
  std::vector<Trade> trades;
  CHECK(book.submit(limit(1, Side::Buy, 1000, 3), trades).reject == RejectReason::None);
}

TEST_CASE("validation order: closed, quantity, lot, band, duplicate id", "[book][band]") {
  OrderBook book(BookRules{100});
  std::vector<Trade> trades;
  book.open_day(900, 1100, 1000);
  CHECK(book.phase() == BookPhase::Closed);
  CHECK(book.submit(limit(1, Side::Buy, 2000, -5), trades).reject == RejectReason::BookClosed);
  book.set_phase(BookPhase::Continuous);
  CHECK(book.submit(limit(1, Side::Buy, 2000, 0), trades).reject == RejectReason::NonPositiveQuantity);
  CHECK(book.submit(limit(1, Side::Sell, 1000, -100), trades).reject == RejectReason::NonPositiveQuantity);
  CHECK(book.submit(limit(1, Side::Buy, 2000, 150), trades).reject == RejectReason::BadLot);
  CHECK(book.submit(limit(1, Side::Buy, 2000, 100), trades).reject == RejectReason::BookPriceOutsideBand);
  REQUIRE(book.submit(limit(1, Side::Buy, 1000, 100), trades).reject == RejectReason::None);
  CHECK(book.submit(limit(1, Side::Sell, 1050, 100), trades).reject == RejectReason::DuplicateOrderId);
  CHECK(book.order_count() == 1);
  CHECK(trades.empty());
}

TEST_CASE("a market order becomes a limit order at the band bound and rests there if unfilled",
          "[book][market]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Sell, 1010, 100), trades);
  book.submit(limit(2, Side::Sell, 1090, 100), trades);
  const SubmitResult r = book.submit(market(3, Side::Buy, 300), trades);
  CHECK(r.reject == RejectReason::None);
  CHECK(r.limit_price == 1100);
  CHECK(r.filled == 200);
  CHECK(r.resting == 100);
  REQUIRE(trades.size() == 2);
  CHECK(trades[0].price == 1010);
  CHECK(trades[1].price == 1090);
  CHECK(book.best_bid() == 1100);
  CHECK(book.volume_at(Side::Buy, 1100) == 100);

  const SubmitResult s = book.submit(market(4, Side::Sell, 250), trades);
  CHECK(s.limit_price == 900);
  CHECK(s.filled == 100);
  CHECK(trades.back().price == 1100);
  CHECK(book.best_ask() == 900);
  CHECK(book.volume_at(Side::Sell, 900) == 150);
}

TEST_CASE("a market order into an empty book rests at the bound", "[book][market]") {
  OrderBook book = continuous_book();
  std::vector<Trade> trades;
  const SubmitResult r = book.submit(market(1, Side::Sell, 100), trades);
  CHECK(r.resting == 100);
  CHECK(book.best_ask() == 900);
}

TEST_CASE("names of sides and reasons", "[book]") {
  CHECK(std::string(to_string(Side::Buy)) == "buy");
  CHECK(std::string(to_string(Side::Sell)) == "sell");
  CHECK(std::string(to_string(RejectReason::DuplicateOrderId)) == "duplicate_order_id");
  CHECK(std::string(to_string(RejectReason::NonPositiveQuantity)) == "non_positive_quantity");
  CHECK(std::string(to_string(RejectReason::UnknownOrder)) == "unknown_order");
  CHECK(std::string(to_string(RejectReason::NotOwner)) == "not_owner");
  CHECK(std::string(to_string(RejectReason::BookClosed)) == "book_closed");
}
