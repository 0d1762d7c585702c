// libFuzzer's entry point for every target (linked only into the STAMPEDE_FUZZ executables).
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  stampede_fuzz_one(data, size);
  return 0;
}
