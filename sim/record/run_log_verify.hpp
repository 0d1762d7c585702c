#pragma once
// Whether a finished run log may stand for a run without making it again (sweep resume, merge):
// written by this code (version, git_sha, code_hash), for this scenario (scenario_hash), and
// every dataset reads back in full (each chunk passes its Fletcher32 checksum and inflates).
#include <cstdint>
#include <filesystem>
#include <string>

namespace stampede {

// What this binary writes into every run log's root attributes.
struct LogIdentity {
  std::string version, git_sha, code_hash;
};
const LogIdentity& this_build();

// "" when the log at `path` (complete = 1 checked by the caller) was written by this build for a
// scenario whose scenario_hash is `*scenario_hash` (not checked when null) and reads back in
// full; otherwise why not, in
// words, e.g. "its code_hash 1a2b... is not this build's 3c4d...", "/market/stocks/close fails
// to read (HDF5: ... Fletcher32 checksum ...)". Takes the HDF5 library lock itself.
std::string reuse_problem(const std::filesystem::path& path, const std::string* scenario_hash);

// "" when the (incomplete) log at `path` can take a resumed run whose checkpoint is after `days`
// trading days with state fingerprint `fingerprint` on its last: written by this build for this
// scenario, holding at least those days, and the same state on the last of them. Else why not.
std::string resume_problem(const std::filesystem::path& path, const std::string& scenario_hash, std::int64_t days,
                           std::int64_t fingerprint);

}  // namespace stampede
