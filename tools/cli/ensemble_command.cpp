// stampede ensemble: several scenarios on the same seeds (paired), run like a sweep (workers, MPI,
// Slurm shards, resume), then DIR/ensemble.h5 with the daily bands over seeds and each scenario's
// paired difference to the first, printed as a table (sim/sweep/ensemble_summary.hpp).
#include <cstdio>
#include <memory>

#include "cli_common.hpp"
#include "sim/sweep/ensemble_plan.hpp"
#include "sim/sweep/ensemble_summary.hpp"
#include "sweep_common.hpp"

namespace stampede::cli {

namespace {
struct EnsembleArgs {
  std::vector<std::string> scenarios;
  int seeds = sweep::EnsembleSpec::kNotGiven;
  std::string seed_list;
  SweepExecArgs exec;
};
}  // namespace

void add_ensemble_command(CLI::App& app) {
  auto args = std::make_shared<EnsembleArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ensemble",
      "Run scenarios on the same seeds 1..N (paired; each run as `stampede run SCENARIO --seed K`), in parallel and "
      "resumable like a sweep; DIR/ensemble.h5 holds daily 10/50/90% bands over the seeds and each scenario's paired "
      "difference to the first (the baseline), printed as a table");
  cmd->add_option("scenarios", args->scenarios, "Scenario TOML files; the first is the baseline")->required();
  cmd->add_option("--seeds", args->seeds, "Run every scenario on the seeds 1..N (N >= 1)");
  cmd->add_option("--seed-list", args->seed_list, "Run on these seeds instead of 1..N, e.g. 1,5,9")->type_name("K,K,...");
  cmd->add_option("-o,--output", args->exec.output,
                  "Directory for the run logs, plan.csv, summary.h5/.csv and ensemble.h5")
      ->required();
  add_sweep_exec_options(*cmd, args->exec, /*seed_options=*/false);
  cmd->callback([args] {
    sweep::EnsembleSpec spec;
    spec.scenario_files = args->scenarios;
    spec.base_overrides = args->exec.overrides;
    spec.seed_count = args->seeds;
    spec.seed_list = args->seed_list;
    SweepHooks hooks;
    hooks.before_runs = [spec](const std::filesystem::path& dir) { sweep::write_ensemble_marker(dir, spec); };
    hooks.after_summary = [dir = args->exec.output](const sweep::Plan& plan, const std::vector<sweep::RunResult>& results) {
      const std::string table = sweep::write_ensemble_summary(dir, plan, results);
      std::fputs(table.c_str(), stdout);
      std::printf("ensemble: -> %s\n", (std::filesystem::path(dir) / sweep::kEnsembleSummaryFile).c_str());
    };
    plan_and_execute(
        "ensemble", args->exec, [&](const sweep::ScenarioLoader& load) { return sweep::plan_ensemble(spec, load); }, hooks);
  });
}

}  // namespace stampede::cli
