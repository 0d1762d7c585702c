// Every trade moves cash and shares between exactly two accounts; futures positions net to
// zero and variation margin is paid from one account to another. Checked after every step.
#include <catch2/catch.hpp>

#include "small_world.hpp"

using namespace stampede;

TEST_CASE("cash, shares and futures positions are conserved at every step of random runs", "[conservation]") {
  const AgentRegistry r = builtin_agents();
  for (int seed : {1, 2, 3}) {
    // Starts two days before a futures expiry so settlement, expiry and roll are all crossed.
    const Scenario s = test::small_world(r, {"seed=" + std::to_string(seed), "start_date=2024-01-17", "days=3"});
    Simulation sim(s, r);
    std::int64_t steps = 0;
    while (!sim.finished()) {
      sim.step();
      ++steps;
      const auto problems = sim.conservation_problems();
      INFO("seed " << seed << ", step " << steps << ": " << (problems.empty() ? "" : problems.front()));
      REQUIRE(problems.empty());
    }
    CHECK(sim.totals().trades > 1000);   // the market really traded
  }
}

TEST_CASE("no trade prints outside the day's price band", "[conservation]") {
  const AgentRegistry r = builtin_agents();
  Simulation sim(test::small_world(r, {"days=2"}), r);
  while (!sim.finished()) {
    const bool day_end = sim.step();
    if (!day_end) continue;
    const DayFrame& d = sim.day_frame();
    for (int i = 0; i < sim.stock_count(); ++i) {
      CHECK(d.high[i] >= d.low[i]);
      CHECK(d.close[i] <= d.high[i]);
      CHECK(d.close[i] >= d.low[i]);
      CHECK(sim.book(i).lower() <= static_cast<Tick>(std::lround(d.low[i] * 100)));
      CHECK(sim.book(i).upper() >= static_cast<Tick>(std::lround(d.high[i] * 100)));
    }
  }
}
