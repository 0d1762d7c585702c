#include "sim/market/position_pool.hpp"

#include <cstring>
#include <stdexcept>

namespace stampede {

int PositionPool::class_of(std::uint32_t capacity) {
  if (capacity <= 8) return static_cast<int>(capacity);               // 1..8
  if (capacity <= 64) return 8 + static_cast<int>(capacity / 8) - 1;  // 16..64 -> 9..15
  return 16 + std::bit_width(capacity) - 8;                           // 128 -> 16, 256 -> 17, ...
}

StockPosition* PositionPool::allocate(std::uint32_t capacity) {
  const int c = class_of(capacity);
  if (capacity == 0 || c >= kClasses) throw std::length_error("PositionPool: bad capacity");
  if (StockPosition* block = free_[c]) {
    std::memcpy(static_cast<void*>(&free_[c]), static_cast<const void*>(block), sizeof(StockPosition*));
    return block;
  }
  if (capacity > kChunkPositions / 4) {   // a block of its own: a large account (the float, a fund)
    chunks_.emplace_back(new StockPosition[capacity]);
    chunk_positions_ += capacity;
    return chunks_.back().get();
  }
  if (current_used_ + capacity > kChunkPositions) {
    chunks_.emplace_back(new StockPosition[kChunkPositions]);
    chunk_positions_ += kChunkPositions;
    current_ = chunks_.back().get();
    current_used_ = 0;
  }
  StockPosition* block = current_ + current_used_;
  current_used_ += capacity;
  return block;
}

void PositionPool::release(StockPosition* block, std::uint32_t capacity) {
  if (block == nullptr) return;
  const int c = class_of(capacity);
  std::memcpy(static_cast<void*>(block), static_cast<const void*>(&free_[c]), sizeof(StockPosition*));
  free_[c] = block;
}

}  // namespace stampede
