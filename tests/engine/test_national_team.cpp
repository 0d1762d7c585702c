// The national team: buys the hedged index's constituents once the index has fallen past its
// trigger, at its pace and within its budget, and its buying lifts the index.
#include <algorithm>
#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "agents/liquidity_provider.hpp"
#include "agents/national_team.hpp"
#include "agents/noise_traders.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {

// The market makers and noise traders of the small world plus the national team, last: turning
// it off changes no other agent's id, so both runs draw the same random numbers.
AgentRegistry team_registry() {
  AgentRegistry r;
  r.add(liquidity_providers_kind());
  r.add(noise_traders_kind());
  r.add(national_team_kind());
  r.populate_first(first_release_sections());   // the order they have in full runs
  return r;
}

Scenario team_world(const AgentRegistry& r, const std::vector<std::string>& extra) {
  return test::small_world_for(r, extra, "national team world");
}

const NationalTeam* find_team(const Simulation& sim) {
  for (const auto& a : sim.agents())
    if (auto* t = dynamic_cast<const NationalTeam*>(a.get())) return t;
  return nullptr;
}

struct TeamRun {
  std::vector<double> hedged_close;
  std::vector<double> spent_per_day;    // from the "buy" events
  std::vector<std::string> reasons;     // every interventions event, in order
  std::vector<DayIndex> reason_days;
  std::vector<StepIndex> reason_steps;
  std::vector<double> reason_prices;
  std::vector<double> hedged_after_step;   // per global step
  double budget_left = -1;              // yuan
  Qty shares_held = 0;
  AgentState final_state = AgentState::Normal;
  bool pace_kept_every_step = true;
  bool conserved = true;
};

TeamRun run_team(const std::vector<std::string>& extra, double pace_yuan) {
  const AgentRegistry r = team_registry();
  Simulation sim(team_world(r, extra), r);
  TeamRun out;
  const NationalTeam* team = find_team(sim);
  const int steps = sim.clock().continuous_steps();
  Fen day_start_cash = team ? sim.accounts()[team->account()].cash : 0;
  int continuous_done = 0;
  while (!sim.finished()) {
    const int k = static_cast<int>(sim.global_step() % sim.clock().steps_per_day());
    const bool day_end = sim.step();
    out.conserved = out.conserved && sim.conservation_problems().empty();
    out.hedged_after_step.push_back(sim.step_frame().hedged_index);
    if (team) {
      if (sim.clock().step(k).phase == StepPhase::Continuous) ++continuous_done;
      // Within a day, spending never runs ahead of the pace's share of the day gone by.
      const Fen spent = day_start_cash - sim.accounts()[team->account()].cash;
      const double allowed = pace_yuan * 100.0 * std::min(continuous_done, steps) / steps;
      if (static_cast<double>(spent) > allowed + 1.0) out.pace_kept_every_step = false;
    }
    if (!day_end) continue;
    out.hedged_close.push_back(sim.day_frame().hedged_close);
    out.spent_per_day.push_back(0.0);
    auto events = sim.take_events();
    for (const EventRow& e : events["interventions"]) {
      out.reasons.push_back(e.reason);
      out.reason_days.push_back(e.day);
      out.reason_steps.push_back(e.step);
      out.reason_prices.push_back(e.price);
      if (e.reason == "buy") out.spent_per_day.back() += e.price;
    }
    if (team) day_start_cash = sim.accounts()[team->account()].cash;
    continuous_done = 0;
  }
  if (team) {
    const Account& a = sim.accounts()[team->account()];
    out.budget_left = static_cast<double>(a.cash) / 100.0;
    for (const StockPosition& p : a.stocks()) out.shares_held += p.qty;
    out.final_state = team->state();
  }
  return out;
}

}  // namespace

TEST_CASE("national-team buying lifts the hedged index, within its pace and budget", "[national_team]") {
  const double budget = 5.0e7, pace = 2.0e7;
  const std::vector<std::string> common{"days=3", "national_team.trigger_drawdown=0", "national_team.stop_recovery=0",
                                        "national_team.budget_yuan=5e7", "national_team.pace_yuan_per_day=2e7"};
  std::vector<std::string> on = common, off = common;
  on.push_back("national_team.enabled=true");
  off.push_back("national_team.enabled=false");
  const TeamRun with = run_team(on, pace);
  const TeamRun without = run_team(off, pace);

  INFO("hedged close with " << with.hedged_close.back() << ", without " << without.hedged_close.back() << "; spent "
       << with.spent_per_day[0] << ", " << with.spent_per_day[1] << ", " << with.spent_per_day[2]);
  REQUIRE(with.hedged_close.size() == 3);
  CHECK(with.hedged_close.back() > without.hedged_close.back() * 1.01);
  CHECK(with.conserved);
  CHECK(without.reasons.empty());

  // A trigger of 0 starts it at the first continuous step.
  REQUIRE(!with.reasons.empty());
  CHECK(with.reasons.front() == "start");
  CHECK(with.reason_days.front() == 0);

  // Pace: no day spends more than the pace, and no step runs ahead of it within the day.
  double total = 0;
  for (double s : with.spent_per_day) {
    CHECK(s <= pace + 1e-6);
    total += s;
  }
  CHECK(with.pace_kept_every_step);
  CHECK(with.spent_per_day.front() > 0.2 * pace);   // it really spent (the thin books, not the pace, hold it back)
  // Budget: what it spent is exactly the cash it no longer has, and never more than the budget.
  CHECK(total == Approx(budget - with.budget_left).margin(0.01));
  CHECK(with.budget_left >= 0);
  CHECK(total <= budget + 1e-6);
  CHECK(with.shares_held > 0);
}

