#pragma once
// Sweeps and batches as a plan: the list of runs to make, each with its scenario, overrides,
// seed and a stable id. Planning validates everything first and lists every problem at once
// (PlanError), before any run starts.
//
// Seeds and ids depend only on the base scenario, the run's own parameters and its replicate, so
// adding a grid point (or a batch line) never changes the other runs, and their logs are reused.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace stampede::sweep {

// Everything the user can fix, one message per problem.
class PlanError : public std::runtime_error {
 public:
  explicit PlanError(std::vector<std::string> problems);
  std::vector<std::string> problems;
};

// One swept key and its values as TOML value text ("3", "0.25", "true").
struct GridAxis {
  std::string key;
  std::vector<std::string> values;
};

// "KEY=VALUES": VALUES is a list "2,3,4" or an inclusive range "START:STOP[:STEP]" (step 1 by
// default; "1:2:0.25" gives 1.00, 1.25, ... 2.00 written with the decimals of START and STEP).
// Problems are appended to `problems` (naming the argument); nullopt when there were any.
std::optional<GridAxis> parse_grid_axis(std::string_view arg, std::vector<std::string>& problems);

// Loads a scenario file ("" = the built-in default) with overrides; throws ScenarioError.
using ScenarioLoader = std::function<Scenario(const std::string& file, const std::vector<std::string>& overrides)>;

struct PlannedRun {
  std::size_t index = 0;                // position in the plan: rows of the summary are in this order
  std::string run_id;                   // 16 hex digits; the run log is run_<run_id>.h5
  std::string scenario_file;            // for the loader ("" = built-in)
  std::vector<std::string> overrides;   // for the loader: base, the run's own, then seed=...
  std::vector<std::string> values;      // [Plan::columns] value text, "" where the run sets none
  int replicate = 0;
  std::uint64_t seed = 0;
};

struct Plan {
  std::vector<std::string> columns;     // parameter columns of the summary (swept keys; batch: scenario + keys)
  std::vector<PlannedRun> runs;
};

struct SweepSpec {
  std::string scenario_file;                 // "" = built-in default
  std::vector<std::string> base_overrides;   // --set
  std::vector<std::string> grids;            // --grid KEY=VALUES
  int replicates = 1;
};

struct BatchSpec {
  std::filesystem::path batch_file;          // lines "SCENARIO [KEY=VALUE ...]"; '#' comments
  std::vector<std::string> base_overrides;   // --set, applied to every line before its own
  int replicates = 1;
};

// Both throw PlanError listing every problem (unknown key, bad value or range, missing file...).
Plan plan_sweep(const SweepSpec& spec, const ScenarioLoader& load);
Plan plan_batch(const BatchSpec& spec, const ScenarioLoader& load);

// The seed of a run: stream_seed(base_seed, "sweep", hash of the sorted "key=value" list and the
// replicate), kept to 63 bits. `params` need not be sorted.
std::uint64_t derive_seed(std::uint64_t base_seed, std::vector<std::pair<std::string, std::string>> params, int replicate);

// A run's id: a hash of its resolved base scenario and its own parameters and replicate (16 hex
// digits), so a run keeps its id, and its log, when other runs are added to the plan.
std::string make_run_id(const std::string& base_resolved, std::vector<std::pair<std::string, std::string>> params,
                        int replicate);

std::string log_name(const PlannedRun& run);         // "run_<run_id>.h5"
std::string error_name(const PlannedRun& run);       // "run_<run_id>.error": text of a failed run

// DIR/plan.csv: index, run_id, the parameter columns, replicate, seed; what `merge` reads back.
void write_plan_csv(const Plan& plan, const std::filesystem::path& file);
Plan read_plan_csv(const std::filesystem::path& file);   // runs without scenario/overrides; throws PlanError

// CSV helpers (RFC 4180 quoting), shared with the summary writer.
std::string csv_field(std::string_view text);
std::vector<std::vector<std::string>> parse_csv(std::string_view text);

}  // namespace stampede::sweep
