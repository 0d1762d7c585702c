#pragma once
// Runs a stream of book operations in order while hinting the memory of operations a few places
// ahead (OrderBook::prefetch_*). A stream that hops between many books finds each book cold, and
// every operation is a chain of dependent loads (book header -> id slot -> node); issuing those
// loads several operations early lets them overlap. Results are exactly those of the plain loop.
#include <cstddef>

namespace stampede {

struct LookaheadDistances {
  std::size_t header = 12;  // the book's own fields
  std::size_t stage1 = 8;   // id slot and price levels (reads the header)
  std::size_t stage2 = 4;   // the resting node or queue tail (reads stage 1's lines)
};

// book_at(k) -> const OrderBook& of operation k; request_at(k) -> its OrderRequest; apply(k) runs it.
template <class BookAt, class RequestAt, class Apply>
void run_with_lookahead(std::size_t n, BookAt&& book_at, RequestAt&& request_at, Apply&& apply,
                        LookaheadDistances d = {}) {
  for (std::size_t k = 0; k < n; ++k) {
    if (k + d.header < n) book_at(k + d.header).prefetch_header();
    if (k + d.stage1 < n) {
      book_at(k + d.stage1).prefetch_bitmaps();
      book_at(k + d.stage1).prefetch_stage1(request_at(k + d.stage1));
    }
    if (k + d.stage2 < n) book_at(k + d.stage2).prefetch_stage2(request_at(k + d.stage2));
    apply(k);
  }
}

}  // namespace stampede
