#pragma once
// Exact units of the market. Prices are integer ticks of their instrument, quantities integer
// shares or contracts, cash integer fen (0.01 yuan): money is never rounded, so it is conserved.
#include <cstdint>
#include <limits>

namespace stampede {

using Tick = std::int32_t;         // price in ticks of the instrument (stock: 0.01 yuan)
using Qty = std::int64_t;          // shares (stocks) or contracts (futures)
using Fen = std::int64_t;          // cash, in 0.01 yuan
using AccountId = std::int32_t;
using InstrumentId = std::int32_t;
using AgentId = std::int32_t;
using OrderId = std::uint64_t;     // unique per run; see make_order_id
using StepIndex = std::int64_t;
using DayIndex = std::int32_t;

inline constexpr Tick kNoPrice = std::numeric_limits<Tick>::min();
inline constexpr AccountId kNoAccount = -1;

enum class Side : std::uint8_t { Buy = 0, Sell = 1 };
enum class OrderType : std::uint8_t { Limit = 0, Market = 1, Cancel = 2 };

constexpr Side opposite(Side s) { return s == Side::Buy ? Side::Sell : Side::Buy; }

// Why an order was sent. Forced reasons are what the run log's selling attribution counts as
// forced: the seller did not choose to sell.
enum class OrderReason : std::uint8_t {
  Voluntary = 0,     // discretionary trading
  Quote = 1,         // market making
  Rebalance = 2,     // portfolio turnover of a fund
  Roll = 3,          // moving a futures hedge to the next contract
  Hedge = 4,         // delta or beta hedging in normal course
  MarginCall = 5,    // cutting exposure after a margin warning
  Liquidation = 6,   // broker liquidating an account
  Redemption = 7,    // selling to pay investors who redeem
  RiskLimit = 8,     // cutting exposure on a drawdown or volatility limit
  KnockInHedge = 9,  // unwinding a hedge after a snowball knock-in
  Intervention = 10, // state buying
};
inline constexpr int kOrderReasonCount = 11;
// Every reason, in code order (a new reason goes here too, and into kOrderReasonCount): what the
// static_asserts below check against the order id's 4-bit field.
inline constexpr OrderReason kOrderReasons[] = {OrderReason::Voluntary,   OrderReason::Quote,
                                                OrderReason::Rebalance,   OrderReason::Roll,
                                                OrderReason::Hedge,       OrderReason::MarginCall,
                                                OrderReason::Liquidation, OrderReason::Redemption,
                                                OrderReason::RiskLimit,   OrderReason::KnockInHedge,
                                                OrderReason::Intervention};
static_assert(sizeof(kOrderReasons) / sizeof(kOrderReasons[0]) == kOrderReasonCount,
              "kOrderReasons and kOrderReasonCount list every OrderReason");
constexpr bool is_forced(OrderReason r) {
  return r == OrderReason::MarginCall || r == OrderReason::Liquidation || r == OrderReason::Redemption ||
         r == OrderReason::RiskLimit || r == OrderReason::KnockInHedge;
}
const char* to_string(OrderReason r);

// Order ids are made by agents without coordination: the agent id in the high 24 bits, the
// order's reason in the next 4 and the agent's own counter in the low 36 keep them unique at
// any thread count, and let a trade name both parties' agents and reasons without a lookup.
inline constexpr int kOrderSequenceBits = 36;
inline constexpr int kOrderReasonBits = 4;
inline constexpr int kOrderAgentBits = 64 - kOrderSequenceBits - kOrderReasonBits;
constexpr OrderId make_order_id(AgentId agent, OrderReason reason, std::uint64_t sequence) {
  return (static_cast<OrderId>(static_cast<std::uint32_t>(agent) & ((1u << kOrderAgentBits) - 1)) << 40) |
         (static_cast<OrderId>(reason) << kOrderSequenceBits) | (sequence & ((1ULL << kOrderSequenceBits) - 1));
}
constexpr AgentId agent_of(OrderId id) { return static_cast<AgentId>(id >> 40); }
constexpr OrderReason reason_of(OrderId id) {
  return static_cast<OrderReason>((id >> kOrderSequenceBits) & ((1u << kOrderReasonBits) - 1));
}
static_assert(kOrderSequenceBits + kOrderReasonBits == 40, "the agent field starts at bit 40");

// A reason that did not fit its 4 bits would spill into the agent id, and trades would name the
// wrong agent: every reason must come back from an id whose other fields are all ones.
constexpr bool every_order_reason_fits() {
  for (int k = 0; k < kOrderReasonCount; ++k) {
    const OrderReason r = kOrderReasons[k];
    if (static_cast<int>(r) != k) return false;   // codes 0 .. count - 1, in order
    const OrderId id = make_order_id((1 << kOrderAgentBits) - 1, r, ~std::uint64_t{0});
    if (static_cast<unsigned>(r) >= (1u << kOrderReasonBits) || reason_of(id) != r ||
        agent_of(id) != (1 << kOrderAgentBits) - 1)
      return false;
  }
  return true;
}
static_assert(every_order_reason_fits(), "an OrderReason does not fit the order id's reason field (kOrderReasonBits)");

}  // namespace stampede
