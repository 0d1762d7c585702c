// SteppedRun: the run driver's day/step loop, one step per call (run_simulation loops over it;
// the Python module's Simulation steps it), with what it adds up beside the simulation: the
// summary's figures, the outcome tracker, the run log's frames and the checkpoints.
#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include "sim/engine/checkpoint.hpp"
#include "sim/engine/market_driver.hpp"
#include "sim/engine/run.hpp"
#include "sim/engine/scenario_hash.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/record/run_log.hpp"
#include "sim/record/run_log_verify.hpp"

namespace stampede {

namespace {

// Every agent with a daily row, in the order of the day frame's rows, with its NAV at the start
// and the summary group its class declares (none for a class no section lists).
std::vector<OutcomeTracker::DailyAgent> daily_agents(const Simulation& sim, const AgentRegistry& registry) {
  std::vector<OutcomeTracker::DailyAgent> out;
  for (const auto& a : sim.agents()) {
    if (!a->reports_daily()) continue;
    const AgentClassInfo* info = registry.find_class(a->kind());
    out.push_back({a->id(), a->day_row(sim.view()).nav, info ? info->summary_group : SummaryGroup::none});
  }
  return out;
}

// The run driver's running totals carried from day to day (beside RunSummary's): checkpointed
// with the simulation.
struct DriverState {
  double hedged_peak = 0, microcap_peak = 0, hedged_prev = 0, microcap_prev = 0;
  std::array<double, 2> real_peak{};               // running peaks of the real microcap and hedged closes
  std::map<std::string, std::int64_t> event_rows;  // rows handed to the log per event kind
};

void index_path_state(StateIo& io, IndexPath& p) {
  io(p.start, p.end, p.trough, p.max_drawdown, p.worst_day, p.worst_day_date);
}

// Everything the run driver adds up besides the simulation: the summary so far, the outcome
// tracker, the driver's own totals.
void driver_state(StateIo& io, RunSummary& s, OutcomeTracker& outcomes, DriverState& d) {
  io.tag("driver");
  for (IndexPath* p : {&s.hedged, &s.microcap, &s.real_hedged, &s.real_microcap}) index_path_state(io, *p);
  io(s.deepest_basis_annualised, s.deepest_basis_date, s.max_limit_down, s.max_limit_up, s.max_limit_down_date);
  io(s.microcap_sold, s.microcap_sold_forced, s.worst_day_forced_share, s.worst_day_forced_share_date);
  io(d.hedged_peak, d.microcap_peak, d.hedged_prev, d.microcap_prev, d.real_peak, d.event_rows);
  outcomes.checkpoint(io);
}

CheckpointHeader run_identity(const Scenario& scenario) {
  CheckpointHeader h;
  h.code_hash = this_build().code_hash;
  h.scenario_hash = scenario_hash(scenario);
  h.seed = static_cast<std::uint64_t>(scenario.get_int("seed"));
  return h;
}

// Loads the checkpoint beside `log` into the freshly built run; the log's prefix to keep, or
// nothing (no checkpoint). Throws CheckpointError saying why a checkpoint does not fit.
std::optional<RunLogPrefix> load_checkpoint(const std::filesystem::path& log, const CheckpointHeader& identity, Simulation& sim,
                                            RunSummary& sum, OutcomeTracker& outcomes, DriverState& driver) {
  const std::filesystem::path file = checkpoint_path(log);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  const Checkpoint c = read_checkpoint(file, identity);
  // The log it continues: the published log, or the copy a resume killed early left.
  std::filesystem::path source = log;
  if (!std::filesystem::is_regular_file(source, ec)) source = run_log_resume_path(log);
  if (!std::filesystem::is_regular_file(source, ec)) throw CheckpointError("its run log " + log.string() + " is gone");
  if (const std::string why = resume_problem(source, identity.scenario_hash, c.header.days, c.header.fingerprint); !why.empty())
    throw CheckpointError("its run log " + source.string() + " does not fit: " + why);
  StateIo io(c.payload.data(), c.payload.size());
  driver_state(io, sum, outcomes, driver);
  sim.checkpoint(io);
  if (io.remaining() != 0 || sim.day() != c.header.days || sim.global_step() != c.header.steps)
    throw CheckpointError("its contents do not match its header");
  return RunLogPrefix{source, c.header.days, c.header.steps, driver.event_rows};
}

// A test hook (tests/cli/test_checkpoint_resume.py): STAMPEDE_TEST_KILL_AFTER_DAY=N makes the
// run checkpoint after day N (whatever the interval) and SIGKILL itself once that checkpoint is
// on disk, as `kill -9` would at that moment.
int kill_after_day() {
  const char* v = std::getenv("STAMPEDE_TEST_KILL_AFTER_DAY");
  return v != nullptr && *v != '\0' ? std::atoi(v) : -1;
}

}   // namespace

struct SteppedRun::State {
  explicit State(RunOptions o)
      : options(std::move(o)), threads(options.threads > 0 ? options.threads : tbb::info::default_concurrency()), arena(threads) {
    if (options.limit_global_parallelism)
      workers.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  }
  void open(const Scenario& scenario, const AgentRegistry& registry);
  bool step();
  void close_day(const DayFrame& d);
  void end();

