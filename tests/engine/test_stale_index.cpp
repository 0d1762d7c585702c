// A locked index is stale: while the hedged index's members sit locked limit-down, their last
// price is a limit no seller can reach, so the futures makers (liquidity_providers.
// futures_locked_markdown) value the index below its quote, and the futures trade at a deeper
// discount than the same world's futures with makers who trust the quoted index.
#include <catch2/catch.hpp>

#include "funds_world.hpp"

using namespace stampede;

namespace {

struct LockDay {
  double locked_weight = 0;   // largest share of the index locked limit-down at a step of day 1
  double basis_points = 0;    // mean front basis (futures - index, points) over day 1's last hour
};

LockDay run_lock(const std::string& markdown) {
  auto plan = std::make_shared<test::DumpPlan>();
  plan->days = {1};   // a third of the members dumped at limit-down on day 1: part of the index locks
  const AgentRegistry r = test::registry_with_dumper(plan, 0.2);
  Simulation sim(test::small_world(r, {"days=2", "seed=3", "dma.accounts=0", "neutral_funds.count=0",
                                       "snowball.issuers=0", "national_team.enabled=false",
                                       "liquidity_providers.futures_locked_markdown=" + markdown}),
                 r);
  const Universe& u = sim.universe();
  for (int i = 0, k = 0; i < u.size(); ++i)
    if (u.segment[static_cast<std::size_t>(i)] == Segment::Constituent && k++ % 3 == 0) plan->stocks.push_back(i);
  LockDay out;
  int n = 0;
  const int last_hour = sim.clock().steps_per_day() - 1 - 60 / 15;
  while (!sim.finished()) {
    const bool day_end = sim.step();
    if (sim.view().day != 1 || day_end) continue;
    out.locked_weight = std::max(out.locked_weight, sim.view().hedged_locked_down_weight);
    if (sim.view().step_in_day >= last_hour && sim.view().phase == StepPhase::Continuous) {
      out.basis_points += sim.step_frame().futures_basis[0];
      ++n;
    }
  }
  REQUIRE(n > 0);
  out.basis_points /= n;
  return out;
}

}  // namespace

TEST_CASE("a locked index is stale: futures makers mark its locked members down and the discount deepens",
          "[mechanisms][futures]") {
  const LockDay trusting = run_lock("0");
  const LockDay marking = run_lock("0.1");
  INFO("locked weight " << marking.locked_weight << "; basis " << marking.basis_points << " points marking down, "
                        << trusting.basis_points << " trusting the index");
  CHECK(marking.locked_weight > 0.15);   // a good part of the index locked
  CHECK(marking.locked_weight < 0.6);
  CHECK(trusting.locked_weight == Approx(marking.locked_weight).margin(0.1));
  // 10% of an index of about 6000 points on the locked weight: far more than the makers' spread.
  CHECK(marking.basis_points < trusting.basis_points - 50.0);
}
