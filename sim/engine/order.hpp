#pragma once
// What an agent sends to the market in one step, and the other effects it may ask for.
#include <string>

#include "sim/core/types.hpp"

namespace stampede {

struct Order {
  OrderId id;         // carries the agent and the reason (types.hpp); Cancel: the order to cancel
  AccountId account;
  InstrumentId instrument;
  Side side;
  OrderType type;
  Tick price;         // ignored for Market and Cancel
  Qty qty;            // ignored for Cancel
  OrderReason reason() const { return reason_of(id); }
};

// Something worth a row in the run log's /events/<kind> table.
struct AgentEvent {
  std::string kind;               // e.g. "margin_calls"
  InstrumentId instrument = -1;
  Qty quantity = 0;
  double price = 0;               // yuan, points or a ratio: the event kind's documentation says
  std::string reason;
};

// Cash moved outside trading: from an account of the agent's own to another account (a loan
// repaid, a shortfall covered), or out of the market when `to` is kNoAccount (investors paid
// their redemptions). Applied after settlement, in agent order.
struct CashTransfer {
  AccountId from;
  AccountId to;
  Fen amount;
  std::string reason;
};

}  // namespace stampede
