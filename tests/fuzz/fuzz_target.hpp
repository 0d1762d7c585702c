#pragma once
// The contract shared by the fuzz targets of tests/fuzz (docs/fuzzing.md).
//
// Each target defines stampede_fuzz_one(data, size): it feeds the input to the code under test
// and returns true when the input loaded, false when it was rejected with a clean error (the
// library's own error type, with a message). Anything else is a bug and must crash: an uncaught
// exception of another type, a broken invariant (checked with FUZZ_CHECK), a sanitizer report, a
// hang. LLVMFuzzerTestOneInput (libFuzzer) and corpus_main.cpp (the regression runner of the
// normal build) both call it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

bool stampede_fuzz_one(const std::uint8_t* data, std::size_t size);

// STAMPEDE_FUZZ_VERBOSE=1 in the environment: targets print each clean error they get.
inline bool fuzz_verbose() {
  static const bool verbose = std::getenv("STAMPEDE_FUZZ_VERBOSE") != nullptr;
  return verbose;
}

#define FUZZ_CHECK(cond, ...)                                                  \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                       \
      std::fputc('\n', stderr);                                                \
      std::abort();                                                            \
    }                                                                          \
  } while (0)
