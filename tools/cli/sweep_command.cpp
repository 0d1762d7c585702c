// stampede sweep: the product of parameter grids times replicates, run in parallel (and across MPI
// ranks or Slurm array shards), one run log per run plus DIR/summary.h5 and summary.csv.
#include <cstdio>
#include <fmt/format.h>
#include <malloc.h>
#include <memory>
#include <unistd.h>

#include "agents/builtin_agents.hpp"
#include "cli_common.hpp"
#include "scenario_input.hpp"
#include "output_check.hpp"
#include "sim/engine/interrupt.hpp"
#include "sim/sweep/sweep_lock.hpp"
#include "sweep_common.hpp"

namespace stampede::cli {

namespace {

struct SweepArgs {
  std::string scenario;                  // "" = built-in default
  std::vector<std::string> grids;
  SweepExecArgs exec;
};

}  // namespace

void add_sweep_exec_options(CLI::App& cmd, SweepExecArgs& args, bool seed_options) {
  if (seed_options)
    cmd.add_option("--replicates", args.replicates, "Runs per parameter point, each with its own derived seed (default 1)");
  cmd.add_option("-j,--jobs", args.jobs, "Runs at a time in this process (default: one per core); each run gets the cores left over")
      ->check(CLI::Range(0, 4096));
  cmd.add_flag("--oversubscribe", args.oversubscribe,
               "Use -j as given even above this machine's cores (else it is capped at them, with a warning)");
  cmd.add_option("--shard", args.shard,
                 "Run only shard I of K (0 <= I < K) of the runs, e.g. 3/8 (default: from SLURM_ARRAY_TASK_ID and "
                 "SLURM_ARRAY_TASK_COUNT when set); then `stampede merge DIR`")
      ->type_name("I/K");
  if (seed_options)
    cmd.add_option("--seed", args.seed, "Base seed (default: the scenario's seed key); run seeds are derived from it")
        ->check(CLI::NonNegativeNumber);
  cmd.add_option("--set", args.overrides, "Override a key of the scenario (each scenario of an ensemble) for every run (repeatable)")
      ->type_name("KEY=VALUE")
      ->take_all()
      ->allow_extra_args(false);
  cmd.add_flag("-q,--quiet", args.quiet, "No progress on stderr");
}

std::vector<std::string> base_overrides(const SweepExecArgs& args) {
  std::vector<std::string> ov = args.overrides;
  if (args.seed >= 0) ov.push_back(fmt::format("seed={}", args.seed));
  return ov;
}

sweep::ScenarioLoader builtin_scenario_loader() {
  auto specs = std::make_shared<const std::vector<ParamSpec>>(builtin_agents().all_params());
  return [specs](const std::string& file, const std::vector<std::string>& overrides) {
    return load_checked_scenario(file, *specs, overrides);
  };
}

void plan_and_execute(const std::string& label, const SweepExecArgs& args,
                      const std::function<sweep::Plan(const sweep::ScenarioLoader&)>& make_plan, const SweepHooks& hooks) {
  sweep::MpiWorld world;
  const auto load = builtin_scenario_loader();
  sweep::Plan plan;
  std::pair<int, int> shard{0, 1};
  try {
    std::vector<std::string> problems;
    try {
      shard = sweep::parse_shard(args.shard);
    } catch (const sweep::PlanError& e) {
      problems = e.problems;
    }
    if (args.output.empty()) problems.push_back("-o DIR is required: the directory for the run logs and the summary");
    for (const std::string& p : output_dir_problems(args.output, "-o")) problems.push_back(p);
    try {
      plan = make_plan(load);
    } catch (const sweep::PlanError& e) {
      problems.insert(problems.end(), e.problems.begin(), e.problems.end());
    }
    if (!problems.empty()) throw InputError(problems);
  } catch (const InputError& e) {
    if (world.rank() != 0) throw InputError(std::vector<std::string>{});   // rank 0 tells the user
    throw;
  }

  sweep::ExecuteOptions o;
  o.dir = args.output;
  o.jobs = capped_to_cores(args.jobs, "-j", args.oversubscribe);
  o.shard = shard.first;
  o.shards = shard.second;
  o.progress = !args.quiet;
  o.label = label;
  static const AgentRegistry registry = builtin_agents();
  o.registry = &registry;
  o.load = load;
  // One sweep per directory (sweep_lock.hpp), taken before anything is written into it.
  sweep::SweepLock lock;
  if (world.rank() == 0) {
    try {
      lock = sweep::lock_sweep_dir(o.dir, o.shard, o.shards);
    } catch (const std::exception& e) {
      if (world.active()) {   // the other ranks would wait for rank 0 forever
        std::fprintf(stderr, "error: %s\n", e.what());
        world.abort(dynamic_cast<const OutputBusy*>(&e) ? kExitBusy : kExitRuntimeFailure);
      }
      throw;
    }
  }
  if (hooks.before_runs && world.rank() == 0) hooks.before_runs(o.dir);
  install_interrupt_handlers();
  o.stop = &interrupt_signal();
  // A sweep process makes many runs, each allocating and freeing large arrays: keep freed memory in
  // the heap for the next run rather than unmapping it and faulting it in again (page faults of
  // concurrent runs contend in the kernel; this alone cut a small-run sweep's CPU time by a third).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  sweep::ExecuteReport rep;
  try {
    rep = sweep::execute_plan(plan, o, world);
  } catch (const std::exception& e) {
    if (!world.active()) throw;
    // The other ranks would wait for rank 0 forever: take the whole job down.
    std::fprintf(stderr, "error: MPI rank %d: %s\n", world.rank(), e.what());
    world.abort(kExitRuntimeFailure);
    throw;
  }
  if (const int sig = interrupt_signal().load(); sig != 0) {
    if (world.rank() == 0)
      std::fprintf(stderr,
                   "%s: interrupted by %s: %zu runs finished now, %zu stopped before the end (their logs are incomplete); "
                   "no summary written. Run the same command again to resume.\n",
                   label.c_str(), signal_name(sig), rep.ran, rep.interrupted);
    throw Interrupted{sig};
  }
  if (world.rank() != 0) return;
  if (!rep.stopped_launching.empty())
    std::fprintf(stderr, "%s: stopped launching runs: %s; %zu runs not started (they are missing in the summary). Free "
                         "some space and run the same command again to resume.\n",
                 label.c_str(), rep.stopped_launching.c_str(), rep.not_started);
  if (rep.writer) {
    sweep::write_summary(o.dir, plan, rep.results);
    std::size_t ok = 0;
    for (const auto& r : rep.results) ok += r.status == "ok";
    std::printf("%s: %zu runs (%zu ok, %zu failed; %zu run now, %zu already complete) -> %s\n", label.c_str(),
                plan.runs.size(), ok, plan.runs.size() - ok, rep.ran, rep.skipped, (o.dir / "summary.h5").c_str());
    if (hooks.after_summary) hooks.after_summary(plan, rep.results);
  } else {
    std::printf("%s: shard %d/%d: %zu runs (%zu run now, %zu failed, %zu already complete); when every shard is done: "
                "stampede merge %s\n",
                label.c_str(), o.shard, o.shards, rep.planned, rep.ran, rep.failed, rep.skipped, o.dir.c_str());
  }
  if (world.active()) {
    std::string per_rank;
    for (std::size_t k = 0; k < rep.runs_per_rank.size(); ++k) per_rank += fmt::format("{}{}", k ? " " : "", rep.runs_per_rank[k]);
    std::printf("%s: runs made by MPI rank 0..%d: %s\n", label.c_str(), world.size() - 1, per_rank.c_str());
  }
  if (!rep.stopped_launching.empty() && rep.failed == 0)
    throw std::runtime_error(fmt::format("the disk of {} is full: {} runs not started", o.dir.string(), rep.not_started));
  if (rep.failed > 0)
    throw std::runtime_error(fmt::format("{} of {} runs failed; their errors are in the summary and in {}/run_*.error",
                                         rep.failed, rep.ran, o.dir.string()));
}

void add_sweep_command(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a scenario over the product of parameter grids times replicates, in parallel; resumable");
  cmd->add_option("scenario", args->scenario, "Base scenario TOML file (default: the built-in scenario)");
  cmd->add_option("--grid", args->grids,
                  "KEY=VALUES to sweep: a list (dma.leverage=2,3,4) or an inclusive range START:STOP[:STEP] "
                  "(dma.leverage=1:5:0.5); repeat for a product of grids")
      ->type_name("KEY=VALUES")
      ->take_all()
      ->allow_extra_args(false);
  cmd->add_option("-o,--output", args->exec.output, "Directory for the run logs, plan.csv, summary.h5 and summary.csv")
      ->required();
  add_sweep_exec_options(*cmd, args->exec);
  cmd->callback([args] {
    plan_and_execute("sweep", args->exec, [&](const sweep::ScenarioLoader& load) {
      sweep::SweepSpec spec;
      spec.scenario_file = args->scenario;
      spec.base_overrides = base_overrides(args->exec);
      spec.grids = args->grids;
      spec.replicates = args->exec.replicates;
      return sweep::plan_sweep(spec, load);
    });
  });
}

}  // namespace stampede::cli
