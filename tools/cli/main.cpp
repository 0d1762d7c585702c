// stampede: agent-based simulator of crowded-trade deleveraging in small-cap equity markets.
#include <cstdio>
#include <exception>

#include "cli_common.hpp"
#include "command_line.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/record/output_lock.hpp"
#include "sim/sweep/mpi.hpp"

int main(int argc, char** argv) {
  using namespace stampede::cli;
  CLI::App app{"stampede: agent-based simulator of crowded-trade deleveraging in A-share small caps"};
  // The build's optional features too, so scripts (and the tests) can tell what this binary can do.
  app.set_version_flag("--version", std::string("stampede ") + STAMPEDE_VERSION +
                                        (stampede::sweep::mpi_supported() ? " (MPI sweeps: on)" : " (MPI sweeps: off)") +
                                        (stampede::Simulation::kChecksInvariantsByDefault ? " (invariants: every step)"
                                                                                           : " (invariants: at the end)"));
  app.require_subcommand(1);
  add_run_command(app);
  add_check_command(app);
  add_replay_command(app);
  add_sweep_command(app);
  add_batch_command(app);
  add_ensemble_command(app);
  add_merge_command(app);
  add_calibrate_command(app);
  add_schema_command(app);
  try {
    check_command_line(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "error: %s\n", parse_error_line(app, e).c_str());
    return kExitBadInput;
  } catch (const Interrupted& e) {
    return 128 + e.signal;
  } catch (const InputError& e) {
    for (const auto& p : e.problems) std::fprintf(stderr, "error: %s\n", p.c_str());
    return kExitBadInput;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "error: out of memory (std::bad_alloc): the run needs more memory than this machine gives it; "
                         "`stampede check` prints the estimate and the keys that drive it\n");
    return kExitRuntimeFailure;
  } catch (const stampede::OutputBusy& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitBusy;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitRuntimeFailure;
  }
  return 0;
}
