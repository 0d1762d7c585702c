// stampede.sweep / stampede.ensemble's compiled half: the plan and execution `stampede sweep` and
// `stampede ensemble` use (sim/sweep/), so a sweep from Python makes the same runs, with the same
// seeds, ids and logs, as the command line, and resumes them the same way.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <thread>
#include <string>
#include <vector>

#include "agents/builtin_agents.hpp"
#include "bindings.hpp"
#include "scenario_input.hpp"
#include "sim/sweep/ensemble_plan.hpp"
#include "sim/sweep/ensemble_summary.hpp"
#include "sim/sweep/execute.hpp"
#include "sim/sweep/summary.hpp"
#include "sim/sweep/sweep_lock.hpp"

namespace py = pybind11;

namespace stampede::python {

namespace {

sweep::ScenarioLoader loader() {
  return [](const std::string& file, const std::vector<std::string>& overrides) {
    return cli::load_checked_scenario(file, builtin_agents().all_params(), overrides);
  };
}

// Plans (every problem at once, as ScenarioErrorBase), then runs what is not complete in `dir`
// and writes DIR/summary.h5 and summary.csv. Returns {"ran", "skipped", "failed"}.
py::dict execute(const std::function<sweep::Plan(const sweep::ScenarioLoader&)>& make_plan, const std::string& dir, int jobs,
                 const std::function<void()>& before_runs, const std::function<void(const sweep::Plan&, const std::vector<sweep::RunResult>&)>& after) {
  const sweep::ScenarioLoader load = loader();
  sweep::Plan plan;
  try {
    plan = make_plan(load);
  } catch (const sweep::PlanError& e) {
    raise_scenario_error(e.problems);
  }
  static const AgentRegistry registry = builtin_agents();
  sweep::ExecuteOptions o;
  o.dir = dir;
  o.jobs = jobs;
  o.progress = false;
  o.registry = &registry;
  o.load = load;
  // The sweep runs on a thread of its own while this (Python's main) thread watches for Ctrl-C:
  // Python runs signal handlers only here. On one, the runs under way stop at the end of their
  // step, their logs stay incomplete and no summary is written, as `stampede sweep` on SIGINT;
  // the same call again resumes.
  std::atomic<int> stop{0};
  o.stop = &stop;
  sweep::ExecuteReport rep;
  std::exception_ptr failure;
  std::atomic<bool> done{false};
  std::thread worker([&] {
    try {
      // One sweep per directory, as the command line takes it (sweep_lock.hpp).
      const sweep::SweepLock lock = sweep::lock_sweep_dir(o.dir, 0, 1);
      if (before_runs) before_runs();
      const sweep::MpiWorld world;   // not launched by mpirun: no MPI, one process
      rep = sweep::execute_plan(plan, o, world);
      if (rep.writer && stop == 0) {
        sweep::write_summary(o.dir, plan, rep.results);
        if (after) after(plan, rep.results);
      }
    } catch (...) {
      failure = std::current_exception();
    }
    done = true;
  });
  bool interrupted = false;
  while (!done) {
    {
      py::gil_scoped_release release;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!interrupted && PyErr_CheckSignals() != 0) {
      interrupted = true;   // the KeyboardInterrupt stays set until the runs have stopped
      stop = 2;             // SIGINT
    }
  }
  {
    py::gil_scoped_release release;
    worker.join();
  }
  if (interrupted) throw py::error_already_set();
  if (failure) std::rethrow_exception(failure);
  if (!rep.stopped_launching.empty())
    throw std::runtime_error("stopped launching runs: " + rep.stopped_launching + "; " + std::to_string(rep.not_started) +
                             " runs not started. Free some space and call again to resume.");
  py::dict out;
  out["ran"] = rep.ran;
  out["skipped"] = rep.skipped;
  out["failed"] = rep.failed;
  return out;
}

py::dict run_sweep(const std::string& file, const std::vector<std::string>& overrides, const std::vector<std::string>& grids,
                   int replicates, const std::string& dir, int jobs) {
  sweep::SweepSpec spec;
  spec.scenario_file = file;
  spec.base_overrides = overrides;
  spec.grids = grids;
  spec.replicates = replicates;
  return execute([&](const sweep::ScenarioLoader& load) { return sweep::plan_sweep(spec, load); }, dir, jobs, nullptr, nullptr);
}

py::dict run_ensemble(const std::vector<std::string>& files, const std::vector<std::string>& overrides, int seed_count,
                      const std::string& seed_list, const std::string& dir, int jobs) {
  sweep::EnsembleSpec spec;
  spec.scenario_files = files;
  spec.base_overrides = overrides;
  spec.seed_count = seed_count > 0 ? seed_count : sweep::EnsembleSpec::kNotGiven;
  spec.seed_list = seed_list;
  return execute([&](const sweep::ScenarioLoader& load) { return sweep::plan_ensemble(spec, load); }, dir, jobs,
                 [&] { sweep::write_ensemble_marker(dir, spec); },
                 [&](const sweep::Plan& plan, const std::vector<sweep::RunResult>& results) {
                   sweep::write_ensemble_summary(dir, plan, results);
                 });
}

}  // namespace

void bind_sweeps(py::module_& m) {
  m.def("sweep", &run_sweep, py::arg("file"), py::arg("overrides"), py::arg("grids"), py::arg("replicates"), py::arg("dir"),
        py::arg("jobs"));
  m.def("ensemble", &run_ensemble, py::arg("files"), py::arg("overrides"), py::arg("seed_count"), py::arg("seed_list"),
        py::arg("dir"), py::arg("jobs"));
}

}  // namespace stampede::python
