#pragma once
// What `stampede sweep` and `stampede batch` share: the execution options (-o, -j, --replicates,
// --shard, --seed, --set, -q), the scenario loader, and how a finished sweep is reported.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sim/sweep/execute.hpp"
#include "sim/sweep/plan.hpp"

namespace stampede::cli {

struct SweepExecArgs {
  std::string output;                    // -o DIR
  int jobs = 0;
  bool oversubscribe = false;            // -j above the cores as given
  int replicates = 1;
  std::string shard;                     // "I/K" or "" (Slurm array variables, else everything)
  std::int64_t seed = -1;
  std::vector<std::string> overrides;    // --set
  bool quiet = false;
};

// `seed_options`: --replicates and --seed too (an ensemble takes its seeds literally instead).
void add_sweep_exec_options(CLI::App& cmd, SweepExecArgs& args, bool seed_options = true);
// Overrides for the base scenario: --set, then --seed.
std::vector<std::string> base_overrides(const SweepExecArgs& args);
sweep::ScenarioLoader builtin_scenario_loader();
// What a command adds to a sweep's execution (`stampede ensemble`: its marker and its summary).
struct SweepHooks {
  // Once the input is valid, before any run, in every process that is rank 0 (each shard's too).
  std::function<void(const std::filesystem::path& dir)> before_runs;
  // After summary.h5 is written, in the process that wrote it (not a shard, MPI rank 0).
  std::function<void(const sweep::Plan&, const std::vector<sweep::RunResult>&)> after_summary;
};

// Plans (PlanError -> InputError, printed by rank 0 only), executes, writes the summary where this
// process is the writer, prints what happened; throws when runs failed (exit code 1).
void plan_and_execute(const std::string& label, const SweepExecArgs& args,
                      const std::function<sweep::Plan(const sweep::ScenarioLoader&)>& make_plan,
                      const SweepHooks& hooks = {});

}  // namespace stampede::cli
