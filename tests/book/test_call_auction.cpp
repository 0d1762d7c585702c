// Call auction: orders accumulate (crossing allowed), then uncross() trades everything that can
// trade at one price: max volume, then min imbalance, then closest to the reference, then lower.
#include <catch2/catch.hpp>

#include "book_helpers.hpp"

using namespace stampede;
using namespace stampede::test;

namespace {
OrderBook auction_book(Tick reference = 1000) {
  OrderBook book;
  book.open_day(900, 1100, reference);
  book.set_phase(BookPhase::CallAuction);
  return book;
}
}  // namespace

TEST_CASE("during the call auction crossing orders rest without trading", "[book][auction]") {
  OrderBook book = auction_book();
  std::vector<Trade> trades;
  const SubmitResult r = book.submit(limit(1, Side::Buy, 1010, 100), trades);
  CHECK(r.resting == 100);
  book.submit(limit(2, Side::Sell, 990, 100), trades);
  CHECK(trades.empty());
  CHECK(book.best_bid() == 1010);
  CHECK(book.best_ask() == 990);
}

TEST_CASE("the auction price maximises executed volume", "[book][auction]") {
  OrderBook book = auction_book();
  std::vector<Trade> trades;
  // Buys: 300@1005, 200@1002, 500@998. Sells: 100@995, 400@1000, 300@1004.
  book.submit(limit(1, Side::Buy, 1005, 300), trades);
  book.submit(limit(2, Side::Buy, 1002, 200), trades);
  book.submit(limit(3, Side::Buy, 998, 500), trades);
  book.submit(limit(4, Side::Sell, 995, 100), trades);
  book.submit(limit(5, Side::Sell, 1000, 400), trades);
  book.submit(limit(6, Side::Sell, 1004, 300), trades);
  // At 1000..1002: buys >= p are 500, sells <= p are 500 -> 500 (the maximum).
  // At 998: buys 1000, sells 100. At 1004: buys 300, sells 800 -> 300.
  // 1000, 1001, 1002 all give 500 with imbalance 0; closest to the reference 1000 is 1000.
  const AuctionResult a = book.uncross(trades);
  CHECK(a.price == 1000);
  CHECK(a.volume == 500);
  Qty total = 0;
  for (const Trade& t : trades) {
    CHECK(t.price == 1000);
    total += t.qty;
  }
  CHECK(total == 500);
  CHECK(book.best_bid() == 998);
  CHECK(book.best_ask() == 1004);
  CHECK(book.volume_at(Side::Buy, 998) == 500);
  CHECK(book.volume_at(Side::Sell, 1004) == 300);
}

TEST_CASE("among equal volumes and imbalances the price closest to the reference wins", "[book][auction]") {
  OrderBook book = auction_book(1000);
  std::vector<Trade> trades;
  // Buys 200@1010, 100@1005. Sells 100@990, 200@1008.
  // 990..1007: volume 100. 1008..1010: buys >= p 200, sells <= p 300 -> volume 200, imbalance 100.
  book.submit(limit(1, Side::Buy, 1010, 200), trades);
  book.submit(limit(2, Side::Buy, 1005, 100), trades);
  book.submit(limit(3, Side::Sell, 990, 100), trades);
  book.submit(limit(4, Side::Sell, 1008, 200), trades);
  const AuctionResult a = book.uncross(trades);
  CHECK(a.volume == 200);
  CHECK(a.price == 1008);
}

TEST_CASE("imbalance decides before the distance to the reference", "[book][auction]") {
  OrderBook book = auction_book(1000);
  std::vector<Trade> trades;
  // Buys 100@1020, 100@1000 (total 200 at <=1000). Sells 100@1000, 200@1020.
  // p=1000: buys>=1000 = 200, sells<=1000 = 100 -> vol 100, imb 100.
  // p in 1001..1019: buys 100, sells 100 -> vol 100, imb 0.  p=1020: buys 100, sells 300 -> vol 100, imb 200.
  book.submit(limit(1, Side::Buy, 1020, 100), trades);
  book.submit(limit(2, Side::Buy, 1000, 100), trades);
  book.submit(limit(3, Side::Sell, 1000, 100), trades);
  book.submit(limit(4, Side::Sell, 1020, 200), trades);
  const AuctionResult a = book.uncross(trades);
  CHECK(a.volume == 100);
  CHECK(a.price == 1001);  // imbalance 0 beats the reference price itself
}

TEST_CASE("with everything tied the price closest to the reference wins, then the lower price",
          "[book][auction]") {
  std::vector<Trade> trades;
  {
    OrderBook book = auction_book(1003);
    book.submit(limit(1, Side::Buy, 1010, 100), trades);
    book.submit(limit(2, Side::Sell, 990, 100), trades);
    CHECK(book.uncross(trades).price == 1003);
  }
  {
    OrderBook book = auction_book(1050);  // reference above the crossing range
    book.submit(limit(1, Side::Buy, 1010, 100), trades);
    book.submit(limit(2, Side::Sell, 990, 100), trades);
    CHECK(book.uncross(trades).price == 1010);
  }
  {
    OrderBook book = auction_book(kNoPrice);  // no reference: lowest of the tied prices
    book.submit(limit(1, Side::Buy, 1010, 100), trades);
    book.submit(limit(2, Side::Sell, 990, 100), trades);
    CHECK(book.uncross(trades).price == 990);
  }
}

