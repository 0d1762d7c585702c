// Marking an account to market (value_account): the figures margin lines, NAVs and leverage come
// from. The sum must be the same double, bit for bit, whichever way the loop is written, or runs
// would stop reproducing across versions.
#include <catch2/catch.hpp>
#include <vector>

#include "sim/engine/valuation.hpp"

using namespace stampede;

namespace {

// One position at a time, in position order: the definition of the long value.
double long_value_one_by_one(const Account& a, const std::vector<Tick>& last) {
  double sum = 0;
  for (const StockPosition& p : a.stocks()) sum += static_cast<double>(p.qty) * last[p.stock] / 100.0;
  return sum;
}

}  // namespace

TEST_CASE("an account's long value is each position at its last price, summed in position order, for any count") {
  const int stocks = 9;
  std::vector<Tick> last;
  for (int i = 0; i < stocks; ++i) last.push_back(1237 + 311 * i);   // 12.37 yuan and up: not exact in binary
  std::vector<InstrumentQuote> quotes(static_cast<std::size_t>(stocks));
  for (int i = 0; i < stocks; ++i) quotes[static_cast<std::size_t>(i)].last = last[static_cast<std::size_t>(i)];

  for (int held = 0; held <= stocks; ++held) {
    AccountBook book;
    const AccountId id = book.open(0, 123'456);
    for (int i = 0; i < held; ++i) book.position(id, i).qty = 100 * (7 + 13 * i) + i;   // odd lots too
    MarketView compact;
    compact.quotes = &quotes;
    compact.stock_last = &last;
    compact.accounts = &book;
    MarketView quotes_only = compact;
    quotes_only.stock_last = nullptr;

    CAPTURE(held);
    const double expected = long_value_one_by_one(book[id], last);
    CHECK(value_account(compact, id).long_value == expected);
    CHECK(value_account(quotes_only, id).long_value == expected);
    CHECK(value_account(compact, id).cash == 1234.56);
    CHECK(value_account(compact, id).equity() == 1234.56 + expected);
  }
}
