// Regression runner of a fuzz target's corpus, built with any compiler (no libFuzzer): feeds
// every file given, or every file under each directory given, to the same stampede_fuzz_one()
// the fuzzer runs, in name order. A crash, a sanitizer report or an uncaught exception fails the
// test as it would fail the fuzzer. Files named ok_* must load and files named err_* must be
// rejected with a clean error, so the hand-written seeds also pin down the expected outcome;
// other files (inputs the fuzzer found) only have to be handled without a crash.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_target.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path p = argv[i];
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::is_regular_file(p)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "no corpus files given (usage: %s FILE_OR_DIR...)\n", argv[0]);
    return 2;
  }
  int loaded = 0, rejected = 0, wrong = 0;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "%s: cannot read\n", f.c_str());
      return 2;
    }
    std::fprintf(stderr, "%s ... ", f.filename().c_str());
    const bool ok = stampede_fuzz_one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    (ok ? loaded : rejected)++;
    const std::string name = f.filename().string();
    const bool expect_ok = name.rfind("ok_", 0) == 0, expect_err = name.rfind("err_", 0) == 0;
    const bool bad = (expect_ok && !ok) || (expect_err && ok);
    wrong += bad;
    std::fprintf(stderr, "%s%s\n", ok ? "loaded" : "rejected", bad ? (expect_ok ? " (expected to load)" : " (expected an error)") : "");
  }
  std::printf("%zu inputs: %d loaded, %d rejected with a clean error, %d with the wrong outcome\n", files.size(),
              loaded, rejected, wrong);
  return wrong == 0 ? 0 : 1;
}