  RunOptions options;
  int threads;
  // Declared before the arena and everything it runs: destroyed last.
  std::optional<tbb::global_control> workers;
  tbb::task_arena arena;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Simulation> sim;
  CheckpointHeader identity;
  std::filesystem::path checkpoint_file;
  DriverState driver;
  std::optional<OutcomeTracker> outcomes;
  RunSummary sum;
  std::unique_ptr<RunLog> log;
  RealReference real;
  int kill_day = -1;
  std::chrono::steady_clock::time_point last_checkpoint;
  double last_checkpoint_cost = 0;
  bool ended = false;
};

void SteppedRun::State::open(const Scenario& scenario, const AgentRegistry& registry) {
  sim = std::make_unique<Simulation>(scenario, registry);
  identity = run_identity(scenario);
  checkpoint_file = checkpoint_path(options.output);
  // The summary's start, before the first day (a resumed run then loads what it had reached).
  auto start = [&] {
    sum = RunSummary{};
    sum.hedged.start = sum.hedged.end = sum.hedged.trough = sim->view().hedged_index;
    sum.microcap.start = sum.microcap.end = sum.microcap.trough = sim->view().microcap_index;
    driver = DriverState{};
    driver.hedged_peak = driver.hedged_prev = sum.hedged.start;
    driver.microcap_peak = driver.microcap_prev = sum.microcap.start;
    outcomes.emplace(daily_agents(*sim, registry));
  };
  start();
  std::optional<RunLogPrefix> prefix;
  if (options.resume) {
    try {
      prefix = load_checkpoint(options.output, identity, *sim, sum, *outcomes, driver);
      std::error_code ec;
      if (!prefix && std::filesystem::exists(options.output, ec))
        std::fprintf(stderr, "stampede: note: no checkpoint beside %s: the run starts from day 0\n", options.output.c_str());
    } catch (const CheckpointError& e) {
      std::fprintf(stderr, "stampede: warning: checkpoint %s refused: %s; the run starts from day 0\n", checkpoint_file.c_str(),
                   e.what());
      sim = std::make_unique<Simulation>(scenario, registry);   // nothing of the refused checkpoint stays
      start();
    }
    if (prefix) {
      sum.resumed_after_day = sim->day();
      std::fprintf(stderr, "stampede: resuming %s after day %d of %d (%s), from its checkpoint\n", options.output.c_str(),
                   sim->day(), sim->calendar().size(), sim->calendar().iso(sim->day() - 1).c_str());
    }
  }
  if (options.check_invariants) sim->set_check_invariants(true);   // before the header, which records it
  log = std::make_unique<RunLog>(options.output, sim->make_header(scenario, threads), prefix ? &*prefix : nullptr);
  if (!prefix) {   // a fresh log: an old checkpoint beside it belongs to a log that is gone
    std::error_code ec;
    std::filesystem::remove(checkpoint_file, ec);
    std::filesystem::remove(checkpoint_file.string() + ".tmp", ec);   // what a kill while writing one left
  }
  sum.scenario = scenario.name();
  sum.seed = identity.seed;
  sum.threads = threads;
  sum.days = sim->calendar().size();
  sum.stocks = sim->stock_count();
  sum.agents = static_cast<int>(sim->agents().size());
  real = load_real_reference(scenario, sim->calendar());
  kill_day = kill_after_day();
  last_checkpoint = std::chrono::steady_clock::now();   // (automatic interval: the first after day 1)
}

bool SteppedRun::State::step() {
  const bool day_closed = sim->step();
  const StepFrame& f = sim->step_frame();
  // The basis the summary quotes is the calibration's (tools/calibration/measures.py): at each
  // close, of the contract with the most open interest; an intraday print or a contract in its
  // last days, annualised over a day or two, says nothing about the hedgers' cost.
  if (day_closed) {
    const auto main_slot = static_cast<std::size_t>(sim->day_frame().futures_main_slot);
    const double basis = f.futures_basis_annualised[main_slot];
    if (basis < sum.deepest_basis_annualised) {
      sum.deepest_basis_annualised = basis;
      sum.deepest_basis_date = sim->calendar().iso(f.day);
    }
  }
  log->write_step(f);
  for (auto& [kind, rows] : sim->take_events()) {
    outcomes->observe_events(kind, rows);
    driver.event_rows[kind] += static_cast<std::int64_t>(rows.size());
    log->write_events(kind, std::move(rows));
  }
  if (day_closed) close_day(sim->day_frame());
  return day_closed;
}

// The day's frame to the log and its figures to the summary; a checkpoint when one is due.
void SteppedRun::State::close_day(const DayFrame& d) {
  outcomes->observe_day(d.date, d.agents);
  log->write_day(d);
  sum.hedged.add_close(driver.hedged_prev, d.hedged_close, d.date, driver.hedged_peak);
  sum.microcap.add_close(driver.microcap_prev, d.microcap_close, d.date, driver.microcap_peak);
  driver.hedged_prev = d.hedged_close;
  driver.microcap_prev = d.microcap_close;
  // The real index over the same days, where the scenario's data covers them.
  auto add_real = [&](const std::optional<MarketDriver>& series, IndexPath& path, double& peak) {
    if (!series) return;
    const auto k = static_cast<std::size_t>(d.day);
    const double prev = k == 0 ? series->base_close : series->close[k - 1];
    if (k == 0) path.start = path.end = path.trough = peak = prev;
    path.add_close(prev, series->close[k], d.date, peak);
  };
  add_real(real.microcap, sum.real_microcap, driver.real_peak[0]);
  add_real(real.hedged, sum.real_hedged, driver.real_peak[1]);
  int down = 0, up = 0;
  for (std::size_t i = 0; i < d.limit_down.size(); ++i) {
    down += d.limit_down[i];
    up += d.limit_up[i];
  }
  if (down > sum.max_limit_down || sum.max_limit_down_date.empty()) {
    sum.max_limit_down = down;
    sum.max_limit_down_date = d.date;
  }
  sum.max_limit_up = std::max(sum.max_limit_up, up);
  double sold = 0, forced = 0;   // microcap selling by every class that day
  const std::size_t segments = 3;
  for (std::size_t k = static_cast<std::size_t>(Segment::Microcap); k < d.flows.size(); k += segments) {
    sold += d.flows[k].sell_forced + d.flows[k].sell_voluntary;
    forced += d.flows[k].sell_forced;
  }
  sum.microcap_sold += sold;
  sum.microcap_sold_forced += forced;
  if (sold > 0 && forced / sold > sum.worst_day_forced_share) {
    sum.worst_day_forced_share = forced / sold;
    sum.worst_day_forced_share_date = d.date;
  }
  // The checkpoint of this day boundary: serialised here, written by the log's writer once
  // the day is published.
  const auto c0 = std::chrono::steady_clock::now();
  const bool checkpoint_due =
      options.checkpoint_every_days == RunOptions::kCheckpointAuto
          ? std::chrono::duration<double>(c0 - last_checkpoint).count() >= RunOptions::kCheckpointAutoRatio * last_checkpoint_cost
          : options.checkpoint_every_days > 0 && sim->day() % options.checkpoint_every_days == 0;
  if ((checkpoint_due || sim->day() == kill_day) && !sim->finished()) {
    std::vector<char> payload;
    payload.reserve(sum.checkpoint_bytes + 4096);
    StateIo io(payload);
    driver_state(io, sum, *outcomes, driver);
    sim->checkpoint(io);
    CheckpointHeader h = identity;
    h.days = sim->day();
    h.steps = sim->global_step();
    h.fingerprint = d.state_fingerprint;
    std::vector<char> bytes = encode_checkpoint(h, std::move(payload));
    sum.checkpoint_bytes = bytes.size();
    log->write_file(checkpoint_file, std::move(bytes));
    ++sum.checkpoints;
    last_checkpoint = std::chrono::steady_clock::now();
    last_checkpoint_cost = std::chrono::duration<double>(last_checkpoint - c0).count();
    sum.checkpoint_seconds += last_checkpoint_cost;
    if (sim->day() == kill_day) {
      log->sync();
      std::raise(SIGKILL);
    }
  }
  if (options.on_day_done) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    options.on_day_done(RunProgress{sim->day(), sum.days, d.date, secs, secs > 0 ? sim->global_step() / secs : 0.0});
  }
}