TEST_CASE("a one-sided or uncrossed auction trades nothing", "[book][auction]") {
  std::vector<Trade> trades;
  OrderBook book = auction_book();
  CHECK(book.uncross(trades).price == kNoPrice);
  book.submit(limit(1, Side::Buy, 1010, 100), trades);
  book.submit(limit(2, Side::Buy, 1000, 100), trades);
  AuctionResult a = book.uncross(trades);
  CHECK(a.price == kNoPrice);
  CHECK(a.volume == 0);
  book.submit(limit(3, Side::Sell, 1011, 100), trades);
  a = book.uncross(trades);
  CHECK(a.price == kNoPrice);
  CHECK(trades.empty());
  CHECK(book.order_count() == 3);
}

TEST_CASE("auction execution follows price-time priority, the later order is the taker, leftovers rest",
          "[book][auction]") {
  OrderBook book = auction_book(1000);
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Sell, 1000, 100, 11), trades);  // earliest sell
  book.submit(limit(2, Side::Buy, 1000, 100, 12), trades);
  book.submit(limit(3, Side::Buy, 1001, 100, 13), trades);   // better price, later
  book.submit(limit(4, Side::Sell, 999, 150, 14), trades);   // better price sell, later than 1..3
  book.submit(limit(5, Side::Buy, 1000, 100, 15), trades);
  // Buys >= 1000: 300, sells <= 1000: 250 -> price 1000 volume 250 (999: buys 300, sells 150).
  const AuctionResult a = book.uncross(trades);
  CHECK(a.price == 1000);
  CHECK(a.volume == 250);
  REQUIRE(trades.size() == 4);
  // Bid queue: 3 (1001), 2, 5 (1000). Ask queue: 4 (999), 1 (1000).
  CHECK(trades[0].qty == 100);  // 3 vs 4: order 4 arrived later -> sell is the taker
  CHECK(trades[0].taker_id == 4);
  CHECK(trades[0].maker_id == 3);
  CHECK(trades[0].taker_side == Side::Sell);
  CHECK(trades[0].taker == 14);
  CHECK(trades[0].maker == 13);
  CHECK(trades[1].qty == 50);  // 2 vs rest of 4: 4 is later
  CHECK(trades[1].maker_id == 2);
  CHECK(trades[1].taker_id == 4);
  CHECK(trades[2].qty == 50);  // rest of 2 vs 1: buy 2 is later
  CHECK(trades[2].maker_id == 1);
  CHECK(trades[2].taker_id == 2);
  CHECK(trades[2].taker_side == Side::Buy);
  CHECK(trades[3].qty == 50);  // 5 vs rest of 1
  CHECK(trades[3].maker_id == 1);
  CHECK(trades[3].taker_id == 5);
  for (const Trade& t : trades) CHECK(t.price == 1000);
  CHECK(trades[0].buy_limit == 1001);  // the buy order's own limit, not the auction price
  CHECK(trades[3].buy_limit == 1000);
  // Leftover: 50 of order 5 rests; no sell remains.
  const auto left = resting(book);
  REQUIRE(left.size() == 1);
  CHECK(left[0].id == 5);
  CHECK(left[0].qty == 50);
  CHECK(book.best_ask() == kNoPrice);
  CHECK(book.total_volume(Side::Buy) == 50);
}

TEST_CASE("market orders in the auction rest at the bound and take part in the uncross", "[book][auction]") {
  OrderBook book = auction_book(1000);
  std::vector<Trade> trades;
  book.submit(market(1, Side::Sell, 300), trades);  // at 900
  book.submit(limit(2, Side::Buy, 980, 200), trades);
  book.submit(limit(3, Side::Buy, 950, 200), trades);
  // 900..950: buys 400, sells 300 -> 300 (imb 100); 951..980: buys 200 -> 200.
  // Ties over 900..950 with imbalance 100: closest to 1000 is 950.
  const AuctionResult a = book.uncross(trades);
  CHECK(a.volume == 300);
  CHECK(a.price == 950);
  CHECK(book.volume_at(Side::Buy, 950) == 100);
}

TEST_CASE("after the uncross the continuous phase matches against the leftovers", "[book][auction]") {
  OrderBook book = auction_book(1000);
  std::vector<Trade> trades;
  book.submit(limit(1, Side::Buy, 1000, 300), trades);
  book.submit(limit(2, Side::Sell, 1000, 100), trades);
  book.uncross(trades);
  book.set_phase(BookPhase::Continuous);
  trades.clear();
  book.submit(limit(3, Side::Sell, 995, 200), trades);
  REQUIRE(trades.size() == 1);
  CHECK(trades[0].maker_id == 1);
  CHECK(trades[0].price == 1000);
  CHECK(trades[0].qty == 200);
  CHECK(book.order_count() == 0);
}
