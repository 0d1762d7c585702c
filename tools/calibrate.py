#!/usr/bin/python3
"""Fits scenario keys to target moments by the method of simulated moments (`stampede calibrate`).

    tools/calibrate.py SCENARIO --targets TARGETS.toml --param KEY=LOW:HIGH ... [--seeds N]
                       [--budget EVALS] [--loss mean|per-seed] [-j J] [--set KEY=VALUE ...] [--keep-logs] -o DIR
    tools/calibrate.py --list-moments [--markdown]

Every candidate (values of the fitted keys) runs `stampede run SCENARIO --seed K` on the seeds
1..N (the same seeds for every candidate: paired), its moments are averaged over the seeds, and
the loss is the sum over the targets of weight * ((mean - target) / tolerance)^2 (--loss per-seed:
each seed's own sum, averaged over the seeds, which also charges the spread between seeds). The search is a
Halton start (3 points per key) then Nelder-Mead from the best point, in the box of the bounds
(tools/calibration/search.py). The best candidate is then run on the fresh seeds N+1..2N, and the
moment coverage ratio (the share of moments within their tolerance) is reported on both.

DIR gets best.toml (`base =` the scenario, and the fitted keys), evaluations.csv (one row per
evaluation: the values, the loss, each moment's mean), moments.csv (each moment: target, tolerance,
fitted and fresh-seed means), result.txt (what is printed), loss.png, calibration.json (the
arguments) and runs/ (each run's moments: the checkpoint). The same command again resumes: it
reuses every finished run and gives the same result; a larger --budget continues the search.

docs/calibrate.md describes the targets file, the moments, the search and the outputs. Bad input
(unknown moment, target file errors, bounds outside a key's range, ...) gets every problem on its
own line with the file and line or the argument, exit 2, nothing written.
"""
import argparse
import json
import math
import os
import shutil
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calibration import measures  # noqa: E402
from calibration.calibrate_output import evaluations_csv, moment_list_text, write_outputs, write_text  # noqa: E402
from calibration.evaluate import LOSS_KINDS, Evaluator, Interrupted, loss_of  # noqa: E402
from calibration.search import search, start_size  # noqa: E402
from calibration.inputs import CONFIG_FILE, check_all  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
# A search that keeps proposing points it has evaluated (all on the rounding grid) stops here.
MAX_PROPOSALS_PER_EVALUATION = 20


