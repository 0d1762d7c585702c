#pragma once
// Two-level bitmap of non-empty price levels: one bit per level, plus one summary bit per
// 64-level word, so the next non-empty level in either direction is found in a few
// countr_zero / countl_zero steps even across a futures-width band (thousands of levels).
// Summary and level words share one allocation (summary first): for a stock band both usually sit
// in one cache line, so marking a level costs one line, not two.
#include <bit>
#include <cstdint>
#include <vector>

namespace stampede::detail {

class LevelBitmap {
 public:
  LevelBitmap() = default;
  LevelBitmap(const LevelBitmap& o) { *this = o; }
  LevelBitmap& operator=(const LevelBitmap& o) {
    if (this != &o) {
      nbits_ = o.nbits_;
      nwords_ = o.nwords_;
      nsummary_ = o.nsummary_;
      data_ = o.data_;
      summary_ = data_.data();
      words_ = summary_ + nsummary_;
    }
    return *this;
  }
  // Moving a vector keeps its buffer, so the pointers stay valid.
  LevelBitmap(LevelBitmap&& o) noexcept = default;
  LevelBitmap& operator=(LevelBitmap&& o) noexcept = default;

  // Resizes to `nbits` levels, all clear. Cost O(nbits / 64); never shrinks capacity.
  void reset(std::int32_t nbits) {
    nbits_ = nbits < 0 ? 0 : nbits;
    nwords_ = (static_cast<std::size_t>(nbits_) + 63) / 64;
    nsummary_ = (nwords_ + 63) / 64;
    data_.assign(nsummary_ + nwords_, 0);
    summary_ = data_.data();
    words_ = summary_ + nsummary_;
  }
  std::int32_t size() const { return nbits_; }
  // A stock band's bitmap (summary and words) fits in one cache line: fetch it ahead.
  void prefetch() const { __builtin_prefetch(summary_); }

  bool test(std::int32_t i) const { return (words_[i >> 6] >> (i & 63)) & 1U; }
  void set(std::int32_t i) {
    const std::int32_t w = i >> 6;
    words_[w] |= 1ULL << (i & 63);
    summary_[w >> 6] |= 1ULL << (w & 63);
  }
  void clear(std::int32_t i) {
    const std::int32_t w = i >> 6;
    words_[w] &= ~(1ULL << (i & 63));
    if (words_[w] == 0) summary_[w >> 6] &= ~(1ULL << (w & 63));
  }

  // Lowest set bit >= i, or -1.
  std::int32_t next_up(std::int32_t i) const {
    if (i < 0) i = 0;
    if (i >= nbits_) return -1;
    const std::int32_t w = i >> 6;
    if (const std::uint64_t m = words_[w] & (~0ULL << (i & 63))) return (w << 6) + std::countr_zero(m);
    const std::int32_t s = w + 1;  // first word still to look at
    std::size_t si = static_cast<std::size_t>(s) >> 6;
    if (si >= nsummary_) return -1;
    std::uint64_t sm = summary_[si] & (~0ULL << (s & 63));
    while (sm == 0) {
      if (++si >= nsummary_) return -1;
      sm = summary_[si];
    }
    const std::int32_t w2 = static_cast<std::int32_t>(si << 6) + std::countr_zero(sm);
    return (w2 << 6) + std::countr_zero(words_[w2]);
  }

  // Highest set bit <= i, or -1.
  std::int32_t next_down(std::int32_t i) const {
    if (i >= nbits_) i = nbits_ - 1;
    if (i < 0) return -1;
    const std::int32_t w = i >> 6;
    if (const std::uint64_t m = words_[w] & (~0ULL >> (63 - (i & 63)))) return (w << 6) + 63 - std::countl_zero(m);
    if (w == 0) return -1;
    const std::int32_t s = w - 1;
    std::size_t si = static_cast<std::size_t>(s) >> 6;
    std::uint64_t sm = summary_[si] & (~0ULL >> (63 - (s & 63)));
    while (sm == 0) {
      if (si == 0) return -1;
      sm = summary_[--si];
    }
    const std::int32_t w2 = static_cast<std::int32_t>(si << 6) + 63 - std::countl_zero(sm);
    return (w2 << 6) + 63 - std::countl_zero(words_[w2]);
  }

 private:
  std::int32_t nbits_ = 0;
  std::size_t nwords_ = 0;
  std::size_t nsummary_ = 0;
  std::uint64_t* summary_ = nullptr;  // into data_
  std::uint64_t* words_ = nullptr;    // into data_, after the summary
  std::vector<std::uint64_t> data_;
};

}  // namespace stampede::detail
