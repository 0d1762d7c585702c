#pragma once
// Executes a plan: skips runs whose log is complete, runs the rest in parallel (oneTBB: one outer
// task arena of `jobs` concurrent runs, each run's own arena sized so the cores are not
// oversubscribed), records failures and carries on, shows progress, and shares the runs among
// MPI ranks (rank 0 hands out runs one at a time as ranks ask; it also runs some itself).
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/engine/agent_registry.hpp"
#include "sim/sweep/mpi.hpp"
#include "sim/sweep/plan.hpp"
#include "sim/sweep/summary.hpp"

namespace stampede::sweep {

struct ExecuteOptions {
  std::filesystem::path dir;       // run logs, plan.csv, summary.h5/.csv
  int jobs = 0;                    // concurrent runs in this process (0: one per core)
  int shard = 0, shards = 1;       // run only the runs with index % shards == shard
  bool progress = true;            // progress on stderr
  std::string label = "sweep";     // how progress lines start
  const AgentRegistry* registry = nullptr;
  ScenarioLoader load;
  // Once non-zero (a signal number; interrupt.hpp), runs under way stop at the end of their
  // current step (their logs stay incomplete: a rerun continues them from their last checkpoints,
  // sim/engine/checkpoint.hpp) and no run starts.
  const std::atomic<int>* stop = nullptr;
};

struct ExecuteReport {
  std::vector<RunResult> results;  // [plan.runs]; complete only where `writer` is true
  bool writer = false;             // this process wrote DIR/summary.h5 (not a shard, MPI rank 0)
  std::size_t planned = 0;         // runs of this shard
  std::size_t skipped = 0;         // already complete
  std::size_t ran = 0, failed = 0; // run now (failed: of those)
  std::size_t interrupted = 0;     // runs stopped early by ExecuteOptions::stop (not in `ran`)
  // Set when the disk of DIR filled up (a run failed for want of space or the file size limit, or
  // the free space is less than the next run's estimated need): no run was launched after it.
  std::string stopped_launching;
  std::size_t not_started = 0;     // runs of this shard left unmade because of it (missing in the summary)
  std::vector<std::size_t> runs_per_rank;   // [MPI rank] runs made now (one entry without MPI)
};

ExecuteReport execute_plan(const Plan& plan, const ExecuteOptions& options, const MpiWorld& world);

// Shard I of K from "I/K" (0 <= I < K); empty text: from SLURM_ARRAY_TASK_ID (minus
// SLURM_ARRAY_TASK_MIN) and SLURM_ARRAY_TASK_COUNT when set, else 0/1. Throws PlanError.
std::pair<int, int> parse_shard(const std::string& text);

}  // namespace stampede::sweep
