// Ensembles: the paired plan (literal seeds, the same seeds for every scenario, ids that do not
// depend on the other scenarios), every problem reported at once, and the statistics of the
// summary (quantiles as numpy computes them, the paired difference and its bootstrap interval).
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "sim/scenario/scenario.hpp"
#include "sim/sweep/ensemble_plan.hpp"
#include "sim/sweep/ensemble_stats.hpp"

using namespace stampede;
using namespace stampede::sweep;

namespace {

// Scenario "files" by name; a name not listed is a missing file.
ScenarioLoader text_loader() {
  static const std::map<std::string, std::string> files = {
      {"dir/base.toml", "name = \"base\"\ndays = 3\nseed = 42\n"},
      {"dir/other.toml", "name = \"other\"\ndays = 3\nseed = 7\n"},
      {"dir/longer.toml", "name = \"longer\"\ndays = 5\n"},
      {"elsewhere/base.toml", "name = \"base2\"\ndays = 3\n"},
  };
  return [](const std::string& file, const std::vector<std::string>& overrides) {
    auto it = files.find(file);
    if (it == files.end()) throw ScenarioError({file + ": cannot read the scenario file"});
    return Scenario::parse(it->second, file, core_param_specs(), overrides);
  };
}

std::vector<std::string> problems_of(const EnsembleSpec& spec) {
  try {
    plan_ensemble(spec, text_loader());
  } catch (const PlanError& e) {
    return e.problems;
  }
  return {};
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems)
    if (p.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("ensemble plan: every scenario on the literal seeds 1..N, seed last among the overrides") {
  EnsembleSpec spec;
  spec.scenario_files = {"dir/base.toml", "dir/other.toml"};
  spec.base_overrides = {"days=2"};
  spec.seed_count = 3;
  const Plan plan = plan_ensemble(spec, text_loader());
  REQUIRE(plan.runs.size() == 6);
  CHECK(plan.columns == std::vector<std::string>{"scenario"});
  for (std::size_t i = 0; i < 6; ++i) {
    const PlannedRun& r = plan.runs[i];
    CHECK(r.index == i);
    CHECK(r.values == std::vector<std::string>{i < 3 ? "base" : "other"});
    CHECK(r.seed == i % 3 + 1);
    CHECK(r.replicate == static_cast<int>(i % 3));
    CHECK(r.overrides == std::vector<std::string>{"days=2", "seed=" + std::to_string(i % 3 + 1)});
  }
  const EnsembleLayout L = ensemble_layout(plan);
  CHECK(L.scenarios == std::vector<std::string>{"base", "other"});
  CHECK(L.seeds == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(L.run[1][2] == 5);

  // A run's id depends on its scenario and seed only: more seeds or scenarios keep the logs.
  spec.seed_count = 4;
  spec.scenario_files = {"dir/other.toml", "dir/base.toml"};
  const Plan bigger = plan_ensemble(spec, text_loader());
  CHECK(bigger.runs[5].run_id == plan.runs[1].run_id);   // base, seed 2
  CHECK(bigger.runs[0].run_id == plan.runs[3].run_id);   // other, seed 1
  spec.seed_count = EnsembleSpec::kNotGiven;
  spec.seed_list = "9,2";
  const Plan listed = plan_ensemble(spec, text_loader());
  CHECK(listed.runs[0].seed == 9);
  CHECK(listed.runs[1].run_id == plan.runs[4].run_id);   // other, seed 2
}

TEST_CASE("ensemble plan: every problem at once") {
  EnsembleSpec spec;
  spec.scenario_files = {"dir/base.toml", "dir/nosuch.toml", "elsewhere/base.toml", "dir/longer.toml"};
  spec.seed_count = 0;
  const auto p = problems_of(spec);
  CHECK(mentions(p, "--seeds 0"));
  CHECK(mentions(p, "dir/nosuch.toml"));
  CHECK(mentions(p, "both labelled 'base'"));
  CHECK(mentions(p, "dir/longer.toml: 5 trading days"));

  spec.scenario_files = {"dir/base.toml", "dir/base.toml"};
  spec.seed_count = 2;
  spec.seed_list = "1,2";
  const auto q = problems_of(spec);
  CHECK(mentions(q, "given twice"));
  CHECK(mentions(q, "--seeds and --seed-list"));
  spec.scenario_files = {"dir/base.toml"};
  spec.seed_count = -2;
  spec.seed_list.clear();
  CHECK(mentions(problems_of(spec), "--seeds -2"));
  spec.seed_count = EnsembleSpec::kNotGiven;
  for (const char* bad : {"1,,2", "1,x", "-3", "3,3", "99999999999999999999"}) {
    spec.seed_list = bad;
    CHECK(mentions(problems_of(spec), "--seed-list"));
  }
  spec.seed_list.clear();
  CHECK(mentions(problems_of(spec), "no seeds"));
}

TEST_CASE("ensemble quantiles: linear between order statistics, NaN skipped") {
  // numpy.quantile([3, 1, 4, 1, 5], [0.1, 0.5, 0.9]) = [1.0, 3.0, 4.6]
  CHECK(quantile({3, 1, 4, 1, 5}, 0.1) == Approx(1.0));
  CHECK(quantile({3, 1, 4, 1, 5}, 0.5) == Approx(3.0));
  CHECK(quantile({3, 1, 4, 1, 5}, 0.9) == Approx(4.6));
  CHECK(quantile({2, NAN, 4}, 0.5) == Approx(3.0));
  CHECK(std::isnan(quantile({NAN, NAN}, 0.5)));
  CHECK(std::isnan(quantile({}, 0.5)));
  CHECK(quantile({7}, 0.9) == 7);
}

TEST_CASE("paired difference: median, bootstrap interval around it, sign share, deterministic") {
  const std::vector<double> base = {1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<double> scen = {1.5, 2.4, 3.6, 4.2, 5.9, 5.8, 7.7, NAN};   // seed 8 unpaired
  const PairedDifference p = paired_difference(scen, base, 11);
  CHECK(p.seeds == 7);
  CHECK(p.median == Approx(0.5));   // differences 0.5 0.4 0.6 0.2 0.9 -0.2 0.7
  CHECK(p.sign_share == Approx(6.0 / 7.0));
  CHECK(p.low <= p.median);
  CHECK(p.median <= p.high);
  CHECK(p.low >= -0.2);
  CHECK(p.high <= 0.9);
  CHECK(p.low < p.high);
  const PairedDifference again = paired_difference(scen, base, 11);
  CHECK(again.low == p.low);
  CHECK(again.high == p.high);
  CHECK(bootstrap_seed("a", "m") == bootstrap_seed("a", "m"));
  CHECK(bootstrap_seed("a", "m") != bootstrap_seed("a", "n"));

  const PairedDifference none = paired_difference({NAN}, {1}, 1);
  CHECK(none.seeds == 0);
  CHECK(std::isnan(none.median));
  const PairedDifference same = paired_difference({1, 2}, {1, 2}, 1);
  CHECK(same.median == 0);
  CHECK(same.sign_share == 1);
  CHECK(same.low == 0);
  CHECK(same.high == 0);
}
