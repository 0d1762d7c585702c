// Whole simulation steps (decide, risk, route, match, settle, quotes, indices).
//
//   bench_run [Google Benchmark flags]
//       steps per second of the built-in default scenario, without the run log, 1 and 2 threads.
//   bench_run --scenario FILE [--set KEY=VALUE ...] [--threads N] [--steps N] [--log OUT.h5]
//       one run of a scenario file (all its steps, or the first N), timed: setup, stepping and
//       the run log apart, steps per second and peak RSS. Without --log the run log is off; with
//       it the frames go to a RunLog exactly as `stampede run` writes them, so the two differ by
//       the recorder only. Prints one `key=value` line per figure (for scripts) on stdout, the
//       order flow too (`orders_per_step`, `trades_per_step`); with
//       --per-day also a line `day D elapsed_s T rss_mib M` after each trading day (time since
//       the start of setup, current resident memory): the cost curve over days from one run.
//       With --phases also `phase_<name>_s` lines: wall time in each phase of the step
//       (Simulation::kPhaseNames), which shows the phases that do not run in parallel.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "agents/builtin_agents.hpp"
#include "agents/retail_population.hpp"
#include "default_scenario.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/record/run_log.hpp"

namespace {

void BM_DefaultScenarioStep(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  const auto registry = stampede::builtin_agents();
  const auto scenario = stampede::Scenario::parse(stampede::cli::kDefaultScenarioToml, "default", registry.all_params(),
                                                  {"days=1000", "fundamentals.market_driver="});   // the real path ends on 29 February
  stampede::Simulation sim(scenario, registry);
  for (int k = 0; k < 50; ++k) sim.step();   // warm up: books fill, buffers reach their size
  for (auto _ : state) sim.step();
  state.SetItemsProcessed(state.iterations());
  state.counters["agents"] = static_cast<double>(sim.agents().size());
  state.counters["stocks"] = sim.stock_count();
  state.counters["steps_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DefaultScenarioStep)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);

// What the retail traders hold in memory at the end of the run: the population's own arrays,
// one engine Account each and the pool blocks of their positions (a block's capacity follows
// the number of positions, position_capacity). Their resting orders are the books' memory.
struct RetailMemory {
  long long traders = 0, positions = 0, bytes = 0;
};
RetailMemory retail_memory(const stampede::Simulation& sim) {
  RetailMemory m;
  for (const auto& agent : sim.agents()) {
    const auto* pop = dynamic_cast<const stampede::RetailPopulation*>(agent.get());
    if (pop == nullptr) continue;
    m.traders += pop->size();
    m.bytes += static_cast<long long>(pop->state_bytes());
    for (int t = 0; t < pop->size(); ++t) {
      const auto held = static_cast<std::uint32_t>(sim.accounts()[pop->account(t)].stocks().size());
      m.positions += held;
      m.bytes += static_cast<long long>(sizeof(stampede::Account) +
                                        stampede::position_capacity(held) * sizeof(stampede::StockPosition));
    }
  }
  return m;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;   // kB on Linux
}

double current_rss_mib() {
  long pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * 4096.0 / (1024.0 * 1024.0);
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

int scenario_run(int argc, char** argv) {
  std::string file, log_path;
  std::vector<std::string> overrides;
  int threads = 0;
  long long max_steps = -1;
  bool per_day = false;
  bool phases = false;
  for (int i = 1; i < argc; ++i) {
    auto value = [&](const char* flag) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_run: %s needs a value\n", flag);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--scenario")) file = value("--scenario");
    else if (!std::strcmp(argv[i], "--set")) overrides.push_back(value("--set"));
    else if (!std::strcmp(argv[i], "--threads")) threads = std::stoi(value("--threads"));
    else if (!std::strcmp(argv[i], "--steps")) max_steps = std::stoll(value("--steps"));
    else if (!std::strcmp(argv[i], "--log")) log_path = value("--log");
    else if (!std::strcmp(argv[i], "--per-day")) per_day = true;
    else if (!std::strcmp(argv[i], "--phases")) phases = true;
    else {
      std::fprintf(stderr, "bench_run: unknown argument '%s' (see the comment at the top of run_bench.cpp)\n", argv[i]);
      return 2;
    }
  }
  const auto registry = stampede::builtin_agents();
  const auto scenario = file == "-" ? stampede::Scenario::parse(stampede::cli::kDefaultScenarioToml, "default",
                                                                registry.all_params(), overrides)
                                    : stampede::Scenario::load(file, registry.all_params(), overrides);
  if (threads <= 0) threads = tbb::info::default_concurrency();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  using clock = std::chrono::steady_clock;
  double setup_s = 0, run_s = 0, cpu_s = 0, finish_s = 0;
  long long steps = 0, orders = 0, trades = 0;
  int stocks = 0, agents = 0, days = 0;
  RetailMemory retail;
  std::array<double, stampede::Simulation::kPhases> phase_s{};
  arena.execute([&] {
    const double cpu0 = cpu_seconds();
    const auto t0 = clock::now();
    stampede::Simulation sim(scenario, registry);
    sim.set_phase_timing(phases);
    std::optional<stampede::RunLog> log;
    if (!log_path.empty()) log.emplace(log_path, sim.make_header(scenario, threads));
    const auto t1 = clock::now();
    while (!sim.finished() && (max_steps < 0 || steps < max_steps)) {
      const bool day_closed = sim.step();
      ++steps;
      if (day_closed && per_day)
        std::printf("day %d elapsed_s %.3f rss_mib %.1f\n", sim.day(),
                    std::chrono::duration<double>(clock::now() - t0).count(), current_rss_mib());
      auto events = sim.take_events();
      if (!log) continue;
      log->write_step(sim.step_frame());
      for (auto& [kind, rows] : events) log->write_events(kind, std::move(rows));
      if (day_closed) log->write_day(sim.day_frame());
    }
    const auto t2 = clock::now();
    if (log) log->finish(std::chrono::duration<double>(t2 - t0).count());
    const auto t3 = clock::now();
    setup_s = std::chrono::duration<double>(t1 - t0).count();
    run_s = std::chrono::duration<double>(t2 - t1).count();
    finish_s = std::chrono::duration<double>(t3 - t2).count();
    cpu_s = cpu_seconds() - cpu0;
    stocks = sim.stock_count();
    agents = static_cast<int>(sim.agents().size());
    days = sim.day();
    retail = retail_memory(sim);
    phase_s = sim.phase_seconds();
    orders = sim.totals().orders;
    trades = sim.totals().trades;
  });
  const double total = setup_s + run_s + finish_s;
  std::printf("scenario=%s\nthreads=%d\nlog=%s\nstocks=%d\nagents=%d\ndays_done=%d\nsteps=%lld\n", scenario.name().c_str(),
              threads, log_path.empty() ? "off" : log_path.c_str(), stocks, agents, days, steps);
  std::printf("setup_s=%.3f\nstep_s=%.3f\nlog_finish_s=%.3f\nwall_s=%.3f\ncpu_s=%.3f\nsteps_per_s=%.1f\npeak_rss_mib=%.1f\n",
              setup_s, run_s, finish_s, total, cpu_s, run_s > 0 ? steps / run_s : 0.0, peak_rss_mib());
  const double per_step = steps > 0 ? 1.0 / static_cast<double>(steps) : 0.0;
  std::printf("orders_per_step=%.0f\ntrades_per_step=%.0f\n", static_cast<double>(orders) * per_step,
              static_cast<double>(trades) * per_step);
  if (phases) {
    double timed = 0;
    for (std::size_t k = 0; k < phase_s.size(); ++k) {
      std::printf("phase_%s_s=%.3f\n", stampede::Simulation::kPhaseNames[k], phase_s[k]);
      timed += phase_s[k];
    }
    std::printf("phase_other_s=%.3f\n", run_s - timed);   // day open and close, the run log, the loop
  }
  if (retail.traders > 0)
    std::printf("retail_traders=%lld\nretail_positions_per_trader=%.2f\nretail_bytes_per_trader=%.1f\n", retail.traders,
                static_cast<double>(retail.positions) / static_cast<double>(retail.traders),
                static_cast<double>(retail.bytes) / static_cast<double>(retail.traders));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--scenario")) return scenario_run(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
