#pragma once
// Order id -> pool slot. Open addressing with linear probing over a power-of-two table, load
// factor <= 1/2, backward-shift deletion (no tombstones, so lookups never degrade).
#include <cstdint>
#include <bit>
#include <vector>

#include "sim/core/types.hpp"

namespace stampede::detail {

class IdMap {
 public:
  static constexpr std::size_t npos = ~std::size_t{0};

  IdMap() { rehash(16); }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return table_.size(); }

  // Position of `key` in the table, or npos.
  std::size_t find_pos(OrderId key) const {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      const Entry& e = table_[i];
      if (e.value < 0) return npos;
      if (e.key == key) return i;
    }
  }
  std::int32_t find(OrderId key) const {
    const std::size_t p = find_pos(key);
    return p == npos ? -1 : table_[p].value;
  }
  std::int32_t value_at(std::size_t pos) const { return table_[pos].value; }
  void prefetch(OrderId key) const { __builtin_prefetch(&table_[home(key)]); }

  // `key` must not be present; `value` must be >= 0.
  void insert(OrderId key, std::int32_t value) {
    if ((size_ + 1) * 2 > table_.size()) rehash(table_.size() * 2);
    place(key, value);
    ++size_;
  }

  void erase(OrderId key) {
    const std::size_t p = find_pos(key);
    if (p != npos) erase_at(p);
  }

  void erase_at(std::size_t i) {
    for (std::size_t j = i;;) {
      j = (j + 1) & mask_;
      if (table_[j].value < 0) break;
      const std::size_t k = home(table_[j].key);
      // Move entry j back into hole i unless its home lies cyclically in (i, j].
      const bool stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
      if (!stays) {
        table_[i] = table_[j];
        i = j;
      }
    }
    table_[i].value = -1;
    --size_;
  }

  // Removes everything, keeping capacity.
  void clear() {
    for (Entry& e : table_) e.value = -1;
    size_ = 0;
  }

 private:
  struct Entry {
    OrderId key;
    std::int32_t value;  // -1: empty
  };

  std::size_t home(OrderId key) const { return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_); }

  void place(OrderId key, std::int32_t value) {
    std::size_t i = home(key);
    while (table_[i].value >= 0) i = (i + 1) & mask_;
    table_[i] = Entry{key, value};
  }

  void rehash(std::size_t capacity) {
    std::vector<Entry> old;
    old.swap(table_);
    table_.assign(capacity, Entry{0, -1});
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    for (const Entry& e : old)
      if (e.value >= 0) place(e.key, e.value);
  }

  std::vector<Entry> table_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace stampede::detail
