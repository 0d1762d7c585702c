// Steps per second of the built-in default scenario: the whole step (decide, risk, route, match,
// settle, quotes, indices), without the run log.
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include "agents/builtin_agents.hpp"
#include "default_scenario.hpp"
#include "sim/engine/simulation.hpp"

namespace {

void BM_DefaultScenarioStep(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  const auto registry = stampede::builtin_agents();
  const auto scenario = stampede::Scenario::parse(stampede::cli::kDefaultScenarioToml, "default", registry.all_params(),
                                                  {"days=1000"});
  stampede::Simulation sim(scenario, registry);
  for (int k = 0; k < 50; ++k) sim.step();   // warm up: books fill, buffers reach their size
  for (auto _ : state) sim.step();
  state.SetItemsProcessed(state.iterations());
  state.counters["agents"] = static_cast<double>(sim.agents().size());
  state.counters["stocks"] = sim.stock_count();
  state.counters["steps_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DefaultScenarioStep)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);

}  // namespace

BENCHMARK_MAIN();
