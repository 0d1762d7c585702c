#pragma once
// Outcomes of planned runs and the summary table: DIR/summary.h5 (one compound dataset "runs",
// one row per run, fixed-length strings; pandas: pd.DataFrame(h5py.File(p)["runs"][:])) and the
// same table as DIR/summary.csv.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/sweep/plan.hpp"

namespace stampede::sweep {

struct RunResult {
  std::string status = "missing";   // "ok", "failed", or "missing" (no complete log, no error)
  std::string error;                // failed runs: what went wrong
  std::vector<double> metrics;      // [metric_names()], NaN unless ok
};

// The outcome metrics of a run, named as summary_metrics() names them (the run log's root
// attributes are "summary_" + name).
const std::vector<std::string>& metric_names();

// What the run log says about a run, under the HDF5 library lock: "ok" with the metrics read back
// from the root attributes when the log exists with complete = 1, no error file, and it may be
// reused (run_log_verify.hpp: this build's version, git_sha and code_hash, the scenario_hash of
// the run as `load` resolves it now, every dataset reads back with its checksums); "failed" when
// an error file lies next to it; "missing" otherwise (absent, unreadable, incomplete, or not
// reusable: then `error` says why, starting "not reused: "). Without `load` (merge: plan.csv does
// not record the scenario) the scenario_hash is not checked.
RunResult read_run_result(const std::filesystem::path& dir, const PlannedRun& run, const ScenarioLoader* load);

// How the planned runs ended: what a summary file says of its own completeness (runs_planned,
// runs_ok, runs_failed, runs_missing; complete only when none is missing).
struct RunTally {
  std::int64_t planned = 0, ok = 0, failed = 0;
  std::int64_t missing() const { return planned - ok - failed; }
};
RunTally tally_runs(const std::vector<RunResult>& results);

// FILE.tmp-PID beside FILE: a summary is written there, then renamed into place.
std::filesystem::path temporary_path(const std::filesystem::path& file);

// Writes DIR/summary.h5 and DIR/summary.csv (each to a temporary file, then renamed). Rows are in
// plan order. `results` is [plan.runs].
void write_summary(const std::filesystem::path& dir, const Plan& plan, const std::vector<RunResult>& results);

// A result as one line of text (doubles exact) and back: how MPI ranks report to rank 0.
std::string encode_result(std::size_t index, const RunResult& r);
std::size_t decode_result(const std::string& text, RunResult& r);

}  // namespace stampede::sweep
