#pragma once
// Ensembles as a plan: every scenario on the same literal seeds (paired), so scenario B's run on
// seed 3 differs from scenario A's on seed 3 only by the scenario, and each run is bit-identical
// to `stampede run SCENARIO --seed 3` with the same --set (the seeds tools/seed_runs.sh and the
// fidelity targets of docs/calibration.md use). The plan is an ordinary sweep plan (one
// "scenario" column, the seed in `seed`, its position in `replicate`), so execution, resuming,
// MPI, Slurm shards and `stampede merge` are the sweep's own.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "sim/sweep/plan.hpp"

namespace stampede::sweep {

struct EnsembleSpec {
  std::vector<std::string> scenario_files;   // the first is the baseline of the paired comparison
  std::vector<std::string> base_overrides;   // --set, applied to every scenario
  static constexpr int kNotGiven = std::numeric_limits<int>::min();
  int seed_count = kNotGiven;                // --seeds N: the seeds 1..N
  std::string seed_list;                     // --seed-list 1,5,9: these seeds instead
};

// Plans scenario-major (every seed of the first scenario, then the next). Throws PlanError listing
// every problem: no seeds, a bad seed list, a scenario that does not load, two scenarios with the
// same label (the file name without .toml), scenarios whose trading days differ (an ensemble
// compares them day by day).
Plan plan_ensemble(const EnsembleSpec& spec, const ScenarioLoader& load);

// The label an ensemble gives a scenario file: its name without the directory and ".toml".
std::string scenario_label(const std::string& file);

// The shape of an ensemble plan, as read back from plan.csv: scenario labels in plan order (the
// first is the baseline), seeds in order, and the plan row of every (scenario, seed).
struct EnsembleLayout {
  std::vector<std::string> scenarios;
  std::vector<std::uint64_t> seeds;
  std::vector<std::vector<std::size_t>> run;   // [scenario][seed] -> index into Plan::runs
};
// Throws PlanError when the plan is not every scenario on every seed exactly once.
EnsembleLayout ensemble_layout(const Plan& plan);

// DIR/ensemble_scenarios.csv (label,file per scenario, the baseline first) marks a directory as an
// ensemble's, so `stampede merge DIR` writes its ensemble.h5 too. Written through a temporary
// file and a rename (shards may write it at once).
inline constexpr const char* kEnsembleMarker = "ensemble_scenarios.csv";
void write_ensemble_marker(const std::filesystem::path& dir, const EnsembleSpec& spec);
bool is_ensemble_dir(const std::filesystem::path& dir);

}  // namespace stampede::sweep
