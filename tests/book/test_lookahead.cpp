// Memory hints change nothing: a stream run through run_with_lookahead (prefetching the books,
// id slots, levels and nodes of operations ahead) gives exactly the trades, rejections and final
// books of the plain loop, whatever the lookahead distances, including hints for orders that an
// earlier operation fills or cancels before their turn.
#include <catch2/catch.hpp>

#include <random>
#include <tuple>
#include <vector>

#include "sim/book/lookahead.hpp"
#include "sim/book/order_book.hpp"

using namespace stampede;

namespace {

struct Op {
  std::size_t book;
  OrderRequest order;
};

// Random adds, marketable orders, cancels of ids that may or may not still rest, over 20 books.
std::vector<Op> random_stream(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> book(0, 19), percent(0, 99), price(950, 1050), lots(1, 5);
  std::vector<Op> ops;
  std::vector<OrderId> next(20, 1);
  for (std::size_t k = 0; k < n; ++k) {
    const auto b = static_cast<std::size_t>(book(rng));
    const int kind = percent(rng);
    if (kind < 30 && next[b] > 1) {
      const OrderId target = std::uniform_int_distribution<OrderId>(1, next[b] - 1)(rng);
      ops.push_back({b, OrderRequest{target, 1, Side::Buy, OrderType::Cancel, kNoPrice, 0}});
      continue;
    }
    const Side side = percent(rng) < 50 ? Side::Buy : Side::Sell;
    const OrderType type = kind >= 95 ? OrderType::Market : OrderType::Limit;
    ops.push_back({b, OrderRequest{next[b]++, 1, side, type, price(rng), 100 * lots(rng)}});
  }
  return ops;
}

struct Outcome {
  std::vector<std::tuple<std::size_t, OrderId, OrderId, Tick, Qty>> trades;
  std::vector<std::pair<std::size_t, RejectReason>> rejections;
  std::vector<std::tuple<std::size_t, OrderId, Side, Tick, Qty>> resting;
};

Outcome run(const std::vector<Op>& ops, bool lookahead, LookaheadDistances d = {}) {
  std::vector<OrderBook> books(20);
  for (OrderBook& b : books) {
    b.open_day(900, 1100, 1000);
    b.set_phase(BookPhase::Continuous);
  }
  Outcome out;
  std::vector<Trade> trades;
  auto apply = [&](std::size_t k) {
    const Op& op = ops[k];
    trades.clear();
    const RejectReason r = op.order.type == OrderType::Cancel ? books[op.book].cancel(op.order.id, 1).reject
                                                               : books[op.book].submit(op.order, trades).reject;
    for (const Trade& t : trades) out.trades.emplace_back(op.book, t.maker_id, t.taker_id, t.price, t.qty);
    if (r != RejectReason::None) out.rejections.emplace_back(k, r);
  };
  if (lookahead)
    run_with_lookahead(
        ops.size(), [&](std::size_t k) -> const OrderBook& { return books[ops[k].book]; },
        [&](std::size_t k) -> const OrderRequest& { return ops[k].order; }, apply, d);
  else
    for (std::size_t k = 0; k < ops.size(); ++k) apply(k);
  for (std::size_t b = 0; b < books.size(); ++b)
    books[b].for_each_resting([&](const RestingOrder& o) { out.resting.emplace_back(b, o.id, o.side, o.price, o.qty); });
  return out;
}

}  // namespace

TEST_CASE("lookahead hints leave trades, rejections and books exactly as the plain loop", "[book][lookahead]") {
  const std::vector<Op> ops = random_stream(20240205, 20'000);
  const Outcome plain = run(ops, false);
  REQUIRE(plain.trades.size() > 1'000);       // the stream exercises matching,
  REQUIRE(plain.rejections.size() > 100);     // cancels of orders already gone,
  REQUIRE(plain.resting.size() > 100);        // and resting orders
  for (const LookaheadDistances d : {LookaheadDistances{}, LookaheadDistances{1, 1, 1}, LookaheadDistances{40, 20, 10}}) {
    const Outcome hinted = run(ops, true, d);
    CHECK(hinted.trades == plain.trades);
    CHECK(hinted.rejections == plain.rejections);
    CHECK(hinted.resting == plain.resting);
  }
}
