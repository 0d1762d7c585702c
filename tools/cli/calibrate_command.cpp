// stampede calibrate: fits scenario keys to target moments (method of simulated moments). The
// search, the moments and the outputs are tools/calibrate.py's (the moments are declared once, in
// tools/calibration/moments.py, for the calibrator and the calibration check alike): this command
// declares the options (for --help and the "did you mean" check of every command) and hands them
// to that script with this binary as the simulator. The script checks the input (exit 2).
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "cli_common.hpp"

namespace stampede::cli {

namespace {

struct CalibrateArgs {
  std::string scenario, targets, output, seeds, budget, loss, jobs;
  std::vector<std::string> params, overrides;
  bool keep_logs = false, oversubscribe = false, quiet = false, list_moments = false;
};

namespace fs = std::filesystem;

fs::path this_binary() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : p;
}

// tools/calibrate.py: next to the source tree the binary was built from (build/tools/stampede ->
// tools/), else the source tree it was configured in.
fs::path calibrate_script() {
  const fs::path exe = this_binary();
  std::vector<fs::path> candidates;
  if (!exe.empty()) candidates.push_back(exe.parent_path().parent_path().parent_path() / "tools" / "calibrate.py");
  candidates.push_back(fs::path(STAMPEDE_SOURCE_DIR) / "tools" / "calibrate.py");
  for (const auto& c : candidates)
    if (fs::exists(c)) return c;
  throw std::runtime_error("stampede calibrate needs tools/calibrate.py of the source tree; not found at " +
                           candidates.back().string());
}

// STAMPEDE_PYTHON in the environment, else the interpreter the build was configured with.
std::string python_interpreter() {
  const char* env = std::getenv("STAMPEDE_PYTHON");
  const std::string py = env && *env ? env : STAMPEDE_PYTHON;
  if (access(py.c_str(), X_OK) != 0)
    throw std::runtime_error("stampede calibrate runs tools/calibrate.py with Python 3 (numpy, h5py, matplotlib): " + py +
                             " is not there (Debian: apt-get install python3-numpy python3-h5py python3-matplotlib; or "
                             "set STAMPEDE_PYTHON)");
  return py;
}

[[noreturn]] void hand_over(const CalibrateArgs& a) {
  const std::string py = python_interpreter();
  std::vector<std::string> argv = {py, calibrate_script().string()};
  const fs::path exe = this_binary();
  if (!exe.empty()) argv.insert(argv.end(), {"--stampede", exe.string()});
  if (a.list_moments) argv.push_back("--list-moments");
  if (!a.scenario.empty()) argv.push_back(a.scenario);
  auto opt = [&](const char* name, const std::string& v) {
    if (!v.empty()) argv.insert(argv.end(), {name, v});
  };
  opt("--targets", a.targets);
  for (const auto& p : a.params) opt("--param", p);
  opt("--seeds", a.seeds);
  opt("--budget", a.budget);
  opt("--loss", a.loss);
  opt("-j", a.jobs);
  for (const auto& s : a.overrides) opt("--set", s);
  opt("-o", a.output);
  if (a.keep_logs) argv.push_back("--keep-logs");
  if (a.oversubscribe) argv.push_back("--oversubscribe");
  if (a.quiet) argv.push_back("-q");
  std::vector<char*> cargv;
  for (auto& s : argv) cargv.push_back(s.data());
  cargv.push_back(nullptr);
  std::fflush(nullptr);
  execv(py.c_str(), cargv.data());
  throw std::runtime_error("cannot start " + py + ": " + std::strerror(errno));
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Fit scenario keys to target moments (method of simulated moments): a Halton start then Nelder-Mead, every "
      "candidate on the same seeds 1..N, checkpointed in DIR (the same command resumes); DIR/best.toml builds on "
      "SCENARIO with the fitted keys, and the moment coverage is measured on the fresh seeds N+1..2N "
      "(tools/calibrate.py, docs/calibrate.md)");
  // Not ->required(): tools/calibrate.py names every missing or bad argument at once.
  cmd->add_option("scenario", args->scenario, "Scenario TOML file the fitted keys are set on");
  cmd->add_option("--targets", args->targets, "Targets file: [[moment]] tables (name, window, target, tolerance, weight)")
      ->type_name("TARGETS.toml");
  cmd->add_option("--param", args->params, "A key to fit and its bounds, e.g. fundamentals.size_drift_annual=-2:-1 "
                                           "(repeatable)")
      ->type_name("KEY=LOW:HIGH")
      ->take_all()
      ->allow_extra_args(false);
  cmd->add_option("--seeds", args->seeds, "Every candidate runs on the seeds 1..N (default 3)")->type_name("N");
  cmd->add_option("--budget", args->budget, "Evaluations (candidates) at most (default 30)")->type_name("EVALS");
  cmd->add_option("--loss", args->loss,
                  "mean (default): each moment's mean over the seeds against its target; per-seed: each seed's "
                  "loss, averaged (charges candidates whose seeds disagree)")
      ->type_name("KIND");
  cmd->add_option("-j,--jobs", args->jobs, "Runs at a time (default: one per core)")->type_name("J");
  cmd->add_flag("--oversubscribe", args->oversubscribe, "Use -j as given even above this machine's cores");
  cmd->add_option("--set", args->overrides, "Override a key of the scenario for every run (repeatable)")
      ->type_name("KEY=VALUE")
      ->take_all()
      ->allow_extra_args(false);
  cmd->add_option("-o,--output", args->output, "Calibration directory (a rerun with the same arguments resumes it)")
      ->type_name("DIR");
  cmd->add_flag("--keep-logs", args->keep_logs, "Keep every run log in DIR/runs (default: deleted once measured)");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress on stderr");
  cmd->add_flag("--list-moments", args->list_moments, "Print the moments a target can name, and exit");
  cmd->callback([args] { hand_over(*args); });
}

}  // namespace stampede::cli
