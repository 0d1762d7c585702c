#pragma once
// Runs a whole scenario: builds the simulation inside a task arena of the requested size, feeds
// the run log, reports progress and returns the summary printed at the end.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/agent_registry.hpp"
#include "sim/engine/run_outcomes.hpp"
#include "sim/scenario/scenario.hpp"

namespace stampede {

struct RunProgress {
  int days_done = 0, days_total = 0;
  std::string date;            // the day just closed
  double elapsed_seconds = 0, steps_per_second = 0;
  double eta_seconds() const { return days_done > 0 ? elapsed_seconds / days_done * (days_total - days_done) : 0.0; }
};

struct RunOptions {
  std::filesystem::path output;   // the HDF5 run log
  int threads = 0;                // 0: every core
  // Cap TBB's process-wide parallelism (tbb::global_control) at `threads` for the run. Callers
  // that run several simulations at once (sweeps) turn this off: the cap is process-wide.
  bool limit_global_parallelism = true;
  // Called after each trading day, from the simulating thread.
  std::function<void(const RunProgress&)> on_day_done;
  // Polled before every step (interrupt.hpp): once non-zero (a signal number), the run stops at
  // the end of the step under way, the log is flushed and closed with complete = 0 and marked
  // interrupted, and run_simulation returns with RunSummary::interrupted_by set.
  const std::atomic<int>* stop = nullptr;
  // Check every invariant after every step (Simulation::conservation_problems); a broken one
  // throws InvariantViolation. Debug builds always check.
  bool check_invariants = false;
  // Checkpoints (checkpoint.hpp): the whole state is saved beside the log after every this many
  // trading days (0: never). kCheckpointAuto: after every day whose simulation since the last
  // checkpoint took at least kCheckpointAutoRatio times what the last checkpoint cost, so they
  // take at most about 1/kCheckpointAutoRatio of the run (every day of a long run; every few days
  // of a small, fast one; the first after day 1). Each costs the time to serialise the state on
  // the simulating thread (docs/BENCHMARKS.md); the file is written by the log's writer thread.
  static constexpr int kCheckpointAuto = -1;
  static constexpr double kCheckpointAutoRatio = 50;
  int checkpoint_every_days = kCheckpointAuto;
  // Continue from the checkpoint beside `output` (whose day is in the log's published prefix):
  // the log keeps its first days and the run goes on from there, bit-identical to a run never
  // stopped. Without a checkpoint, or with one refused (damaged, another build, scenario or
  // seed: a warning says why), the run starts from day 0.
  bool resume = false;
};

struct IndexPath {
  double start = 0, end = 0, trough = 0;
  double max_drawdown = 0;          // worst fall from a running peak of daily closes (negative)
  double worst_day = 0;             // worst close-to-close return
  std::string worst_day_date;
  double total_return() const { return start > 0 ? end / start - 1.0 : 0.0; }
  void add_close(double prev, double close, const std::string& date, double& peak);
};

struct RunSummary {
  std::string scenario;
  std::uint64_t seed = 0;
  int threads = 0, days = 0, stocks = 0, agents = 0;
  std::int64_t steps = 0, orders = 0, trades = 0;
  IndexPath hedged, microcap;
  // The real CSI 1000 and microcap index over the run's dates (start = the close before the first
  // day), when the scenario's driver file has them for every day; start stays 0 otherwise.
  IndexPath real_hedged, real_microcap;
  double deepest_basis_annualised = 0;   // at the closes, of the contract with the most open interest (annualised)
  std::string deepest_basis_date;
  int max_limit_down = 0, max_limit_up = 0;
  std::string max_limit_down_date;
  double microcap_sold = 0, microcap_sold_forced = 0;   // yuan over the run
  double worst_day_forced_share = 0;                    // highest daily forced share of microcap selling
  std::string worst_day_forced_share_date;
  double forced_share() const { return microcap_sold > 0 ? microcap_sold_forced / microcap_sold : 0.0; }
  AgentOutcomes outcomes;   // DMA margin calls, liquidations, shortfalls; DMA and neutral-fund NAVs
  std::map<std::string, std::int64_t> rejections;
  std::vector<std::string> conservation_problems;
  double wall_seconds = 0;
  int interrupted_by = 0;   // the signal that stopped the run early (RunOptions::stop), else 0
  int days_done = 0;        // trading days completed (= days unless interrupted)
  int resumed_after_day = 0;     // trading days taken from a checkpoint (0: started from day 0)
  int checkpoints = 0;           // checkpoints written by this process
  double checkpoint_seconds = 0; // time spent serialising them (simulating thread)
  std::size_t checkpoint_bytes = 0;   // size of the last one
};

// One outcome measure of a run, declared once in run.cpp's table: its value in sweeps' tables,
// the Python module's summary and the run log's root attribute "summary_" + name, and its name,
// units, label and doc in the run log's /meta/summary_metrics (what the report shows).
struct SummaryMetric {
  const char* name;    // "microcap_max_drawdown"
  const char* units;   // "1" (a ratio or share), "yuan", "account", ...
  const char* label;   // for people: "microcap index max drawdown"
  const char* doc;     // one line
  double (*value)(const RunSummary&);
};

// Every measure, in its fixed order (the order of the attributes and of sweeps' columns).
const std::vector<SummaryMetric>& declared_summary_metrics();

// The run's outcome as named numbers, in that order: what sweeps tabulate and run logs keep as
// root attributes (prefixed "summary_"). New outcome measures are added to run.cpp's table, once.
std::vector<std::pair<std::string, double>> summary_metrics(const RunSummary& s);

class Simulation;

// A run made one step at a time by its caller: what run_simulation does (it is a loop over this
// class), so a run stepped from Python writes the same log, bit for bit, as `stampede run`.
// The simulation is built, and every step made, inside the run's own task arena of
// RunOptions::threads; the run log is opened by the constructor (resuming from a checkpoint when
// options.resume says so). Not thread-safe: one caller steps it.
class SteppedRun {
 public:
  SteppedRun(const Scenario& scenario, const AgentRegistry& registry, RunOptions options);
  // Without finish(): the log is closed incomplete (complete = 0).
  ~SteppedRun();
  SteppedRun(const SteppedRun&) = delete;
  SteppedRun& operator=(const SteppedRun&) = delete;

  // Every trading day is done (step() would throw).
  bool finished() const;
  // One step, its frames to the log and its figures to the summary; true when it closed a
  // trading day (then on_day_done has been called). Throws std::logic_error once finished() or
  // after finish().
  bool step();
  // Ends the run: with every day done, the summary figures are written and the log is finished
  // (complete = 1); otherwise the log is closed incomplete, marked interrupted when
  // RunOptions::stop holds a signal. Returns the summary; a second call throws std::logic_error.
  RunSummary finish();

  // The simulation as of the last step (read only; valid until the SteppedRun is destroyed).
  const Simulation& simulation() const;
  int threads() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

RunSummary run_simulation(const Scenario& scenario, const AgentRegistry& registry, const RunOptions& options);
std::string format_summary(const RunSummary& s, const std::filesystem::path& output);

}  // namespace stampede
