// Stock accounts: a trade moves exactly price*qty fen from buyer to seller and releases the
// buyer's reservation made at the order's limit; shares bought today become sellable only on
// the next day (T+1); a new day clears reservations and drops empty positions. Cash and shares
// are conserved by every operation.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "sim/market/accounts.hpp"

using namespace stampede;

namespace {
constexpr InstrumentId kStock = 7;

struct Market {
  AccountBook book;
  AccountId floatacc, buyer, seller;
  Market() {
    floatacc = book.open(0, 0);
    buyer = book.open(1, 1'000'000);    // 10,000 yuan
    seller = book.open(2, 50'000);
    book.position(floatacc, kStock) = StockPosition{.qty = 10'000, .sellable = 10'000, .stock = kStock};
    book.transfer_shares(floatacc, seller, kStock, 1'000);
  }
  // What the engine does when it accepts orders: a buy reserves limit*qty, a sell takes sellable.
  void reserve_buy(Tick limit, Qty qty) { book[buyer].reserved_cash += static_cast<Fen>(limit) * qty; }
  void accept_sell(Qty qty) { book.position(seller, kStock).sellable -= qty; }
};
}  // namespace

TEST_CASE("transfer_shares moves free shares, which are sellable at once", "[accounts]") {
  Market m;
  CHECK(m.book[m.floatacc].holding(kStock) == 9'000);
  CHECK(m.book[m.floatacc].sellable(kStock) == 9'000);
  CHECK(m.book[m.seller].holding(kStock) == 1'000);
  CHECK(m.book[m.seller].sellable(kStock) == 1'000);
  CHECK(m.book.total_shares(kStock) == 10'000);
}

TEST_CASE("transfer_shares refuses more than the sellable shares, and non-positive amounts", "[accounts]") {
  Market m;
  CHECK_THROWS_AS(m.book.transfer_shares(m.seller, m.buyer, kStock, 1'001), std::logic_error);
  CHECK_THROWS_AS(m.book.transfer_shares(m.seller, m.buyer, kStock, 0), std::logic_error);
  CHECK_THROWS_AS(m.book.transfer_shares(m.seller, m.buyer, kStock, -100), std::logic_error);
  // Shares committed to an open sell order are held but not sellable, so not transferable.
  m.accept_sell(600);
  CHECK_THROWS_AS(m.book.transfer_shares(m.seller, m.buyer, kStock, 500), std::logic_error);
  m.book.transfer_shares(m.seller, m.buyer, kStock, 400);
  CHECK(m.book[m.seller].holding(kStock) == 600);
  CHECK(m.book[m.seller].sellable(kStock) == 0);
  CHECK(m.book[m.buyer].holding(kStock) == 400);
  // Nothing moved on the refused calls.
  CHECK(m.book.total_shares(kStock) == 10'000);
}

TEST_CASE("a stock trade moves exactly price * qty fen from buyer to seller", "[accounts]") {
  Market m;
  m.reserve_buy(1234, 300);
  m.accept_sell(300);
  const Fen total_before = m.book.total_cash();
  m.book.settle_stock_trade(m.buyer, m.seller, kStock, 1234, 300, 1234);
  // 12.34 yuan * 300 shares = 3,702.00 yuan = 370,200 fen.
  CHECK(m.book[m.buyer].cash == 1'000'000 - 370'200);
  CHECK(m.book[m.seller].cash == 50'000 + 370'200);
  CHECK(m.book[m.buyer].reserved_cash == 0);
  CHECK(m.book[m.buyer].holding(kStock) == 300);
  CHECK(m.book[m.seller].holding(kStock) == 700);
  CHECK(m.book[m.seller].sellable(kStock) == 700);
  CHECK(m.book.total_cash() == total_before);
  CHECK(m.book.total_shares(kStock) == 10'000);
}

TEST_CASE("a fill below the buy limit releases the whole reservation made at the limit", "[accounts]") {
  Market m;
  // Buy 500 limit 12.50: reserves 625,000 fen. 200 fill at 12.00 (seller's price).
  m.reserve_buy(1250, 500);
  m.accept_sell(200);
  CHECK(m.book[m.buyer].reserved_cash == 625'000);
  CHECK(m.book[m.buyer].available_cash() == 1'000'000 - 625'000);
  m.book.settle_stock_trade(m.buyer, m.seller, kStock, 1200, 200, 1250);
  // Paid 200 * 1200 = 240,000; released 200 * 1250 = 250,000; 300 * 1250 = 375,000 stays reserved.
  CHECK(m.book[m.buyer].cash == 760'000);
  CHECK(m.book[m.buyer].reserved_cash == 375'000);
  CHECK(m.book[m.buyer].available_cash() == 760'000 - 375'000);
  CHECK(m.book[m.seller].cash == 50'000 + 240'000);

  // The rest fills at 12.49.
  m.accept_sell(300);
  m.book.settle_stock_trade(m.buyer, m.seller, kStock, 1249, 300, 1250);
  CHECK(m.book[m.buyer].cash == 760'000 - 374'700);
  CHECK(m.book[m.buyer].reserved_cash == 0);
  CHECK(m.book[m.seller].cash == 50'000 + 240'000 + 374'700);
  CHECK(m.book.total_cash() == 1'050'000);
}

TEST_CASE("T+1: shares bought today cannot be sold or moved until the next day", "[accounts]") {
  Market m;
  m.reserve_buy(1000, 100);
  m.accept_sell(100);
  m.book.settle_stock_trade(m.buyer, m.seller, kStock, 1000, 100, 1000);
  CHECK(m.book[m.buyer].holding(kStock) == 100);
  CHECK(m.book[m.buyer].sellable(kStock) == 0);
  CHECK_THROWS_AS(m.book.transfer_shares(m.buyer, m.seller, kStock, 100), std::logic_error);

  m.book.start_new_day();
  CHECK(m.book[m.buyer].sellable(kStock) == 100);
  m.book.transfer_shares(m.buyer, m.seller, kStock, 100);
  CHECK(m.book[m.buyer].holding(kStock) == 0);
}

TEST_CASE("a new day clears reservations, restores unsold shares and drops empty positions", "[accounts]") {
  Market m;
  m.reserve_buy(1500, 200);          // an order that never fills: 300,000 fen reserved
  m.reserve_buy(600, 1'000);         // an order that fills completely: 600,000 fen reserved
  m.accept_sell(1'000);              // the seller offers everything
  m.book.settle_stock_trade(m.buyer, m.seller, kStock, 600, 1'000, 600);
  CHECK(m.book[m.buyer].reserved_cash == 300'000);   // only the unfilled order's reservation is left
  CHECK(m.book[m.buyer].cash == 400'000);
  CHECK(m.book[m.seller].holding(kStock) == 0);
  REQUIRE(m.book[m.seller].find(kStock) != nullptr);   // the emptied position is still listed today

  // The float's unsold offer: 2,000 of its 9,000 shares committed to an order that expires.
  m.book.position(m.floatacc, kStock).sellable -= 2'000;

  m.book.start_new_day();
  for (const Account& a : m.book.all()) CHECK(a.reserved_cash == 0);
  CHECK(m.book[m.seller].find(kStock) == nullptr);
  CHECK(m.book[m.seller].stocks().empty());
  CHECK(m.book[m.floatacc].sellable(kStock) == 9'000);
  CHECK(m.book[m.buyer].sellable(kStock) == 1'000);
}

TEST_CASE("positions are kept sorted by stock id", "[accounts]") {
  AccountBook book;
  const AccountId id = book.open(1, 0);
  const Account& a = book[id];
  book.position(id, 9).qty = 100;
  book.position(id, 3).qty = 200;
  book.position(id, 5).qty = 300;
  REQUIRE(a.stocks().size() == 3);
  CHECK(a.stocks()[0].stock == 3);
  CHECK(a.stocks()[1].stock == 5);
  CHECK(a.stocks()[2].stock == 9);
  CHECK(a.holding(5) == 300);
  CHECK(a.holding(4) == 0);
  CHECK(a.find(4) == nullptr);
  book.position(id, 5).qty += 1;   // an existing position is returned, not duplicated
  CHECK(a.stocks().size() == 3);
  CHECK(a.holding(5) == 301);
}

TEST_CASE("available cash is cash less reservations less futures margin", "[accounts]") {
  AccountBook book;
  const AccountId id = book.open(1, 1'000'000);
  Account& a = book[id];
  a.reserved_cash = 150'000;
  book.futures_account(id).margin = 600'000;
  CHECK(a.available_cash() == 250'000);
}

TEST_CASE("many trades among several accounts conserve cash and shares", "[accounts]") {
  AccountBook book;
  const AccountId f = book.open(0, 0);
  book.position(f, 1) = StockPosition{.qty = 100'000, .sellable = 100'000, .stock = 1};
  std::vector<AccountId> ids;
  for (int i = 1; i <= 4; ++i) ids.push_back(book.open(i, 10'000'000));
  for (AccountId id : ids) book.transfer_shares(f, id, 1, 5'000);
  const Fen cash0 = book.total_cash();
  REQUIRE(cash0 == 40'000'000);
  Fen expected_cash_a0 = 10'000'000;
  for (int day = 0; day < 3; ++day) {
    for (int k = 0; k < 4; ++k) {
      const AccountId b = ids[static_cast<std::size_t>(k)], s = ids[static_cast<std::size_t>((k + 1) % 4)];
      const Tick px = 1000 + 10 * k + day;
      book[b].reserved_cash += static_cast<Fen>(px + 5) * 100;
      book.position(s, 1).sellable -= 100;
      book.settle_stock_trade(b, s, 1, px, 100, px + 5);
    }
    // ids[0] buys at 1000+day and sells (to ids[3]) at 1030+day: +30 * 100 per day.
    expected_cash_a0 += 3'000;
    CHECK(book.total_cash() == cash0);
    CHECK(book.total_shares(1) == 100'000);
    CHECK(book[ids[0]].reserved_cash == 0);
    book.start_new_day();
  }
  CHECK(book[ids[0]].cash == expected_cash_a0);
}

TEST_CASE("account changes give the same accounts in any order, new positions included", "[accounts]") {
  // Settlement applies each account's changes per partition of the accounts, in parallel: the
  // result must not depend on the order, since every change is an exact integer.
  const std::vector<AccountChange> changes{
      {1, 3, -50'000, -51'000, 500, 0},  // buys a stock it did not hold
      {2, 3, 50'000, 0, -500, 0},
      {1, -1, 0, 2'000, 0, 0},           // a buy order's reservation
      {1, -1, 0, -2'000, 0, 0},          // ... released by its cancel
      {2, kStock, 0, 0, 0, 300},         // a sell order's shares released
      {1, 9, -10'000, -10'000, 100, 0},  // another new stock
      {1, 3, -20'000, -20'000, 200, 0},
  };
  auto apply_in = [&](const std::vector<std::size_t>& order) {
    AccountBook book;
    book.open(0, 0);
    book.open(1, 1'000'000);
    book.open(2, 0);
    book.position(2, 3) = StockPosition{.qty = 500, .sellable = 0, .stock = 3};
    book.position(2, kStock) = StockPosition{.qty = 300, .sellable = 0, .stock = kStock};
    book[1].reserved_cash = 81'000;
    for (std::size_t k : order) book.apply(changes[k]);
    return book;
  };
  const AccountBook forward = apply_in({0, 1, 2, 3, 4, 5, 6});
  const AccountBook backward = apply_in({6, 5, 4, 3, 2, 1, 0});
  for (AccountId id : {1, 2}) {
    CHECK(forward[id].cash == backward[id].cash);
    CHECK(forward[id].reserved_cash == backward[id].reserved_cash);
    REQUIRE(forward[id].stocks().size() == backward[id].stocks().size());
    for (std::size_t k = 0; k < forward[id].stocks().size(); ++k) {
      CHECK(forward[id].stocks()[k].stock == backward[id].stocks()[k].stock);
      CHECK(forward[id].stocks()[k].qty == backward[id].stocks()[k].qty);
      CHECK(forward[id].stocks()[k].sellable == backward[id].stocks()[k].sellable);
    }
  }
  CHECK(forward[1].cash == 1'000'000 - 80'000);
  CHECK(forward[1].reserved_cash == 0);
  CHECK(forward[1].holding(3) == 700);
  CHECK(forward[1].holding(9) == 100);
  CHECK(forward[1].sellable(3) == 0);      // bought today: T+1
  CHECK(forward[2].holding(3) == 0);
  CHECK(forward[2].sellable(kStock) == 300);
  CHECK(forward.total_cash() == backward.total_cash());
}

TEST_CASE("a cancelled order's reservation comes back, and only to a position it was taken from", "[accounts]") {
  Market m;
  m.reserve_buy(1'000, 200);
  m.accept_sell(300);
  m.book.release(AccountChange{m.buyer, -1, 0, -1'000 * 200, 0, 0});
  m.book.release(AccountChange{m.seller, kStock, 0, 0, 0, 300});
  CHECK(m.book[m.buyer].reserved_cash == 0);
  CHECK(m.book[m.buyer].cash == 1'000'000);
  CHECK(m.book[m.seller].sellable(kStock) == 1'000);
  CHECK(m.book[m.seller].holding(kStock) == 1'000);
  // Releasing never opens a position: a sell reservation from nothing is an engine bug.
  CHECK_THROWS_AS(m.book.release(AccountChange{m.buyer, kStock, 0, 0, 0, 100}), std::logic_error);
  CHECK(m.book[m.buyer].stocks().empty());
}
