#pragma once
// One sweep per output directory (output_lock.hpp): a whole sweep (or batch, ensemble; every MPI
// rank is one sweep, rank 0 holds the lock) holds DIR/.stampede-sweep.lock exclusively; a Slurm
// shard I/K holds it shared, so the shards of one sweep run side by side, and holds
// DIR/.stampede-shard-I-of-K.lock exclusively, so a resubmitted shard whose old task still runs
// stops at once. Each run log has its own lock besides, which covers shards of different K.
#include <filesystem>

#include "sim/record/output_lock.hpp"

namespace stampede::sweep {

struct SweepLock {
  OutputLock dir, shard;
};

// Creates DIR if needed and takes its locks; throws OutputBusy naming the holder (for a whole
// sweep refused by running shards: each shard's holder). Then removes the working copies that
// killed runs left in DIR (record_detail::remove_stale_temporaries). Both are noted on stderr
// (even with -q: they are rare and say why files went away).
SweepLock lock_sweep_dir(const std::filesystem::path& dir, int shard, int shards);

}  // namespace stampede::sweep
