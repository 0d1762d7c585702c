// Sweep planning: grid syntax, the product of grids, seeds and ids that do not move when the grid
// grows, every problem reported at once, and the plan file read back as written.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <set>

#include "sim/scenario/scenario.hpp"
#include "sim/sweep/plan.hpp"
#include "sim/sweep/summary.hpp"

using namespace stampede;
using namespace stampede::sweep;

namespace {

ScenarioLoader core_loader() {
  return [](const std::string& file, const std::vector<std::string>& overrides) {
    if (!file.empty()) return Scenario::load(file, core_param_specs(), overrides);
    return Scenario::parse("name = \"t\"\ndays = 2\nseed = 42\n", "test scenario", core_param_specs(), overrides);
  };
}

std::vector<std::string> axis_values(const std::string& arg) {
  std::vector<std::string> problems;
  auto axis = parse_grid_axis(arg, problems);
  REQUIRE(problems.empty());
  REQUIRE(axis);
  return axis->values;
}

std::vector<std::string> axis_problems(const std::string& arg) {
  std::vector<std::string> problems;
  auto axis = parse_grid_axis(arg, problems);
  CHECK(!axis);
  return problems;
}

Plan sweep_of(std::vector<std::string> grids, int replicates = 1) {
  SweepSpec spec;
  spec.grids = std::move(grids);
  spec.replicates = replicates;
  return plan_sweep(spec, core_loader());
}

}  // namespace

TEST_CASE("grid values: lists and inclusive ranges") {
  CHECK(axis_values("days=2,3,4") == std::vector<std::string>{"2", "3", "4"});
  CHECK(axis_values("days = 2 , 5") == std::vector<std::string>{"2", "5"});
  CHECK(axis_values("days=1:5") == std::vector<std::string>{"1", "2", "3", "4", "5"});
  CHECK(axis_values("days=2:10:4") == std::vector<std::string>{"2", "6", "10"});
  CHECK(axis_values("x=1:3:0.5") == std::vector<std::string>{"1.0", "1.5", "2.0", "2.5", "3.0"});
  CHECK(axis_values("x=0.1:0.3:0.1") == std::vector<std::string>{"0.1", "0.2", "0.3"});   // no 0.30000000000000004, stop included
  CHECK(axis_values("x=0.05:0.2:0.05").size() == 4);
  CHECK(axis_values("x=3:3") == std::vector<std::string>{"3"});
}

TEST_CASE("grid values: malformed arguments are named") {
  CHECK(axis_problems("days")[0].find("KEY=VALUES") != std::string::npos);
  CHECK(axis_problems("days=")[0].find("no values") != std::string::npos);
  CHECK(axis_problems("days=5:1")[0].find("empty") != std::string::npos);
  CHECK(axis_problems("days=1:5:0")[0].find("positive") != std::string::npos);
  CHECK(axis_problems("days=1:5:-1")[0].find("positive") != std::string::npos);
  CHECK(axis_problems("days=a:b")[0].find("numbers") != std::string::npos);
  CHECK(axis_problems("days=1:2:3:4")[0].find("START:STOP") != std::string::npos);
  CHECK(axis_problems("days=2,2")[0].find("twice") != std::string::npos);
  CHECK(axis_problems("days=2,,3")[0].find("empty") != std::string::npos);
  CHECK(axis_problems("seed=1,2")[0].find("--replicates") != std::string::npos);
  CHECK(axis_problems("days=1:1e9")[0].find("more than") != std::string::npos);
}

TEST_CASE("a sweep is the product of its grids times the replicates, last grid fastest") {
  const Plan p = sweep_of({"days=1,2", "stocks.microcaps=10,20,30"}, 2);
  REQUIRE(p.runs.size() == 12);
  CHECK(p.columns == std::vector<std::string>{"days", "stocks.microcaps"});
  CHECK(p.runs[0].values == std::vector<std::string>{"1", "10"});
  CHECK(p.runs[1].values == std::vector<std::string>{"1", "10"});
  CHECK(p.runs[1].replicate == 1);
  CHECK(p.runs[2].values == std::vector<std::string>{"1", "20"});
  CHECK(p.runs[11].values == std::vector<std::string>{"2", "30"});
  std::set<std::string> ids;
  std::set<std::uint64_t> seeds;
  for (std::size_t i = 0; i < p.runs.size(); ++i) {
    CHECK(p.runs[i].index == i);
    CHECK(p.runs[i].run_id.size() == 16);
    ids.insert(p.runs[i].run_id);
    seeds.insert(p.runs[i].seed);
    CHECK(p.runs[i].seed <= static_cast<std::uint64_t>(INT64_MAX));
    CHECK(p.runs[i].overrides.back() == "seed=" + std::to_string(p.runs[i].seed));
  }
  CHECK(ids.size() == 12);
  CHECK(seeds.size() == 12);
  // The run's scenario really gets the swept values and its own seed.
  const Scenario s = core_loader()(p.runs[5].scenario_file, p.runs[5].overrides);
  CHECK(s.get_int("days") == 1);
  CHECK(s.get_int("stocks.microcaps") == 30);
  CHECK(static_cast<std::uint64_t>(s.get_int("seed")) == p.runs[5].seed);
}

