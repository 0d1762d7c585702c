#pragma once
// What a run will need before it starts: disk for its log, memory, time. Estimated from the counts
// of a scenario with coefficients measured on the development machine (docs/BENCHMARKS.md,
// "Resource estimates"): rough (within a factor of about 2), meant to catch a run that cannot fit
// (days = 5000, counts at their maxima) before it allocates or writes anything.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace stampede {

struct ResourceEstimate {
  double log_bytes = 0;      // the run log when finished
  double disk_bytes = 0;     // peak disk while running: the log and its working copy (shadow_file.hpp)
  double memory_bytes = 0;   // peak resident memory of the run
  double cpu_seconds = 0;    // CPU time on one core of the reference machine
  // The keys that drive each estimate, largest share first, as "key = value" (what to lower).
  std::vector<std::string> disk_keys, memory_keys;
};

ResourceEstimate estimate_resources(const Scenario& scenario);

// Bytes free for an unprivileged writer on the file system of `dir` (or of its nearest existing
// ancestor); nullopt when it cannot be told.
std::optional<double> free_disk_bytes(const std::filesystem::path& dir);
// Memory this process may still use: the least of MemAvailable, the cgroup's limit less its usage,
// and RLIMIT_AS / RLIMIT_DATA; nullopt when none can be read. `where` says which bound it is.
std::optional<double> available_memory_bytes(std::string* where = nullptr);

// "1.2 GB", "340 MB", "12 kB" (powers of 1000).
std::string bytes_text(double bytes);

// The line `run` and `check` print before starting: "estimated: run log 12 MB (24 MB of disk while
// written, 40 GB free), memory 310 MB (21 GB available), about 17 s on 2 threads".
std::string estimate_line(const ResourceEstimate& e, const std::filesystem::path& output_dir, int threads);
// What does not fit: one problem per resource, naming the keys that drive it; empty when it fits.
std::vector<std::string> resource_problems(const ResourceEstimate& e, const std::filesystem::path& output_dir);
// The memory part of it alone ("the run needs about ... driven by ..."), empty when it fits.
std::string memory_problem(const ResourceEstimate& e);

}  // namespace stampede
