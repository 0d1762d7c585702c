#pragma once
// What the compiled module's files share (module.cpp, simulation_bindings.cpp, sweep_bindings.cpp,
// python_agents.cpp): scenario loading with the loader's problems raised as ScenarioErrorBase, a
// finished run's summary as the dict the Python half turns into a Run, and Python agents.
#include <pybind11/pybind11.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sim/engine/agent_registry.hpp"
#include "sim/engine/run.hpp"
#include "sim/scenario/scenario.hpp"

namespace stampede::python {

// Loads `file` ("" = built-in) with `overrides`, as `stampede run` does, against the keys of
// `registry`'s agents; a scenario with problems raises ScenarioErrorBase (args[0]: every problem,
// one string each).
Scenario load(const std::string& file, const std::vector<std::string>& overrides, const AgentRegistry& registry);
[[noreturn]] void raise_scenario_error(const std::vector<std::string>& problems);

// {"scenario", "seed", "days", "stocks", "agents", "threads", "wall_seconds", "metrics", "text"}
// of a run that ended with every day done; a run that broke conservation raises RuntimeError.
pybind11::dict summary_dict(const RunSummary& summary, const std::filesystem::path& output);

// The built-in agents, then the Python agent kinds of `kinds` (None or a sequence of what
// stampede.agents._kind_spec makes; python_agents.cpp), in that order: built-in agents keep their
// ids and random streams.
AgentRegistry registry_with(const pybind11::object& kinds);
// Checkpoints are for `stampede run --resume`, which has no Python agents: a run with any takes
// none (their state, Python objects, could not be restored from the command line).
void python_agents_take_no_checkpoints(const pybind11::object& kinds, RunOptions& options);
// A Python agent's own object (its class's instance); None for an agent of a C++ kind.
pybind11::object python_agent_object(const Agent& agent);

void bind_simulation(pybind11::module_& m);
void bind_python_agents(pybind11::module_& m);
void bind_sweeps(pybind11::module_& m);

}  // namespace stampede::python
