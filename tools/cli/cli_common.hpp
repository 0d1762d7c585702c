#pragma once
// What every subcommand shares: how bad input is reported (exit code 2, one line per problem).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/replace_file.hpp"

namespace stampede::cli {

inline constexpr int kExitBadInput = 2;
inline constexpr int kExitRuntimeFailure = 1;
// Another stampede process writes the same output (a run log, a sweep directory, a shard):
// EX_TEMPFAIL, "try again later", so scripts can tell it from a failed run.
inline constexpr int kExitBusy = 75;

// Thrown for anything the user can fix: names the file, key or line, what was wrong and what is
// allowed. main() prints every problem and exits with kExitBadInput.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message), problems{message} {}
  explicit InputError(std::vector<std::string> all)
      : std::runtime_error(all.empty() ? "invalid input" : all.front()), problems(std::move(all)) {}
  std::vector<std::string> problems;
};

// Thrown when a run or sweep stopped early on SIGINT / SIGTERM, after saying so on stderr:
// main() exits with 128 + signal (130, 143).
struct Interrupted {
  int signal;
};

// A worker count (`what`, e.g. "--threads") above the machine's cores only slows a run down (results
// are the same at any count): it is capped at the cores, with a warning on stderr, unless
// `oversubscribe`. 0 (the default: every core) is returned as it is.
int capped_to_cores(int requested, const char* what, bool oversubscribe);

// Writes a file the user keeps (a doc page, a scenario) through a temporary file beside it and a
// rename (sim/core/replace_file.hpp): a command stopped midway leaves the old file whole, never a
// truncated one. Throws naming what failed.
inline void rewrite_file(const std::string& file, const std::string& content) {
  if (const std::string why = replace_file(file, content); !why.empty()) throw std::runtime_error(file + ": " + why);
}
}  // namespace stampede::cli
namespace stampede {
class Scenario;
}
namespace stampede::cli {
// Prints the run's estimated disk, memory and time (resource_estimate.hpp) on stderr, then, unless
// `force`, throws InputError naming the keys when it does not fit the free disk or memory.
void check_resources(const Scenario& scenario, const std::filesystem::path& output_dir, int threads, bool force);

// Each subcommand registers itself on the top-level app; its callback may throw InputError.
void add_run_command(CLI::App& app);
void add_check_command(CLI::App& app);
void add_replay_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_batch_command(CLI::App& app);
void add_ensemble_command(CLI::App& app);
void add_merge_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);   // hands over to tools/calibrate.py
void add_schema_command(CLI::App& app);

}  // namespace stampede::cli
