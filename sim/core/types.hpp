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
constexpr bool is_forced(OrderReason r) {
  return r == OrderReason::MarginCall || r == OrderReason::Liquidation || r == OrderReason::Redemption ||
         r == OrderReason::RiskLimit || r == OrderReason::KnockInHedge;
}
const char* to_string(OrderReason r);

// Order ids are made by agents without coordination: the agent id in the high 24 bits, the
// order's reason in the next 4 and the agent's own counter in the low 36 keep them unique at
// any thread count, and let a trade name both parties' agents and reasons without a lookup.
inline constexpr int kOrderSequenceBits = 36;
constexpr OrderId make_order_id(AgentId agent, OrderReason reason, std::uint64_t sequence) {
  return (static_cast<OrderId>(static_cast<std::uint32_t>(agent) & 0xFFFFFFu) << 40) |
         (static_cast<OrderId>(reason) << kOrderSequenceBits) | (sequence & ((1ULL << kOrderSequenceBits) - 1));
}
constexpr AgentId agent_of(OrderId id) { return static_cast<AgentId>(id >> 40); }
constexpr OrderReason reason_of(OrderId id) { return static_cast<OrderReason>((id >> kOrderSequenceBits) & 0xF); }

}  // namespace stampede
