// stampede merge: the summary of a sweep or batch directory from the run logs present (after Slurm
// array shards, or to look at a sweep still under way).
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

#include "cli_common.hpp"
#include "sim/sweep/ensemble_plan.hpp"
#include "sim/sweep/ensemble_summary.hpp"
#include "sim/sweep/summary.hpp"

namespace stampede::cli {

void add_merge_command(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "Write DIR/summary.h5 and summary.csv of a sweep, batch or ensemble (and an ensemble's ensemble.h5) from "
               "the run logs in DIR (runs without a complete log are listed as missing)");
  cmd->add_option("dir", *dir, "The -o directory of the sweep, batch or ensemble")->required();
  cmd->callback([dir] {
    sweep::Plan plan;
    try {
      plan = sweep::read_plan_csv(std::filesystem::path(*dir) / "plan.csv");
    } catch (const sweep::PlanError& e) {
      throw InputError(e.problems);
    }
    std::vector<sweep::RunResult> results;
    std::size_t ok = 0, failed = 0;
    for (const auto& run : plan.runs) {
      results.push_back(sweep::read_run_result(*dir, run, nullptr));
      if (results.back().status == "missing" && !results.back().error.empty())
        std::fprintf(stderr, "merge: %s is complete but %s\n", sweep::log_name(run).c_str(), results.back().error.c_str());
      ok += results.back().status == "ok";
      failed += results.back().status == "failed";
    }
    sweep::write_summary(*dir, plan, results);
    const std::size_t missing = plan.runs.size() - ok - failed;
    std::printf("merge: %zu runs (%zu ok, %zu failed, %zu missing) -> %s\n", plan.runs.size(), ok, failed, missing,
                (std::filesystem::path(*dir) / "summary.h5").c_str());
    if (sweep::is_ensemble_dir(*dir)) {
      std::string table;
      try {
        table = sweep::write_ensemble_summary(*dir, plan, results);
      } catch (const sweep::PlanError& e) {
        throw InputError(e.problems);
      }
      std::fputs(table.c_str(), stdout);
      std::printf("merge: -> %s\n", (std::filesystem::path(*dir) / sweep::kEnsembleSummaryFile).c_str());
    }
    if (failed + missing > 0)
      throw std::runtime_error(fmt::format("{} runs failed and {} have no complete log yet{}", failed, missing,
                                           missing > 0 ? " (summary.h5 says so: complete = 0, runs_missing)" : ""));
  });
}

}  // namespace stampede::cli