TEST_CASE("adding a grid point, or reordering grids, changes no other run's seed or id") {
  const Plan small = sweep_of({"days=1,2", "stocks.microcaps=10,20"});
  const Plan grown = sweep_of({"stocks.microcaps=10,20,30", "days=1,2,3"});
  for (const auto& r : small.runs) {
    bool found = false;
    for (const auto& g : grown.runs)
      if (g.run_id == r.run_id) {
        found = true;
        CHECK(g.seed == r.seed);
      }
    CHECK(found);
  }
  CHECK(derive_seed(7, {{"a", "1"}, {"b", "2"}}, 0) == derive_seed(7, {{"b", "2"}, {"a", "1"}}, 0));
  CHECK(derive_seed(7, {{"a", "1"}}, 0) != derive_seed(7, {{"a", "1"}}, 1));
  CHECK(derive_seed(7, {{"a", "1"}}, 0) != derive_seed(8, {{"a", "1"}}, 0));
  // A different base scenario gives different run ids (its old logs are not reused).
  SweepSpec spec;
  spec.grids = {"days=1,2", "stocks.microcaps=10,20"};
  spec.base_overrides = {"stocks.large_caps=3"};
  const Plan other = plan_sweep(spec, core_loader());
  CHECK(other.runs[0].run_id != small.runs[0].run_id);
}

TEST_CASE("every problem of a sweep is reported before anything runs") {
  try {
    sweep_of({"dayz=1,2", "days=0:2", "stocks.microcaps=1.5,2", "days=3,4", "bad"}, 0);
    FAIL("no PlanError");
  } catch (const PlanError& e) {
    std::string all;
    for (const auto& p : e.problems) all += p + "\n";
    CHECK(all.find("--replicates 0") != std::string::npos);
    CHECK(all.find("dayz") != std::string::npos);
    CHECK(all.find("--grid bad") != std::string::npos);
    CHECK(all.find("--grid days: --set days=0") != std::string::npos);   // out of range
    CHECK(all.find("stocks.microcaps=1.5") != std::string::npos);
    CHECK(all.find("swept twice") != std::string::npos);
    CHECK(std::count(all.begin(), all.end(), '\n') == static_cast<long>(e.problems.size()));
  }
  SweepSpec missing;
  missing.scenario_file = "/nonexistent/scenario.toml";
  missing.grids = {"days=1,2"};
  CHECK_THROWS_AS(plan_sweep(missing, core_loader()), PlanError);
}

TEST_CASE("the plan file and results read back exactly") {
  const auto dir = std::filesystem::temp_directory_path() / "stampede_sweep_plan_test";
  std::filesystem::create_directories(dir);
  Plan p = sweep_of({"days=1,2", "stocks.microcaps=10,20"}, 2);
  p.columns.push_back("name");
  for (auto& r : p.runs) r.values.push_back("a \"quoted\", name");
  write_plan_csv(p, dir / "plan.csv");
  const Plan back = read_plan_csv(dir / "plan.csv");
  REQUIRE(back.runs.size() == p.runs.size());
  CHECK(back.columns == p.columns);
  for (std::size_t i = 0; i < p.runs.size(); ++i) {
    CHECK(back.runs[i].run_id == p.runs[i].run_id);
    CHECK(back.runs[i].values == p.runs[i].values);
    CHECK(back.runs[i].seed == p.runs[i].seed);
    CHECK(back.runs[i].replicate == p.runs[i].replicate);
  }
  std::filesystem::remove_all(dir);

  RunResult r;
  r.status = "failed";
  r.error = "bad\tthing";
  r.metrics = {0.1, -1e-300, std::nan("")};
  RunResult d;
  CHECK(decode_result(encode_result(17, r), d) == 17);
  CHECK(d.status == "failed");
  CHECK(d.error == "bad thing");
  REQUIRE(d.metrics.size() == 3);
  CHECK(d.metrics[0] == 0.1);
  CHECK(d.metrics[1] == -1e-300);
  CHECK(std::isnan(d.metrics[2]));
}