void SteppedRun::State::end() {
  sum.steps = sim->global_step();
  sum.orders = sim->totals().orders;
  sum.trades = sim->totals().trades;
  sum.rejections = sim->totals().rejections;
  sum.conservation_problems = sim->conservation_problems();
  sum.outcomes = outcomes->result();
  sum.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sum.days_done = sim->day();
  if (!sim->finished()) {   // stopped early (a signal, or the caller): flush what is done, leave complete = 0
    sum.interrupted_by = options.stop != nullptr ? options.stop->load() : 0;
    if (sum.interrupted_by != 0)
      log->mark_interrupted(sum.interrupted_by, sim->global_step() - 1, sim->global_step() > 0 ? sim->step_frame().day : -1);
    log->close();
    return;
  }
  std::error_code ec;
  if (!sum.conservation_problems.empty()) {   // a bug: keep the log for the report, never as complete
    log->set_attribute("conservation_problems", static_cast<double>(sum.conservation_problems.size()));
    log->close();
    std::filesystem::remove(checkpoint_file, ec);
    return;
  }
  for (const auto& [name, value] : summary_metrics(sum)) log->set_attribute("summary_" + name, value);
  log->finish(sum.wall_seconds);
  std::filesystem::remove(checkpoint_file, ec);   // a finished run needs none
}

SteppedRun::SteppedRun(const Scenario& scenario, const AgentRegistry& registry, RunOptions options)
    : state_(std::make_unique<State>(std::move(options))) {
  state_->arena.execute([&] { state_->open(scenario, registry); });
}

SteppedRun::~SteppedRun() {
  // Torn down inside the arena it was built in, as run_simulation always did.
  if (state_) state_->arena.execute([&] { state_->log.reset(); state_->sim.reset(); });
}

bool SteppedRun::finished() const { return state_->sim->finished(); }

bool SteppedRun::step() {
  if (state_->ended) throw std::logic_error("SteppedRun::step after finish()");
  if (state_->sim->finished()) throw std::logic_error("SteppedRun::step after the last trading day");
  bool day_closed = false;
  state_->arena.execute([&] { day_closed = state_->step(); });
  return day_closed;
}

RunSummary SteppedRun::finish() {
  if (state_->ended) throw std::logic_error("SteppedRun::finish called twice");
  state_->ended = true;
  state_->arena.execute([&] { state_->end(); });
  return state_->sum;
}

const Simulation& SteppedRun::simulation() const { return *state_->sim; }
int SteppedRun::threads() const { return state_->threads; }

}  // namespace stampede
