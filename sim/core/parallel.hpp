#pragma once
// The engine's parallel loops: oneTBB's parallel_for, parallel_reduce and task slots, except
// under ThreadSanitizer.
//
// Debian's libtbb is not built with -fsanitize=thread, so TSan cannot see the synchronisation
// inside it (task hand-over between threads, the wait at the end of a loop) and reports races on
// TBB's own task objects and on every result read after a loop. Under TSan the same loops
// therefore run on plain std::threads, whose start and join TSan understands: the range is cut
// into kTsanPieces contiguous pieces run concurrently, so any race between two bodies is still
// found, and nothing from TBB's scheduler is reported. Results do not depend on how a range is
// cut (the determinism tests check that), so both paths compute the same run.
#include <cstddef>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>
#include <utility>

#if defined(__SANITIZE_THREAD__)
#define STAMPEDE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STAMPEDE_TSAN 1
#endif
#endif

#ifdef STAMPEDE_TSAN
#include <algorithm>
#include <thread>
#include <vector>
#endif

namespace stampede {

#ifdef STAMPEDE_TSAN
inline constexpr int kTsanPieces = 3;

// Cuts a tbb::blocked_range into at most kTsanPieces pieces of at least its grain size.
template <class T>
std::vector<tbb::blocked_range<T>> tsan_pieces(const tbb::blocked_range<T>& r) {
  std::vector<tbb::blocked_range<T>> out;
  const std::size_t n = r.size();
  if (n == 0) return out;
  const std::size_t grain = std::max<std::size_t>(1, r.grainsize());
  const std::size_t pieces = std::clamp<std::size_t>(n / grain, 1, kTsanPieces);
  T begin = r.begin();
  for (std::size_t p = 0; p < pieces; ++p) {
    const T end = p + 1 == pieces ? r.end() : static_cast<T>(begin + static_cast<T>(n / pieces));
    out.emplace_back(begin, end, r.grainsize());
    begin = end;
  }
  return out;
}
#endif

// tbb::parallel_for(range, body) over a tbb::blocked_range.
template <class Range, class Body>
void parallel_for(const Range& range, const Body& body) {
#ifdef STAMPEDE_TSAN
  std::vector<std::thread> threads;
  for (const Range& piece : tsan_pieces(range)) threads.emplace_back([&body, piece] { body(piece); });
  for (std::thread& t : threads) t.join();
#else
  tbb::parallel_for(range, body);
#endif
}

// tbb::parallel_reduce(range, identity, reduce, join) in its functional form.
template <class Range, class Value, class Reduce, class Join>
Value parallel_reduce(const Range& range, const Value& identity, const Reduce& reduce, const Join& join) {
#ifdef STAMPEDE_TSAN
  const auto pieces = tsan_pieces(range);
  std::vector<Value> partial(pieces.size(), identity);
  std::vector<std::thread> threads;
  for (std::size_t p = 0; p < pieces.size(); ++p)
    threads.emplace_back([&, p] { partial[p] = reduce(pieces[p], identity); });
  for (std::thread& t : threads) t.join();
  Value out = identity;
  for (Value& v : partial) out = join(std::move(out), v);
  return out;
#else
  return tbb::parallel_reduce(range, identity, reduce, join);
#endif
}

// Runs `slot()` on `jobs` concurrent slots and returns when every slot has returned.
template <class Slot>
void run_slots(int jobs, const Slot& slot) {
#ifdef STAMPEDE_TSAN
  std::vector<std::thread> threads;
  for (int s = 0; s < jobs; ++s) threads.emplace_back([&slot] { slot(); });
  for (std::thread& t : threads) t.join();
#else
  tbb::task_arena arena(jobs);
  arena.execute([&] {
    tbb::task_group slots;
    for (int s = 0; s < jobs; ++s) slots.run([&slot] { slot(); });
    slots.wait();
  });
#endif
}

}  // namespace stampede
