// The compiled half of the Python package `stampede` (python/stampede/__init__.py is the other):
// the same scenario loader and run_simulation() the command line uses, so a run from Python is
// the CLI's run, bit for bit. Python-facing conveniences (dicts, xarray, structured errors) live
// in the Python half; this file and its two siblings (simulation_bindings.cpp: stepping and
// views; sweep_bindings.cpp: sweeps and ensembles) only cross the language boundary.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "scenario_input.hpp"
#include "sim/engine/run.hpp"

namespace py = pybind11;
using namespace stampede;

namespace {
// Raised with the loader's problems, one string each ("file:line: key: what is wrong").
PyObject* scenario_error_type = nullptr;
}  // namespace

namespace stampede::python {

[[noreturn]] void raise_scenario_error(const std::vector<std::string>& problems) {
  py::list items;
  for (const std::string& p : problems) items.append(p);
  PyErr_SetObject(scenario_error_type, items.ptr());
  throw py::error_already_set();
}

Scenario load(const std::string& file, const std::vector<std::string>& overrides, const AgentRegistry& registry) {
  try {
    return cli::load_checked_scenario(file, registry.all_params(), overrides);
  } catch (const ScenarioError& e) {
    raise_scenario_error(e.problems());
  }
}

py::dict summary_dict(const RunSummary& summary, const std::filesystem::path& output) {
  if (!summary.conservation_problems.empty())
    throw std::runtime_error("the run broke conservation of money or shares (a bug: please report it): " +
                             summary.conservation_problems.front());
  py::dict metrics;
  for (const auto& [name, value] : summary_metrics(summary)) metrics[py::str(name)] = value;
  py::dict out;
  out["scenario"] = summary.scenario;
  out["seed"] = summary.seed;
  out["days"] = summary.days;
  out["stocks"] = summary.stocks;
  out["agents"] = summary.agents;
  out["threads"] = summary.threads;
  out["wall_seconds"] = summary.wall_seconds;
  out["metrics"] = metrics;
  out["text"] = format_summary(summary, output);
  return out;
}

}  // namespace stampede::python

namespace {
using stampede::python::load;

// Every key after defaults and overrides, as `stampede check` prints it.
py::dict check(const std::string& file, const std::vector<std::string>& overrides, const py::object& agents) {
  const Scenario s = load(file, overrides, python::registry_with(agents));
  py::dict out;
  out["name"] = s.name();
  out["source"] = s.source_name();
  out["resolved_toml"] = s.resolved_toml();
  return out;
}

// Runs the scenario into `output` and returns the summary: the named metrics the run log keeps as
// summary_* attributes, the text `stampede run` prints, and what identifies the run. The GIL is
// released while the simulation runs; Ctrl-C in Python stops it at the end of a step (the log is
// then closed incomplete, as the CLI does on SIGINT) and raises KeyboardInterrupt.
py::dict run(const std::string& file, const std::vector<std::string>& overrides, const std::string& output, int threads,
             const std::function<void(int, int, std::string)>& on_day_done, const py::object& agents) {
  const AgentRegistry registry = python::registry_with(agents);
  const Scenario scenario = load(file, overrides, registry);
  std::atomic<int> stop{0};
  RunOptions options;
  options.output = output;
  options.threads = threads;
  options.stop = &stop;
  python::python_agents_take_no_checkpoints(agents, options);
  options.on_day_done = [&](const RunProgress& p) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      PyErr_Clear();
      stop = 2;   // SIGINT
      return;
    }
    if (on_day_done) on_day_done(p.days_done, p.days_total, p.date);
  };
  RunSummary summary;
  {
    py::gil_scoped_release release;
    summary = run_simulation(scenario, registry, options);
  }
  if (summary.interrupted_by != 0) {
    PyErr_SetString(PyExc_KeyboardInterrupt, ("stampede run interrupted after " + std::to_string(summary.days_done) +
                                               " trading days; the run log " + output + " is incomplete (complete = 0)")
                                                  .c_str());
    throw py::error_already_set();
  }
  return python::summary_dict(summary, output);
}

}  // namespace

PYBIND11_MODULE(_stampede, m) {
  m.doc() = "stampede's engine, for the Python package `stampede` (use that, not this module)";
  scenario_error_type = PyErr_NewExceptionWithDoc(
      "stampede._stampede.ScenarioErrorBase",
      "A scenario with problems; args[0] is the list of every problem, one string each.", PyExc_ValueError, nullptr);
  m.attr("ScenarioErrorBase") = py::handle(scenario_error_type);
  m.def("check", &check, py::arg("file"), py::arg("overrides"), py::arg("agents") = py::none());
  m.def("run", &run, py::arg("file"), py::arg("overrides"), py::arg("output"), py::arg("threads"),
        py::arg("on_day_done") = nullptr, py::arg("agents") = py::none());
  m.attr("version") = STAMPEDE_VERSION;
  python::bind_simulation(m);
  python::bind_sweeps(m);
  python::bind_python_agents(m);
}
