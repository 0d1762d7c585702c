#include "sim/sweep/sweep_lock.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <string>

#include "sim/record/shadow_file.hpp"

namespace stampede::sweep {

namespace {
constexpr const char* kDirLock = ".stampede-sweep.lock";
constexpr const char* kShardPrefix = ".stampede-shard-";

// "shard 1/4 (host h, pid p, started t)" for every shard lock in `dir` a live process holds.
std::string running_shards(const std::filesystem::path& dir) {
  std::string out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(kShardPrefix, 0) != 0) continue;
    const std::string holder = current_holder(e.path());
    if (holder.empty()) continue;
    int i = 0, k = 0;
    std::sscanf(n.c_str() + std::char_traits<char>::length(kShardPrefix), "%d-of-%d", &i, &k);
    out += fmt::format("{}shard {}/{} ({})", out.empty() ? "" : "; ", i, k, holder);
  }
  return out;
}
}  // namespace

SweepLock lock_sweep_dir(const std::filesystem::path& dir, int shard, int shards) {
  std::filesystem::create_directories(dir);
  SweepLock lock;
  const std::string what = "sweep directory '" + dir.string() + "'";
  if (shards <= 1) {
    try {
      lock.dir = OutputLock(dir / kDirLock, what, OutputLock::Mode::Exclusive, false);
    } catch (const OutputBusy& e) {
      const std::string shards_running = running_shards(dir);
      if (shards_running.empty()) throw;
      throw OutputBusy(what + " is in use by the shards of another sweep: " + shards_running +
                       "; wait for them to finish (then stampede merge) or stop them");
    }
  } else {
    lock.dir = OutputLock(dir / kDirLock, what, OutputLock::Mode::Shared, false);
    lock.shard = OutputLock(dir / fmt::format("{}{}-of-{}.lock", kShardPrefix, shard, shards),
                            fmt::format("shard {}/{} of {}", shard, shards, what));
  }
  const std::string& gone = lock.shard.held() ? lock.shard.previous_holder() : lock.dir.previous_holder();
  if (!gone.empty())
    std::fprintf(stderr, "stampede: note: %s: taking over from a sweep that is gone (%s)\n", what.c_str(), gone.c_str());
  const int removed = record_detail::remove_stale_temporaries(dir);
  if (removed > 0)
    std::fprintf(stderr, "stampede: note: %s: removed %d working copies left by killed runs\n", what.c_str(), removed);
  return lock;
}

}  // namespace stampede::sweep
