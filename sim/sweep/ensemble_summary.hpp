#pragma once
// The summary of an ensemble, DIR/ensemble.h5 (docs/ensemble.md): every run's daily series read
// back from its log (the indices, the main contract's basis, limit-down counts, the agent classes'
// NAVs), their 10/50/90% bands over seeds per scenario and day, every summary metric per run with
// its band, and each scenario's paired difference to the baseline (the first scenario) with a
// bootstrap interval. One netCDF-4 style file: every axis a named dimension (scenario, seed, day,
// quantile, agent_class, metric), so xarray.open_dataset(path) gives labelled arrays.
//
// It is made from plan.csv's rows and the run logs alone, so `stampede ensemble`, its MPI and
// Slurm-shard routes and `stampede merge` write the same file.
#include <filesystem>
#include <string>
#include <vector>

#include "sim/sweep/plan.hpp"
#include "sim/sweep/summary.hpp"

namespace stampede::sweep {

// Writes DIR/ensemble.h5 (to a temporary file, then renamed) and returns the paired comparison as
// a table for the terminal. `results` is [plan.runs] (status and metrics); runs not "ok" are NaN.
// Throws PlanError when the plan is not an ensemble's, std::runtime_error when a log cannot be
// read or the runs' trading days differ.
std::string write_ensemble_summary(const std::filesystem::path& dir, const Plan& plan, const std::vector<RunResult>& results);

inline constexpr const char* kEnsembleSummaryFile = "ensemble.h5";
inline constexpr const char* kEnsembleSchema = "stampede-ensemble/1";

}  // namespace stampede::sweep
