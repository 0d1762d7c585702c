#pragma once
// Shorthands for the book tests: a stock book on a 10.00 yuan reference (ticks of 0.01).
#include <vector>

#include "sim/book/order_book.hpp"

namespace stampede::test {

inline OrderRequest limit(OrderId id, Side side, Tick price, Qty qty, AccountId owner = 1) {
  return OrderRequest{id, owner, side, OrderType::Limit, price, qty};
}
inline OrderRequest market(OrderId id, Side side, Qty qty, AccountId owner = 1) {
  return OrderRequest{id, owner, side, OrderType::Market, kNoPrice, qty};
}

// Band 900..1100 around 1000, continuous trading.
inline OrderBook continuous_book(BookRules rules = {}) {
  OrderBook book(rules);
  book.open_day(900, 1100, 1000);
  book.set_phase(BookPhase::Continuous);
  return book;
}

inline std::vector<RestingOrder> resting(const OrderBook& book) {
  std::vector<RestingOrder> out;
  book.for_each_resting([&](const RestingOrder& o) { out.push_back(o); });
  return out;
}

}  // namespace stampede::test
