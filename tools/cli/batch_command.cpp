// stampede batch: a list of scenarios (each with overrides) run like a sweep.
#include <filesystem>
#include <memory>

#include "cli_common.hpp"
#include "sweep_common.hpp"

namespace stampede::cli {

namespace {
struct BatchArgs {
  std::string file;
  SweepExecArgs exec;
};
}  // namespace

void add_batch_command(CLI::App& app) {
  auto args = std::make_shared<BatchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "batch",
      "Run a list of scenarios, like a sweep: FILE has one run per line, 'SCENARIO.toml [KEY=VALUE ...]' ('-' for the "
      "built-in scenario, paths relative to FILE, '#' comments)");
  cmd->add_option("file", args->file, "Batch file")->required();
  cmd->add_option("-o,--output", args->exec.output, "Directory for the run logs and the summary (default: results/<FILE stem>)");
  add_sweep_exec_options(*cmd, args->exec);
  cmd->callback([args] {
    SweepExecArgs exec = args->exec;
    if (exec.output.empty()) exec.output = (std::filesystem::path("results") / std::filesystem::path(args->file).stem()).string();
    plan_and_execute("batch", exec, [&](const sweep::ScenarioLoader& load) {
      sweep::BatchSpec spec;
      spec.batch_file = args->file;
      spec.base_overrides = base_overrides(exec);
      spec.replicates = exec.replicates;
      return sweep::plan_batch(spec, load);
    });
  });
}

}  // namespace stampede::cli
