#include "sim/sweep/ensemble_plan.hpp"

#include <charconv>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <unistd.h>

#include "sim/engine/market_driver.hpp"

namespace stampede::sweep {

namespace {

constexpr int kMaxSeeds = 100000;

// The seeds of --seeds N or --seed-list; problems appended (naming the option).
std::vector<std::uint64_t> ensemble_seeds(const EnsembleSpec& spec, std::vector<std::string>& problems) {
  std::vector<std::uint64_t> seeds;
  const bool count_given = spec.seed_count != EnsembleSpec::kNotGiven, list_given = !spec.seed_list.empty();
  if (count_given && list_given) {
    problems.push_back("--seeds and --seed-list both given: use one (--seeds N means the seeds 1..N)");
    return seeds;
  }
  if (!count_given && !list_given) {
    problems.push_back("no seeds: give --seeds N (the seeds 1..N) or --seed-list 1,5,9");
    return seeds;
  }
  if (count_given) {
    if (spec.seed_count < 1 || spec.seed_count > kMaxSeeds)
      problems.push_back(fmt::format("--seeds {}: give between 1 and {} seeds (the seeds 1..N)", spec.seed_count, kMaxSeeds));
    else
      for (int k = 1; k <= spec.seed_count; ++k) seeds.push_back(static_cast<std::uint64_t>(k));
    return seeds;
  }
  std::set<std::uint64_t> seen;
  std::size_t start = 0;
  const std::string& text = spec.seed_list;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || p != item.data() + item.size() ||
        v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      problems.push_back(fmt::format("--seed-list {}: '{}' is not a seed (an integer from 0 to {})", text, item,
                                     std::numeric_limits<std::int64_t>::max()));
      return {};
    }
    if (!seen.insert(v).second) {
      problems.push_back(fmt::format("--seed-list {}: the seed {} is given twice", text, v));
      return {};
    }
    seeds.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (seeds.size() > static_cast<std::size_t>(kMaxSeeds))
    problems.push_back(fmt::format("--seed-list: more than {} seeds", kMaxSeeds));
  return seeds;
}

std::string describe_days(const std::vector<Date>& days) {
  if (days.empty()) return "no trading days";
  return fmt::format("{} trading days from {} to {}", days.size(), to_iso(days.front()), to_iso(days.back()));
}

}  // namespace

std::string scenario_label(const std::string& file) { return std::filesystem::path(file).stem().string(); }

Plan plan_ensemble(const EnsembleSpec& spec, const ScenarioLoader& load) {
  std::vector<std::string> problems;
  const std::vector<std::uint64_t> seeds = ensemble_seeds(spec, problems);
  if (spec.scenario_files.empty()) problems.push_back("no scenario: give at least one SCENARIO.toml");

  struct Loaded {
    std::string file, label, resolved;
    std::vector<Date> days;
  };
  std::vector<Loaded> loaded;
  std::map<std::string, std::string> file_of_label;
  for (const std::string& file : spec.scenario_files) {
    Loaded l{file, scenario_label(file), "", {}};
    if (auto [it, fresh] = file_of_label.emplace(l.label, file); !fresh) {
      problems.push_back(it->second == file ? fmt::format("{}: the scenario is given twice", file)
                                            : fmt::format("{} and {} are both labelled '{}' (the file name): rename one",
                                                          it->second, file, l.label));
      continue;
    }
    try {
      const Scenario s = load(file, spec.base_overrides);
      l.resolved = s.resolved_toml();
      l.days = scenario_calendar(s).dates();
    } catch (const ScenarioError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
      continue;
    } catch (const std::invalid_argument& e) {
      problems.push_back(fmt::format("{}: {}", file, e.what()));
      continue;
    }
    loaded.push_back(std::move(l));
  }
  for (std::size_t k = 1; k < loaded.size(); ++k)
    if (loaded[k].days != loaded[0].days)
      problems.push_back(fmt::format(
          "{}: {}, but {} (the baseline) has {}: an ensemble compares its scenarios day by day, so every scenario "
          "needs the same trading days (start_date, days, holidays)",
          loaded[k].file, describe_days(loaded[k].days), loaded[0].file, describe_days(loaded[0].days)));
  if (!problems.empty()) throw PlanError(problems);

  Plan plan;
  plan.columns = {"scenario"};
  for (const Loaded& l : loaded)
    for (std::size_t k = 0; k < seeds.size(); ++k) {
      PlannedRun run;
      run.index = plan.runs.size();
      // The label is part of the id: two files that resolve alike still get a log each.
      run.run_id = make_run_id(l.resolved, {{"scenario", l.label}, {"seed", std::to_string(seeds[k])}}, 0);
      run.scenario_file = l.file;
      run.overrides = spec.base_overrides;
      run.overrides.push_back(fmt::format("seed={}", seeds[k]));   // last, as `stampede run --seed` puts it
      run.values = {l.label};
      run.replicate = static_cast<int>(k);
      run.seed = seeds[k];
      plan.runs.push_back(std::move(run));
    }
  return plan;
}

EnsembleLayout ensemble_layout(const Plan& plan) {
  EnsembleLayout out;
  if (plan.columns.empty() || plan.columns[0] != "scenario")
    throw PlanError({"not an ensemble plan: its first column is not 'scenario'"});
  std::map<std::string, std::size_t> scenario_at;
  std::map<std::uint64_t, std::size_t> seed_at;
  for (const auto& r : plan.runs) {
    if (scenario_at.emplace(r.values.at(0), out.scenarios.size()).second) out.scenarios.push_back(r.values[0]);
    if (seed_at.emplace(r.seed, out.seeds.size()).second) out.seeds.push_back(r.seed);
  }
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  out.run.assign(out.scenarios.size(), std::vector<std::size_t>(out.seeds.size(), kNone));
  for (const auto& r : plan.runs) {
    std::size_t& slot = out.run[scenario_at[r.values[0]]][seed_at[r.seed]];
    if (slot != kNone)
      throw PlanError({fmt::format("not an ensemble plan: scenario {} seed {} appears twice", r.values[0], r.seed)});
    slot = r.index;
  }
  for (std::size_t s = 0; s < out.scenarios.size(); ++s)
    for (std::size_t k = 0; k < out.seeds.size(); ++k)
      if (out.run[s][k] == kNone)
        throw PlanError({fmt::format("not an ensemble plan: scenario {} has no run on seed {}", out.scenarios[s], out.seeds[k])});
  return out;
}

void write_ensemble_marker(const std::filesystem::path& dir, const EnsembleSpec& spec) {
  std::string text = "scenario,file\n";
  for (const auto& f : spec.scenario_files) text += csv_field(scenario_label(f)) + "," + csv_field(f) + "\n";
  std::filesystem::create_directories(dir);
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  const std::filesystem::path file = dir / kEnsembleMarker;
  const std::filesystem::path tmp = file.string() + fmt::format(".tmp-{}-{}", host, getpid());
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    o << text;
    if (!o.flush()) throw std::runtime_error(fmt::format("{}: cannot write the ensemble's scenario list", tmp.string()));
  }
  std::filesystem::rename(tmp, file);
}

bool is_ensemble_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / kEnsembleMarker, ec);
}

}  // namespace stampede::sweep
