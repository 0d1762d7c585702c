// Positions live in the AccountBook's pool, in blocks whose capacity follows the number held.
// Many accounts growing and shrinking in turn must never see each other's positions.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "sim/market/accounts.hpp"

using namespace stampede;

TEST_CASE("position_capacity is exact up to 8, then steps of 8 to 64, then powers of two", "[accounts][pool]") {
  CHECK(position_capacity(0) == 0);
  CHECK(position_capacity(3) == 3);
  CHECK(position_capacity(8) == 8);
  CHECK(position_capacity(9) == 16);
  CHECK(position_capacity(64) == 64);
  CHECK(position_capacity(65) == 128);
  CHECK(position_capacity(2000) == 2048);
}

TEST_CASE("accounts growing and shrinking in the pool keep exactly their own positions", "[accounts][pool]") {
  AccountBook book;
  constexpr int kAccounts = 300;
  for (int a = 0; a < kAccounts; ++a) book.open(a, 0);
  std::vector<std::map<InstrumentId, Qty>> model(kAccounts);
  std::mt19937 rng(7);
  for (int day = 0; day < 20; ++day) {
    for (int k = 0; k < 3000; ++k) {
      const int a = static_cast<int>(rng() % kAccounts);
      // a few accounts hold up to 150 stocks (funds), most a handful (retail)
      const auto stock = static_cast<InstrumentId>(rng() % (a % 50 == 0 ? 150 : 10));
      const Qty dq = static_cast<Qty>(rng() % 5) - 2;
      book.position(a, stock).qty += dq;
      model[a][stock] += dq;
    }
    book.start_new_day();
    for (int a = 0; a < kAccounts; ++a) {
      std::erase_if(model[a], [](const auto& kv) { return kv.second == 0; });
      const auto held = book[a].stocks();
      REQUIRE(held.size() == model[a].size());
      std::size_t i = 0;
      for (const auto& [stock, qty] : model[a]) {
        CHECK(held[i].stock == stock);
        CHECK(held[i].qty == qty);
        CHECK(held[i].sellable == qty);
        ++i;
      }
    }
  }
}

TEST_CASE("an account without a futures part is flat and has no futures margin", "[accounts][futures]") {
  AccountBook book;
  const AccountId a = book.open(1, 500), b = book.open(2, 500);
  CHECK_FALSE(book[a].has_futures_account());
  CHECK(book[a].futures(0).qty == 0);
  CHECK(book[a].futures_margin() == 0);
  book.settle_futures_trade(a, b, 1, 100, 2, 0, {10, 20});
  CHECK(book[a].has_futures_account());
  CHECK(book[a].futures(1).qty == 2);
  CHECK(book[b].futures(1).qty == -2);
  CHECK(book[a].futures_margin() == 40);
  CHECK(book.futures_accounts() == std::vector<AccountId>{a, b});
  CHECK(book.total_futures(1) == 0);
}
