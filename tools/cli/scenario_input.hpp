#pragma once
// Turns the command line's scenario arguments into a validated Scenario, or an InputError that
// lists every problem found.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace stampede::cli {

struct ScenarioArgs {
  std::string file;                      // empty: the built-in default scenario
  std::vector<std::string> overrides;    // --set key=value
};

// `file` (empty: the built-in default scenario) with the overrides, and every data file it names
// checked against its calendar. Throws ScenarioError listing every problem (sweeps collect them).
Scenario load_checked_scenario(const std::string& file, const std::vector<ParamSpec>& specs,
                               const std::vector<std::string>& overrides);
// The same for the command line: problems as an InputError.
Scenario load_scenario(const ScenarioArgs& args);
// The shared options: --set (repeatable).
void add_scenario_options(CLI::App& cmd, ScenarioArgs& args);

}  // namespace stampede::cli
