// stampede run: simulate a scenario, write its HDF5 run log, print a summary.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <fmt/format.h>
#include <unistd.h>

#include "agents/builtin_agents.hpp"
#include "cli_common.hpp"
#include "output_check.hpp"
#include "scenario_input.hpp"
#include "sim/engine/interrupt.hpp"
#include "sim/engine/resource_estimate.hpp"
#include "sim/engine/run.hpp"
#include "sim/record/output_lock.hpp"
#include "sim/record/shadow_file.hpp"
#include "sim/scenario/param_docs.hpp"
#include "sim/scenario/scenario_data.hpp"

namespace stampede::cli {

int capped_to_cores(int requested, const char* what, bool oversubscribe) {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  if (oversubscribe || cores <= 0 || requested <= cores) return requested;
  std::fprintf(stderr,
               "stampede: %s %d is more than this machine's %d cores; using %d (the results are the same at any "
               "count; --oversubscribe keeps %d)\n",
               what, requested, cores, cores, requested);
  return cores;
}

void check_resources(const Scenario& scenario, const std::filesystem::path& output_dir, int threads, bool force) {
  const ResourceEstimate e = estimate_resources(scenario);
  std::fprintf(stderr, "%s\n", estimate_line(e, output_dir, threads).c_str());
  std::fflush(stderr);
  if (force) return;
  if (auto problems = resource_problems(e, output_dir); !problems.empty()) throw InputError(problems);
}

namespace {

struct RunArgs {
  ScenarioArgs scenario;
  std::string output;
  std::int64_t seed = -1;
  int threads = 0;
  bool oversubscribe = false;
  bool quiet = false;
  bool check_invariants = false;
  bool force = false;
  bool resume = false;
  int checkpoint_every = RunOptions::kCheckpointAuto;
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
  // Another process writing the same log: say so now, not after building the world (the run log
  // takes the lock itself when it is created; this only makes the refusal immediate).
  if (const std::string holder = current_holder(run_log_lock_path(output)); !holder.empty())
    throw OutputBusy("run log '" + output.string() + "' is in use by another stampede process (" + holder + ", lock file " +
                     run_log_lock_path(output).string() + "); wait for it to finish or stop it");
  // Working copies that killed runs left beside it (.NAME.h5.tmp), each checked by taking its log's lock.
  const std::filesystem::path dir = output.parent_path().empty() ? std::filesystem::path(".") : output.parent_path();
  std::vector<std::string> gone;
  if (const int removed = record_detail::remove_stale_temporaries(dir, &gone)) {
    std::string who;
    for (const auto& g : gone) who += (who.empty() ? " (" : "; ") + g;
    std::fprintf(stderr, "stampede: note: removed %d working cop%s that killed runs left in '%s'%s\n", removed,
                 removed == 1 ? "y" : "ies", dir.c_str(), who.empty() ? "" : (who + ")").c_str());
  }
  const int threads = capped_to_cores(args.threads, "--threads", args.oversubscribe);
  check_resources(scenario, output.parent_path(), threads, args.force);

