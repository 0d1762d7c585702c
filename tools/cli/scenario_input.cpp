#include "scenario_input.hpp"

#include "agents/builtin_agents.hpp"
#include "cli_common.hpp"
#include "default_scenario.hpp"
#include "sim/engine/market_driver.hpp"

namespace stampede::cli {

Scenario load_checked_scenario(const std::string& file, const std::vector<ParamSpec>& specs,
                               const std::vector<std::string>& overrides) {
  Scenario s = file.empty() ? Scenario::parse(kDefaultScenarioToml, "built-in default scenario (scenarios/feb2024.toml)",
                                              specs, overrides)
                            : Scenario::load(file, specs, overrides);
  check_scenario_data(s);   // the files it names, against its calendar
  return s;
}

Scenario load_scenario(const ScenarioArgs& args) {
  try {
    return load_checked_scenario(args.file, builtin_agents().all_params(), args.overrides);
  } catch (const ScenarioError& e) {
    throw InputError(e.problems());
  }
}

void add_scenario_options(CLI::App& cmd, ScenarioArgs& args) {
  cmd.add_option("--set", args.overrides,
                 "Override a scenario key, e.g. --set days=3 --set stocks.microcaps=200 (repeatable; see docs/scenario.md)")
      ->type_name("KEY=VALUE")
      ->take_all()
      ->allow_extra_args(false);
}

}  // namespace stampede::cli
