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

Scenario load_scenario(const ScenarioArgs& args);
// The shared options: --set (repeatable).
void add_scenario_options(CLI::App& cmd, ScenarioArgs& args);

}  // namespace stampede::cli
