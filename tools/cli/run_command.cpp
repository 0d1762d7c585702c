// stampede run: simulate a scenario, write its HDF5 run log, print a summary.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <fmt/format.h>
#include <unistd.h>

#include "agents/builtin_agents.hpp"
#include "cli_common.hpp"
#include "output_check.hpp"
#include "scenario_input.hpp"
#include "sim/engine/interrupt.hpp"
#include "sim/engine/run.hpp"

namespace stampede::cli {

namespace {

struct RunArgs {
  ScenarioArgs scenario;
  std::string output;
  std::int64_t seed = -1;
  int threads = 0;
  bool quiet = false;
  bool check_invariants = false;
};

std::string clock_text(double seconds) {
  const long s = std::lround(seconds);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

void run(const RunArgs& args) {
  ScenarioArgs sa = args.scenario;
  if (args.seed >= 0) sa.overrides.push_back(fmt::format("seed={}", args.seed));
  // Every problem with the input, the scenario's and the output path's, before any work starts.
  std::vector<std::string> problems;
  std::optional<Scenario> loaded;
  try {
    loaded.emplace(load_scenario(sa));
  } catch (const InputError& e) {
    problems = e.problems;
  }
  const std::filesystem::path output = !args.output.empty() ? std::filesystem::path(args.output)
                                       : loaded ? std::filesystem::path("results") / (loaded->name() + ".h5")
                                                : std::filesystem::path();
  if (!output.empty()) {
    auto more = output_file_problems(output, args.output.empty(), args.output.empty() ? "run log" : "-o");
    problems.insert(problems.end(), more.begin(), more.end());
  }
  if (!problems.empty()) throw InputError(problems);
  const Scenario& scenario = *loaded;

  install_interrupt_handlers();
  RunOptions options;
  options.output = output;
  options.threads = args.threads;
  options.stop = &interrupt_signal();
  options.check_invariants = args.check_invariants;
  const bool progress = !args.quiet && isatty(STDERR_FILENO);
  if (progress)
    options.on_day_done = [](const RunProgress& p) {
      std::fprintf(stderr, "\r  day %d/%d (%s)  %.0f steps/s  elapsed %s  ETA %s   ", p.days_done, p.days_total,
                   p.date.c_str(), p.steps_per_second, clock_text(p.elapsed_seconds).c_str(), clock_text(p.eta_seconds()).c_str());
      std::fflush(stderr);
    };
  const RunSummary summary = run_simulation(scenario, builtin_agents(), options);
  if (progress) std::fprintf(stderr, "\r%*s\r", 90, "");
  if (summary.interrupted_by != 0) {
    std::fprintf(stderr,
                 "stampede: interrupted by %s after %lld steps (%d of %d trading days complete); run log %s is "
                 "incomplete (complete = 0, interrupted_signal = %d)\n",
                 signal_name(summary.interrupted_by), static_cast<long long>(summary.steps), summary.days_done,
                 summary.days, output.c_str(), summary.interrupted_by);
    throw Interrupted{summary.interrupted_by};
  }
  std::fputs(format_summary(summary, output).c_str(), stdout);
  if (!summary.conservation_problems.empty()) {
    for (const auto& p : summary.conservation_problems) std::fprintf(stderr, "error: accounting invariant broken: %s\n", p.c_str());
    throw std::runtime_error("the run broke conservation of money or shares (a bug: please report it)");
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario and write its HDF5 run log (default: the built-in scenario)");
  cmd->add_option("scenario", args->scenario.file, "Scenario TOML file; omit to run the built-in default scenario")
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", args->output, "Run log to write (default: results/<scenario name>.h5)");
  cmd->add_option("--seed", args->seed, "Base random seed (overrides the scenario's seed key)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", args->threads, "Worker threads (default: every core); results are identical for any count")
      ->check(CLI::Range(0, 1024));
  add_scenario_options(*cmd, args->scenario);
  cmd->add_flag("-q,--quiet", args->quiet, "No progress line on stderr");
  cmd->add_flag("--check-invariants", args->check_invariants,
                "Check every accounting and price-band invariant after every step (always on in debug builds); "
                "a broken one stops the run with an error");
  cmd->callback([args] { run(*args); });
}

void add_check_command(CLI::App& app) {
  auto args = std::make_shared<ScenarioArgs>();
  CLI::App* cmd = app.add_subcommand("check", "Validate a scenario and print it resolved: every key after defaults and overrides");
  cmd->add_option("scenario", args->file, "Scenario TOML file")->required()->check(CLI::ExistingFile);
  add_scenario_options(*cmd, *args);
  cmd->callback([args] {
    const Scenario s = load_scenario(*args);
    std::fputs(s.resolved_toml().c_str(), stdout);
  });
}

}  // namespace stampede::cli