  install_interrupt_handlers();
  RunOptions options;
  options.output = output;
  options.threads = threads;
  options.stop = &interrupt_signal();
  options.check_invariants = args.check_invariants;
  options.resume = args.resume;
  options.checkpoint_every_days = args.checkpoint_every;
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
  // No CLI::ExistingFile: a missing file is reported by the scenario loader, in the project's words.
  cmd->add_option("scenario", args->scenario.file, "Scenario TOML file; omit to run the built-in default scenario");
  cmd->add_option("-o,--output", args->output, "Run log to write (default: results/<scenario name>.h5)");
  cmd->add_option("--seed", args->seed, "Base random seed (overrides the scenario's seed key)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", args->threads, "Worker threads (default: every core); results are identical for any count")
      ->check(CLI::Range(0, 1024));
  cmd->add_flag("--oversubscribe", args->oversubscribe,
                "Use --threads as given even above this machine's cores (else it is capped at them, with a warning)");
  add_scenario_options(*cmd, args->scenario);
  cmd->add_flag("-q,--quiet", args->quiet, "No progress line on stderr");
  cmd->add_flag("--force", args->force,
                "Start even when the estimated disk or memory (printed before the run) is more than is free");
  cmd->add_flag("--resume", args->resume,
                "Continue a killed or interrupted run from its last checkpoint (.NAME.h5.ckpt beside the log): the log "
                "keeps the days before it and the result is bit-identical to a run never stopped. Without a usable "
                "checkpoint (none, damaged, or from another build, scenario or seed: a warning says which) the run "
                "starts from day 0");
  cmd->add_option("--checkpoint-every", args->checkpoint_every,
                  "Save the whole simulation state beside the log (for --resume) after every N trading days; 0: never; "
                  "default -1: automatic, after every day once the time simulated since the last checkpoint is 50 times "
                  "what that one cost (at most ~2% of the run: every day of a long run, every few days of a fast one). "
                  "A finished run removes it")
      ->check(CLI::Range(-1, 1000000));
  cmd->add_flag("--check-invariants", args->check_invariants,
                "Check every accounting and price-band invariant after every step (always on in debug builds); "
                "a broken one stops the run with an error");
  cmd->callback([args] { run(*args); });
}

namespace {

struct CheckArgs {
  ScenarioArgs scenario;
  bool diff = false;
  bool force = false;
  std::string doc;   // --doc: the markdown page whose parameter tables to rewrite
};

// `check --doc PAGE`: rewrites the page's marked parameter tables from the specs (docs/scenario.md;
// sim/scenario/param_docs.hpp), leaving its prose alone. A section with no marked table is an
// error, so a new section cannot go undocumented.
void write_parameter_docs(const std::string& page) {
  std::string text;
  try {
    text = read_input_file(page, "documentation page", 16 << 20);
  } catch (const std::runtime_error& e) {
    throw InputError(e.what());
  }
  const auto& specs = builtin_agents().all_params();
  std::string updated;
  try {
    updated = with_parameter_tables(text, specs);
  } catch (const std::runtime_error& e) {
    throw InputError(page + ": " + e.what());
  }
  if (updated != text) rewrite_file(page, updated);
  std::vector<std::string> problems;
  for (const auto& d : parameter_table_differences(updated, specs)) problems.push_back(page + ": " + d);
  if (!problems.empty()) throw InputError(problems);
  std::printf("%s: parameter tables %s (%zu keys)\n", page.c_str(), updated == text ? "already up to date" : "rewritten",
              specs.size());
}

// `check --doc PAGE FILE`: also rewrites the scenario file's comment blocks so that each begins
// with its key's spec line (sim/scenario/param_docs.hpp), keeping the file's own explanations.
// The file must load to the same values after as before; if not, it is put back and that is an
// error (a bug of the rewrite).
void write_scenario_comments(const std::string& file) {
  const auto& specs = builtin_agents().all_params();
  Scenario before, after;
  try {
    before = Scenario::load(file, specs);
  } catch (const ScenarioError& e) {
    throw InputError(e.problems());
  }
  std::string text;
  try {
    text = read_input_file(file, "scenario file", 16 << 20);
  } catch (const std::runtime_error& e) {
    throw InputError(e.what());
  }
  const std::string updated = with_spec_comments(text, specs);
  auto write = [&](const std::string& content) { rewrite_file(file, content); };
  if (updated != text) {
    write(updated);
    try {
      after = Scenario::load(file, specs);
    } catch (const ScenarioError& e) {
      write(text);
      throw std::runtime_error(file + ": the rewritten comments do not load (file restored): " + e.what());
    }
    if (!after.differences_from(before).empty() || after.name() != before.name()) {
      write(text);
      throw std::runtime_error(file + ": the rewritten comments change the scenario's values (file restored)");
    }
  }
  std::vector<std::string> problems;
  for (const auto& d : scenario_comment_differences(updated, specs)) problems.push_back(file + ": " + d);
  if (!problems.empty()) throw InputError(problems);
  std::printf("%s: comments %s\n", file.c_str(), updated == text ? "already up to date" : "rewritten");
}

// `check --diff`: only the keys the scenario changes, first against the defaults (what every key is
// when no file sets it), then against the file it builds on (`base`), each with the other value.
void print_differences(const Scenario& s, const ScenarioArgs& args) {
  const auto& specs = builtin_agents().all_params();
  auto print = [](const std::vector<Scenario::KeyDifference>& diffs, const char* other) {
    std::size_t width = 0;
    for (const auto& d : diffs) width = std::max(width, d.key.size() + 3 + d.value.size());
    for (const auto& d : diffs) {
      const std::string line = d.key + " = " + d.value;
      std::printf("%-*s  # %s: %s\n", static_cast<int>(width), line.c_str(), other, d.other_value.c_str());
    }
  };
  std::string what = "'" + s.name() + "' (" + s.source_name();
  for (const auto& o : args.overrides) what += " --set " + o;
  what += ")";
  const Scenario defaults = Scenario::parse("", "the defaults", specs);
  const auto from_defaults = s.differences_from(defaults);
  std::printf("# %s: %zu keys differ from the defaults (the value a key takes when no file sets it)\n", what.c_str(),
              from_defaults.size());
  print(from_defaults, "default");
  if (s.base_files().empty()) {
    std::printf("\n# no base: %s does not build on another scenario file\n", s.source_name().c_str());
    return;
  }
  const std::string& base_file = s.base_files().back();
  Scenario base;
  try {
    base = Scenario::load(base_file, specs);
  } catch (const ScenarioError& e) {
    throw InputError(e.problems());
  }
  const auto from_base = s.differences_from(base);
  std::printf("\n# %zu keys differ from its base %s\n", from_base.size(), base_file.c_str());
  print(from_base, "base");
}

}  // namespace

void add_check_command(CLI::App& app) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand("check", "Validate a scenario and print it resolved: every key after defaults and overrides");
  // Required unless --doc (checked in the callback, in CLI11's words).
  cmd->add_option("scenario", args->scenario.file, "Scenario TOML file");
  add_scenario_options(*cmd, args->scenario);
  cmd->add_flag("--diff", args->diff,
                "Print only the keys that differ from the defaults, then those that differ from the scenario's base file");
  cmd->add_flag("--force", args->force, "Do not refuse a scenario whose estimated disk or memory is more than is free");
  cmd->add_option("--doc", args->doc,
                  "Rewrite the parameter tables of this markdown page (docs/scenario.md) from the code's keys, "
                  "then check the page against them; no scenario needed. With a scenario file "
                  "(scenarios/feb2024.toml), also begin each key's comment block with its spec line "
                  "(unit; range; doc), keeping the file's own explanations");
  cmd->callback([args] {
    if (!args->doc.empty()) {
      if (args->diff || !args->scenario.overrides.empty())
        throw InputError("stampede check: --doc takes no --diff and no --set");
      write_parameter_docs(args->doc);
      if (!args->scenario.file.empty()) write_scenario_comments(args->scenario.file);
      return;
    }
    if (args->scenario.file.empty()) throw CLI::RequiredError("scenario");
    const Scenario s = load_scenario(args->scenario);
    // What `stampede run` would need, against this machine (the log in results/, as run writes it).
    check_resources(s, "results", 0, args->force);
    if (args->diff)
      print_differences(s, args->scenario);
    else
      std::fputs(s.resolved_toml().c_str(), stdout);
  });
}

}  // namespace stampede::cli
