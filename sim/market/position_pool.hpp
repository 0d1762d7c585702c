#pragma once
// Storage for the stock positions of all accounts of one AccountBook. A retail trader holds three
// to six positions; in a std::vector each account paid 24 bytes of vector header, 16 bytes of
// malloc header and alignment, and up to 2x growth slack. Here an account's positions are one
// block of a fixed capacity class carved from large chunks: exact sizes up to 8 positions, so a
// trader with four positions costs 4 x 16 bytes. Freed blocks go on a free list per class.
// Not thread-safe: blocks are allocated and freed only in sequential phases (setup, settlement,
// the start of a day); parallel phases only read positions or change their quantities.
#include <bit>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/core/types.hpp"

namespace stampede {

// 16 bytes instead of 24: the two quantities and the stock id share two words (bit-fields of a
// packed struct, read and written like plain members; they only cannot be bound to a non-const
// reference). Marking reads qty (the low bits of the first word) and stock (the top of the
// second), each a shift or two; sellable, read less often, straddles the words. The limits are
// far beyond any scenario and are checked where shares enter the market (kMaxPositionStocks
// stocks, kMaxPositionShares shares per stock, see Simulation). Initialise by name:
// StockPosition{.qty = q, .sellable = s, .stock = id}.
struct __attribute__((packed, aligned(8))) StockPosition {
  std::int64_t qty : 52 = 0;        // shares held
  std::int64_t sellable : 52 = 0;   // shares that may still go into new sell orders today (T+1, minus open sells)
  std::uint32_t stock : 24 = 0;    // unsigned: read with one shift; reads as int
};
static_assert(sizeof(StockPosition) == 16);
inline constexpr std::int64_t kMaxPositionStocks = std::int64_t{1} << 23;
inline constexpr Qty kMaxPositionShares = Qty{1} << 51;

// The capacity of the block that holds n positions: exact up to 8 (retail), then multiples of 8
// up to 64, then powers of two. A function of n alone, so accounts store no capacity.
constexpr std::uint32_t position_capacity(std::uint32_t n) {
  if (n <= 8) return n;
  if (n <= 64) return (n + 7) & ~7u;
  return std::bit_ceil(n);
}

class PositionPool {
 public:
  PositionPool() = default;
  PositionPool(const PositionPool&) = delete;
  PositionPool& operator=(const PositionPool&) = delete;
  PositionPool(PositionPool&&) noexcept = default;
  PositionPool& operator=(PositionPool&&) noexcept = default;

  // A block of `capacity` positions (a value of position_capacity, > 0).
  StockPosition* allocate(std::uint32_t capacity);
  // Returns a block from allocate(capacity); nullptr is ignored.
  void release(StockPosition* block, std::uint32_t capacity);
  // Bytes of chunks held (in use or free).
  std::size_t bytes() const { return chunk_positions_ * sizeof(StockPosition); }

 private:
  static constexpr std::uint32_t kChunkPositions = 4096;
  static constexpr int kClasses = 48;
  static int class_of(std::uint32_t capacity);
  std::vector<std::unique_ptr<StockPosition[]>> chunks_;
  StockPosition* current_ = nullptr;      // the chunk blocks are carved from
  std::uint32_t current_used_ = kChunkPositions;
  std::size_t chunk_positions_ = 0;
  StockPosition* free_[kClasses] = {};    // intrusive lists: a free block's first bytes hold the next
};

}  // namespace stampede
