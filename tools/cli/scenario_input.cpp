#include "scenario_input.hpp"

#include "agents/builtin_agents.hpp"
#include "cli_common.hpp"
#include "default_scenario.hpp"

namespace stampede::cli {

Scenario load_scenario(const ScenarioArgs& args) {
  const std::vector<ParamSpec> specs = builtin_agents().all_params();
  try {
    if (args.file.empty())
      return Scenario::parse(kDefaultScenarioToml, "built-in default scenario (scenarios/feb2024.toml)", specs, args.overrides);
    return Scenario::load(args.file, specs, args.overrides);
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
