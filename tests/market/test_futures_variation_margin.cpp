// Daily mark to market of index futures. A trade's cash waits for the close; at the daily
// settlement every account receives (settlement - trade price) * qty * tick value for today's
// trades, and (settlement - previous settlement) * qty * tick value for positions carried over.
// Long and short receive opposite amounts, so the total is always zero.
// Prices below are in ticks of 0.2 index points; one tick of one IM contract is
// 0.2 * 200 yuan = 40 yuan = 4,000 fen.
#include <catch2/catch.hpp>

#include "sim/market/accounts.hpp"
#include "sim/market/futures.hpp"

using namespace stampede;

namespace {
constexpr Fen kTickFen = 4'000;
constexpr std::array<Fen, kFuturesSlots> kNoMargin{0, 0};
Fen fen(Tick t) { return static_cast<Fen>(t) * kTickFen; }

struct Pair {
  AccountBook book;
  AccountId longacc = book.open(1, 100'000'000);
  AccountId shortacc = book.open(2, 100'000'000);
};
}  // namespace

TEST_CASE("two accounts trading at one price and settled at another receive opposite amounts", "[futures][margin]") {
  Pair p;
  // 3 contracts at 5400.0 points (27,000 ticks); settlement 5430.0 points (27,150 ticks).
  p.book.settle_futures_trade(p.longacc, p.shortacc, 0, fen(27'000), 3, 0, kNoMargin);
  CHECK(p.book[p.longacc].futures(0).qty == 3);
  CHECK(p.book[p.shortacc].futures(0).qty == -3);
  CHECK(p.book.total_futures(0) == 0);
  // Nothing is paid at the trade itself.
  CHECK(p.book[p.longacc].cash == 100'000'000);
  CHECK(p.book[p.shortacc].cash == 100'000'000);

  settle_variation_margin(p.book, 0, fen(27'150));
  // 150 ticks * 3 contracts * 4,000 fen = 1,800,000 fen (18,000 yuan).
  CHECK(p.book[p.longacc].cash == 100'000'000 + 1'800'000);
  CHECK(p.book[p.shortacc].cash == 100'000'000 - 1'800'000);
  CHECK(p.book.total_cash() == 200'000'000);
  CHECK(p.book[p.longacc].futures(0).trade_cash == 0);
  CHECK(p.book[p.longacc].futures(0).mark_base == 3 * 108'600'000);
}

TEST_CASE("a position carried into a second day is marked from the previous settlement", "[futures][margin]") {
  Pair p;
  p.book.settle_futures_trade(p.longacc, p.shortacc, 0, fen(27'000), 3, 0, kNoMargin);
  settle_variation_margin(p.book, 0, fen(27'150));   // day 1: long +1,800,000
  settle_variation_margin(p.book, 0, fen(26'900));   // day 2, no trades: -250 ticks * 3 * 4,000
  CHECK(p.book[p.longacc].cash == 100'000'000 + 1'800'000 - 3'000'000);
  CHECK(p.book[p.shortacc].cash == 100'000'000 - 1'800'000 + 3'000'000);
  // Day 3 settles where day 2 did: nothing moves.
  settle_variation_margin(p.book, 0, fen(26'900));
  CHECK(p.book[p.longacc].cash == 98'800'000);
  CHECK(p.book.total_cash() == 200'000'000);
}

TEST_CASE("closing part of a carried position on day 2", "[futures][margin]") {
  Pair p;
  p.book.settle_futures_trade(p.longacc, p.shortacc, 0, fen(27'000), 3, 0, kNoMargin);
  settle_variation_margin(p.book, 0, fen(27'150));
  // Day 2: the long sells 1 back at 27,100; the day settles at 26,900.
  p.book.settle_futures_trade(p.shortacc, p.longacc, 0, fen(27'100), 1, 0, kNoMargin);
  CHECK(p.book[p.longacc].futures(0).qty == 2);
  settle_variation_margin(p.book, 0, fen(26'900));
  // Closed contract: (27,100 - 27,150) * 4,000 = -200,000; the 2 kept: (26,900 - 27,150) * 2 * 4,000 = -2,000,000.
  CHECK(p.book[p.longacc].cash == 100'000'000 + 1'800'000 - 2'200'000);
  CHECK(p.book[p.shortacc].cash == 100'000'000 - 1'800'000 + 2'200'000);
  CHECK(p.book.total_cash() == 200'000'000);
}

TEST_CASE("an intraday round trip pays the price difference and nothing after", "[futures][margin]") {
  Pair p;
  p.book.settle_futures_trade(p.longacc, p.shortacc, 1, fen(27'000), 2, 0, kNoMargin);   // buy 2 at 27,000
  p.book.settle_futures_trade(p.shortacc, p.longacc, 1, fen(27'010), 2, 0, kNoMargin);   // sell 2 at 27,010
  CHECK(p.book[p.longacc].futures(1).qty == 0);
  settle_variation_margin(p.book, 1, fen(30'000));   // the settlement price is irrelevant when flat
  // 10 ticks * 2 contracts * 4,000 fen = 80,000 fen.
  CHECK(p.book[p.longacc].cash == 100'000'000 + 80'000);
  CHECK(p.book[p.shortacc].cash == 100'000'000 - 80'000);
  settle_variation_margin(p.book, 1, fen(20'000));
  CHECK(p.book[p.longacc].cash == 100'000'000 + 80'000);
  // Slot 0 was never touched.
  settle_variation_margin(p.book, 0, fen(20'000));
  CHECK(p.book[p.longacc].cash == 100'000'000 + 80'000);
}

TEST_CASE("variation margin sums to zero over many accounts and trades", "[futures][margin]") {
  AccountBook book;
  for (int i = 0; i < 5; ++i) book.open(i, 50'000'000);
  const Tick prices[] = {27'000, 27'013, 26'987, 27'042, 26'999, 27'020};
  for (int day = 0; day < 3; ++day) {
    for (int k = 0; k < 6; ++k) {
      const AccountId b = (k + day) % 5, s = (k * 2 + 1 + day) % 5;
      if (b == s) continue;
      book.settle_futures_trade(b, s, k % 2, fen(prices[k] + day), 1 + k % 3, 0, kNoMargin);
    }
    settle_variation_margin(book, 0, fen(27'005 - 7 * day));
    settle_variation_margin(book, 1, fen(27'011 + 3 * day));
    CHECK(book.total_cash() == 250'000'000);
    CHECK(book.total_futures(0) == 0);
    CHECK(book.total_futures(1) == 0);
  }
}

TEST_CASE("a futures trade releases both orders' reservations and sets the margin held", "[futures][margin]") {
  Pair p;
  // Margin per contract at 27,000 ticks and 12%: 27,000 * 4,000 * 0.12 = 12,960,000 fen.
  const std::array<Fen, kFuturesSlots> margin{12'960'000, 13'000'000};
  p.book[p.longacc].reserved_cash = 3 * 13'500'000;
  p.book[p.shortacc].reserved_cash = 3 * 13'500'000;
  p.book.settle_futures_trade(p.longacc, p.shortacc, 0, fen(27'000), 3, 13'500'000, margin);
  CHECK(p.book[p.longacc].reserved_cash == 0);
  CHECK(p.book[p.shortacc].reserved_cash == 0);
  CHECK(p.book[p.longacc].futures_margin() == 3 * 12'960'000);
  CHECK(p.book[p.shortacc].futures_margin() == 3 * 12'960'000);
  CHECK(p.book[p.longacc].available_cash() == 100'000'000 - 38'880'000);
}

TEST_CASE("futures_margin_required charges |qty| per slot, shorts like longs", "[futures][margin]") {
  AccountBook book;
  const AccountId id = book.open(1, 0), flat = book.open(2, 0);
  const Account& a = book[id];
  book.futures(id, 0).qty = -3;
  book.futures(id, 1).qty = 2;
  CHECK(futures_margin_required(a, {100, 1'000}) == 3 * 100 + 2 * 1'000);
  book.futures(id, 0).qty = 0;
  CHECK(futures_margin_required(a, {100, 1'000}) == 2'000);
  CHECK(futures_margin_required(book[flat], {12'960'000, 13'000'000}) == 0);
}

TEST_CASE("refresh_futures_margin resets every account's margin to the new per-contract rates", "[futures][margin]") {
  Pair p;
  p.book.settle_futures_trade(p.longacc, p.shortacc, 0, fen(27'000), 2, 0, {10, 20});
  p.book.settle_futures_trade(p.shortacc, p.longacc, 1, fen(27'100), 5, 0, {10, 20});
  const AccountId flat = p.book.open(3, 1'000);
  p.book.futures_account(flat).margin = 777;   // stale: it held futures once, now flat
  refresh_futures_margin(p.book, {12'960'000, 13'008'000});
  CHECK(p.book[p.longacc].futures_margin() == 2 * 12'960'000 + 5 * 13'008'000);
  CHECK(p.book[p.shortacc].futures_margin() == 2 * 12'960'000 + 5 * 13'008'000);
  CHECK(p.book[flat].futures_margin() == 0);
}

TEST_CASE("roll_futures_positions moves the next-contract slot into the front slot", "[futures][margin]") {
  Pair p;
  p.book.settle_futures_trade(p.longacc, p.shortacc, 0, fen(27'000), 3, 0, kNoMargin);
  p.book.settle_futures_trade(p.shortacc, p.longacc, 1, fen(26'900), 2, 0, kNoMargin);
  settle_variation_margin(p.book, 0, fen(27'050));
  settle_variation_margin(p.book, 1, fen(26'950));
  roll_futures_positions(p.book);
  const FuturesPosition& front = p.book[p.longacc].futures(0);
  CHECK(front.qty == -2);
  CHECK(front.trade_cash == 0);
  CHECK(front.mark_base == -2 * fen(26'950));
  CHECK(p.book[p.shortacc].futures(0).qty == 2);
  for (const Account& a : p.book.all()) {
    CHECK(a.futures(1).qty == 0);
    CHECK(a.futures(1).trade_cash == 0);
    CHECK(a.futures(1).mark_base == 0);
  }
  // The rolled position keeps being marked from its last settlement: 26,950 -> 27,000 on 2 contracts.
  const Fen long_cash = p.book[p.longacc].cash;
  settle_variation_margin(p.book, 0, fen(27'000));
  CHECK(p.book[p.longacc].cash == long_cash - 50 * 2 * 4'000);
  CHECK(p.book.total_cash() == 200'000'000);
}
