#pragma once
// Checkpoints: the whole state of a run at a day boundary, so a killed run continues from there
// (`stampede run --resume`, a resumed sweep) and ends with a log bit-identical to an
// uninterrupted run's.
//
// The file is `.NAME.h5.ckpt` beside the run log NAME.h5 (hidden, like the log's working copy).
// The run log's writer thread replaces it (temporary file, then rename) right after the day it
// holds is published in the log, so the checkpoint's day is always inside the log's published
// prefix. A run that finishes removes it. Layout (native byte order; read back by the build that
// wrote it only):
//   "STAMPEDE-CHECKPOINT\n"   magic
//   u32                       format version (kCheckpointVersion)
//   u64 n + n bytes           code_hash (this build's, run_log_verify.hpp)
//   u64 n + n bytes           scenario_hash (sim/engine/scenario_hash.hpp)
//   u64                       seed
//   i64, i64, i64             trading days done, steps done, the state fingerprint of the last day
//   u64, u64                  payload bytes, payload checksum (64-bit, over the payload)
//   payload                   the run driver's running totals, then Simulation::checkpoint
//                             (sim/core/state_io.hpp)
// A checkpoint is refused (CheckpointError, in words) when damaged or written by another build,
// for another scenario or seed; the run then starts from day 0.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/core/state_io.hpp"

namespace stampede {

inline constexpr std::uint32_t kCheckpointVersion = 1;

struct CheckpointHeader {
  std::string code_hash, scenario_hash;
  std::uint64_t seed = 0;
  std::int64_t days = 0, steps = 0, fingerprint = 0;
};

struct Checkpoint {
  CheckpointHeader header;
  std::vector<char> payload;
};

// `.NAME.h5.ckpt` beside the log NAME.h5.
std::filesystem::path checkpoint_path(const std::filesystem::path& log);
// The whole file: the header put in front of `payload` (in place: no second copy of the state).
std::vector<char> encode_checkpoint(const CheckpointHeader& h, std::vector<char> payload);
// The checkpoint at `path`, checked: readable, this format version, this build's code hash, the
// scenario hash and seed of `expected`, the payload's checksum. Throws CheckpointError saying
// which failed.
Checkpoint read_checkpoint(const std::filesystem::path& path, const CheckpointHeader& expected);

}  // namespace stampede
