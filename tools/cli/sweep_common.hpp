#pragma once
// What `stampede sweep` and `stampede batch` share: the execution options (-o, -j, --replicates,
// --shard, --seed, --set, -q), the scenario loader, and how a finished sweep is reported.
#include <CLI/CLI.hpp>
#include <cstdint>
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

void add_sweep_exec_options(CLI::App& cmd, SweepExecArgs& args);
// Overrides for the base scenario: --set, then --seed.
std::vector<std::string> base_overrides(const SweepExecArgs& args);
sweep::ScenarioLoader builtin_scenario_loader();
// Plans (PlanError -> InputError, printed by rank 0 only), executes, writes the summary where this
// process is the writer, prints what happened; throws when runs failed (exit code 1).
void plan_and_execute(const std::string& label, const SweepExecArgs& args,
                      const std::function<sweep::Plan(const sweep::ScenarioLoader&)>& make_plan);

}  // namespace stampede::cli
