#pragma once
// Every random stream is derived from (run seed, kind, id) alone, so no draw ever depends on
// which thread runs what or in which order: the foundation of bit-identical runs.
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace stampede {

using Rng = boost::random::mt19937_64;

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr std::uint64_t hash_tag(std::string_view tag) {
  std::uint64_t h = 0xCBF29CE484222325ULL;  // FNV-1a
  for (char c : tag) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
  return h;
}

// Single draws by name, for code that draws one at a time (both distributions keep no state).
inline double uniform01(Rng& rng) { return boost::random::uniform_01<double>()(rng); }
inline int uniform_int(Rng& rng, int lo, int hi) { return boost::random::uniform_int_distribution<int>(lo, hi)(rng); }

constexpr std::uint64_t stream_seed(std::uint64_t run_seed, std::string_view kind, std::uint64_t id) {
  return splitmix64(splitmix64(run_seed ^ hash_tag(kind)) ^ splitmix64(id + 0x632BE59BD9B4E019ULL));
}

// A memory hint: fetches the cache line of the word the stream's next draw reads. A stream's
// state is 2.5 KB, so with thousands of agents that word is cold when an agent's turn comes.
// Reads the position from Boost's layout (the words, then the index); a wrong guess would cost
// time only, never change a draw.
inline void prefetch_next_draw(const Rng& rng) {
  constexpr std::size_t words = Rng::state_size;
  static_assert(sizeof(Rng) == words * sizeof(std::uint64_t) + sizeof(std::size_t));
  std::size_t i;
  std::memcpy(&i, reinterpret_cast<const char*>(&rng) + words * sizeof(std::uint64_t), sizeof i);
  __builtin_prefetch(reinterpret_cast<const char*>(&rng) + (i < words ? i : 0) * sizeof(std::uint64_t));
}

inline Rng make_stream(std::uint64_t run_seed, std::string_view kind, std::uint64_t id) {
  return Rng(stream_seed(run_seed, kind, id));
}

}  // namespace stampede