def find_stampede(given):
    if given:
        return given
    built = os.path.join(ROOT, "build", "tools", "stampede")
    return built if os.path.exists(built) else shutil.which("stampede") or built


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="stampede calibrate", description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", nargs="?", help="scenario TOML file the fitted keys are set on")
    ap.add_argument("--targets", metavar="TARGETS.toml", help="the moments to fit ([[moment]] tables)")
    ap.add_argument("--param", action="append", default=[], metavar="KEY=LOW:HIGH",
                    help="a key to fit and its bounds (repeatable)")
    ap.add_argument("--seeds", type=int, default=3, help="seeds 1..N for every candidate (default 3)")
    ap.add_argument("--budget", type=int, default=30, help="evaluations (candidates) at most (default 30)")
    ap.add_argument("--loss", choices=LOSS_KINDS, default="mean",
                    help="mean (default): each moment's mean over the seeds against its target; per-seed: each "
                         "seed's loss, averaged (charges candidates whose seeds disagree)")
    ap.add_argument("-j", "--jobs", type=int, default=0, help="runs at a time (default: one per core)")
    ap.add_argument("--oversubscribe", action="store_true", help="use -j as given above the machine's cores")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a key of the scenario for every run (repeatable)")
    ap.add_argument("-o", "--output", metavar="DIR", help="the calibration directory (a rerun resumes it)")
    ap.add_argument("--keep-logs", action="store_true", help="keep every run log in DIR/runs (default: deleted "
                                                              "once measured)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    ap.add_argument("--stampede", metavar="EXE", help="the stampede binary (default: build/tools/stampede)")
    ap.add_argument("--list-moments", action="store_true", help="print the moments a target can name, and exit")
    ap.add_argument("--markdown", action="store_true", help="with --list-moments: as a Markdown table")
    a = ap.parse_args(argv)
    if not a.list_moments:
        missing = [w for w, v in (("SCENARIO", a.scenario), ("--targets TARGETS.toml", a.targets),
                                  ("-o DIR", a.output)) if not v]
        if missing:
            ap.error("required: " + ", ".join(missing))
    return a


def jobs_for(a):
    cores = os.cpu_count() or 1
    if a.jobs == 0:
        return cores
    if a.jobs > cores and not a.oversubscribe:
        print(f"stampede calibrate: warning: -j {a.jobs} is above this machine's {cores} cores: using {cores} "
              "(--oversubscribe to use it as given)", file=sys.stderr)
        return cores
    return a.jobs


def progress(a, text):
    if not a.quiet:
        print(f"calibrate: {text}", file=sys.stderr, flush=True)


def run_search(a, params, specs, ev):
    """Drives the search until it converges or the budget is spent. Returns the evaluations in
    order (dicts with index, phase, values, loss, means, error) and why it stopped."""
    seeds = list(range(1, a.seeds + 1))
    evals, by_values = [], {}
    gen = search(len(params))
    batch = next(gen)
    proposals = 0
    while True:
        proposals += len(batch)
        values = [[(p.key, p.value(u)) for p, u in zip(params, point)] for point in batch]
        new = []
        for v in values:
            key = tuple(map(tuple, v))
            if key not in by_values and key not in {tuple(map(tuple, n)) for n in new}:
                new.append(v)
        room = a.budget - len(evals)
        new = new[:max(room, 0)]
        if new:
            phase = "halton" if not evals else "nelder-mead"
            records = ev.evaluate(new, seeds)
            for i, v in enumerate(new):
                loss, means, err = loss_of(specs, [records[(i, s)] for s in seeds], a.loss)
                e = {"index": len(evals) + 1, "phase": phase, "values": v, "loss": loss, "means": means, "error": err}
                evals.append(e)
                by_values[tuple(map(tuple, v))] = e
            best = min(evals, key=lambda e: (e["loss"], e["index"]))
            write_text(os.path.join(a.output, "evaluations.csv"), evaluations_csv(params, specs, evals))
            progress(a, f"{len(evals)}/{a.budget} evaluations, best loss {best['loss']:.6g} (#{best['index']}); "
                        f"{ev.runs_made} runs made, {ev.runs_reused} reused")
        keys = [tuple(map(tuple, v)) for v in values]
        if any(k not in by_values for k in keys):
            return evals, "the budget is spent"
        if proposals > MAX_PROPOSALS_PER_EVALUATION * max(a.budget, start_size(len(params))):
            return evals, "stopped: the search keeps proposing evaluated points"
        try:
            batch = gen.send([by_values[k]["loss"] for k in keys])
        except StopIteration:
            return evals, "converged: the simplex is smaller than the rounding of the values"


def on_sigterm(signum, frame):
    """SIGTERM (a scheduler ending the job) stops the calibration like Ctrl-C: the runs under way
    are stopped, what finished is saved, exit 143."""
    raise Interrupted(143)


def main(argv=None):
    a = parse_args(argv)
    if a.list_moments:
        sys.stdout.write(moment_list_text(a.markdown))
        return 0
    exe = find_stampede(a.stampede)
    if not os.access(exe, os.X_OK):
        print(f"error: the stampede binary {exe} is not there: build it (tools/build.sh) or pass --stampede EXE",
              file=sys.stderr)
        return 2
    problems, params, specs, resolved, dates, config = check_all(a, exe)
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return 2
    os.makedirs(a.output, exist_ok=True)
    config_path = os.path.join(a.output, CONFIG_FILE)
    if not os.path.exists(config_path):
        with open(config_path + ".tmp", "w") as fh:
            json.dump(config, fh, indent=1)
            fh.write("\n")
        os.replace(config_path + ".tmp", config_path)
    signal.signal(signal.SIGTERM, on_sigterm)
    real = measures.load_real(measures.REAL_CSV)
    ev = Evaluator(exe, a.scenario, a.set, specs, dates, a.output, jobs_for(a), a.keep_logs, real, a.quiet)
    try:
        evals, stopped = run_search(a, params, specs, ev)
        finite = [e for e in evals if math.isfinite(e["loss"])]
        if not finite:
            print(f"error: no evaluation gave a loss: {evals[-1]['error'] if evals else 'none ran'}", file=sys.stderr)
            return 1
        best = min(finite, key=lambda e: (e["loss"], e["index"]))
        fresh_seeds = list(range(a.seeds + 1, 2 * a.seeds + 1))
        progress(a, f"best #{best['index']}: runs on the fresh seeds {fresh_seeds[0]}..{fresh_seeds[-1]}")
        records = ev.evaluate([best["values"]], fresh_seeds)
        fresh_loss, fresh_means, fresh_err = loss_of(specs, [records[(0, s)] for s in fresh_seeds], a.loss)
    except Interrupted as e:
        print(f"stampede calibrate: interrupted; the same command resumes from {a.output}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print(f"stampede calibrate: interrupted; the same command resumes from {a.output}", file=sys.stderr)
        return 130
    fresh = {"seeds": fresh_seeds, "loss": fresh_loss, "means": fresh_means, "error": fresh_err}
    text = write_outputs(a, params, specs, evals, best, fresh, stopped)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
