#pragma once
// What an agent sends to the market in one step.
#include <cstdint>

#include "sim/core/types.hpp"

namespace stampede {

// Why an order was sent. Voluntary trading is the default; later agent kinds mark forced orders
// (margin calls, liquidations, redemptions, hedges) so the run log can attribute selling.
enum class OrderReason : std::uint8_t { Voluntary = 0, Quote = 1, Forced = 2 };

struct Order {
  OrderId id;
  AccountId account;
  InstrumentId instrument;
  Side side;
  OrderType type;     // Cancel: `id` names the order to cancel
  OrderReason reason;
  Tick price;         // ignored for Market and Cancel
  Qty qty;            // ignored for Cancel
};

}  // namespace stampede