TEST_CASE("the national team runs out of budget and says so", "[national_team]") {
  const TeamRun run = run_team({"days=4", "national_team.trigger_drawdown=0", "national_team.stop_recovery=0",
                                "national_team.budget_yuan=3e6", "national_team.pace_yuan_per_day=2e6"},
                               2.0e6);
  double total = 0;
  for (double s : run.spent_per_day) total += s;
  INFO("spent " << total << ", left " << run.budget_left);
  CHECK(total <= 3.0e6);
  CHECK(total == Approx(3.0e6 - run.budget_left).margin(0.01));
  CHECK(run.budget_left < 3e4);   // less than a lot of each of the 20 constituents
  CHECK(run.final_state == AgentState::BudgetExhausted);
  const auto exhausted = std::find(run.reasons.begin(), run.reasons.end(), "budget_exhausted");
  REQUIRE(exhausted != run.reasons.end());
  CHECK(std::count(run.reasons.begin(), run.reasons.end(), "budget_exhausted") == 1);
  const DayIndex day = run.reason_days[static_cast<std::size_t>(exhausted - run.reasons.begin())];
  for (std::size_t d = static_cast<std::size_t>(day) + 1; d < run.spent_per_day.size(); ++d) CHECK(run.spent_per_day[d] == 0.0);
}

TEST_CASE("the national team does nothing before its trigger or its first day", "[national_team]") {
  SECTION("an index that never falls far enough") {
    const TeamRun run = run_team({"days=3", "national_team.trigger_drawdown=0.5", "national_team.budget_yuan=5e7"}, 1e8);
    CHECK(run.reasons.empty());
    CHECK(run.budget_left == 5.0e7);
    CHECK(run.shares_held == 0);
    CHECK(run.final_state == AgentState::Normal);
  }
  SECTION("from_day holds it back even with a trigger of 0") {
    const TeamRun run = run_team({"days=3", "national_team.trigger_drawdown=0", "national_team.from_day=2",
                                  "national_team.budget_yuan=5e7", "national_team.pace_yuan_per_day=1e7"},
                                 1e7);
    REQUIRE(run.spent_per_day.size() == 3);
    CHECK(run.spent_per_day[0] == 0.0);
    CHECK(run.spent_per_day[1] == 0.0);
    CHECK(run.spent_per_day[2] > 0.0);
    REQUIRE(!run.reasons.empty());
    CHECK(run.reasons.front() == "start");
    CHECK(run.reason_days.front() == 2);
  }
}

TEST_CASE("a recovery from the trough stops the national team", "[national_team]") {
  // A pace large for the small world lifts the index fast; a 1% rise from the trough stops it.
  const TeamRun run = run_team({"days=3", "national_team.trigger_drawdown=0", "national_team.stop_recovery=0.01",
                                "national_team.budget_yuan=1e9", "national_team.pace_yuan_per_day=5e7"},
                               5e7);
  REQUIRE(run.reasons.size() >= 2);
  CHECK(run.reasons[0] == "start");
  const auto stop = std::find(run.reasons.begin(), run.reasons.end(), "stop");
  REQUIRE(stop != run.reasons.end());
  const std::size_t i = static_cast<std::size_t>(stop - run.reasons.begin());
  // The trough it saw is no lower than the lowest index level since the start event.
  double low = 1e300;
  for (StepIndex s = run.reason_steps[0] - 1; s < run.reason_steps[i]; ++s)
    low = std::min(low, run.hedged_after_step[static_cast<std::size_t>(s)]);
  INFO("stopped at " << run.reason_prices[i] << ", lowest level since the start " << low);
  CHECK(run.reason_prices[i] >= 1.01 * low);
}

TEST_CASE("the national team's buying and index-enhanced redemptions are the same at any thread count",
          "[national_team][index_enhanced][determinism]") {
  const AgentRegistry r = builtin_agents();
  const Scenario s = test::small_world(
      r, {"days=3", "national_team.trigger_drawdown=0", "national_team.budget_yuan=5e7", "national_team.pace_yuan_per_day=2e7",
          "index_enhanced.count=3", "index_enhanced.microcap_tilt=1", "index_enhanced.redemption_relative_drawdown=0.01",
          "index_enhanced.redemption_lag_days=1"});
  auto fingerprint = [&](int threads) {
    tbb::global_control workers(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    tbb::task_arena arena(threads);
    std::vector<double> out;
    arena.execute([&] {
      Simulation sim(s, r);
      while (!sim.finished())
        if (sim.step()) out.push_back(sim.day_frame().hedged_close);
      out.push_back(static_cast<double>(sim.external_outflow()));
      const NationalTeam* team = find_team(sim);
      REQUIRE(team != nullptr);
      out.push_back(static_cast<double>(sim.accounts()[team->account()].cash));
      for (const Account& a : sim.accounts().all()) {
        out.push_back(static_cast<double>(a.cash));
        for (const StockPosition& p : a.stocks()) out.push_back(static_cast<double>(p.qty));
      }
    });
    return out;
  };
  const std::vector<double> one = fingerprint(1);
  CHECK(one[3] > 0);     // index-enhanced funds paid redemptions out of the market
  CHECK(one[4] < 5e9);   // the national team bought (its cash, in fen, is below the budget)
  CHECK(fingerprint(4) == one);
}
