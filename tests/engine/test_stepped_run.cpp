// SteppedRun (sim/engine/run.hpp): the run driver one step at a time. Stepped by hand it gives
// the summary run_simulation gives, and calls out of order are refused.
#include <catch2/catch.hpp>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "sim/engine/run.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {
// In the build tree (ctest may run test binaries side by side: each name is this file's own).
std::filesystem::path temp_log(const char* name) {
  return std::filesystem::path(STAMPEDE_BINARY_DIR) / (std::string("engine_stepped_run_") + name);
}
}  // namespace

TEST_CASE("a run stepped by hand sums up as run_simulation does, and refuses steps past its end") {
  const AgentRegistry registry = builtin_agents();
  const Scenario scenario = test::small_world(registry, {"days=2"});
  RunOptions options;
  options.threads = 2;
  options.output = temp_log("whole.h5");
  const RunSummary whole = run_simulation(scenario, registry, options);

  options.output = temp_log("stepped.h5");
  int days_closed = 0;
  options.on_day_done = [&](const RunProgress& p) { days_closed = p.days_done; };
  SteppedRun run(scenario, registry, options);
  std::int64_t steps = 0;
  while (!run.finished()) {
    const bool closed = run.step();
    ++steps;
    CHECK(closed == (run.simulation().step_in_day() == 0));
  }
  CHECK(days_closed == 2);
  CHECK_THROWS_AS(run.step(), std::logic_error);
  const RunSummary stepped = run.finish();
  CHECK_THROWS_AS(run.finish(), std::logic_error);
  CHECK(stepped.steps == steps);
  CHECK(stepped.days_done == 2);
  CHECK(stepped.trades == whole.trades);
  CHECK(stepped.orders == whole.orders);
  CHECK(summary_metrics(stepped) == summary_metrics(whole));
  CHECK(stepped.conservation_problems.empty());
  for (const char* f : {"whole.h5", "stepped.h5"}) std::filesystem::remove(temp_log(f));
}

TEST_CASE("a stepped run ended early closes its log incomplete, not interrupted") {
  const AgentRegistry registry = builtin_agents();
  const Scenario scenario = test::small_world(registry, {"days=2"});
  RunOptions options;
  options.threads = 1;
  options.output = temp_log("early.h5");
  SteppedRun run(scenario, registry, options);
  while (!run.step()) {
  }
  const RunSummary s = run.finish();
  CHECK(s.days_done == 1);
  CHECK(s.days == 2);
  CHECK(s.interrupted_by == 0);
  CHECK_THROWS_AS(run.step(), std::logic_error);
  std::filesystem::remove(options.output);
}
