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

// Order ids are made by agents without coordination: the agent id in the high bits and the
// agent's own counter in the low bits keep them unique at any thread count.
constexpr OrderId make_order_id(AgentId agent, std::uint64_t sequence) {
  return (static_cast<OrderId>(static_cast<std::uint32_t>(agent)) << 40) | (sequence & ((1ULL << 40) - 1));
}

}  // namespace stampede
