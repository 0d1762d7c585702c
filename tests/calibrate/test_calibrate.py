#!/usr/bin/env python3
"""stampede calibrate on a quiet small world: it recovers two known keys from synthetic targets
(made from runs at those keys), a rerun resumes without a run and gives byte-identical outputs at
another -j, a rerun with other arguments and bad input are refused (exit 2, every problem named,
nothing written).

Usage (from ctest): test_calibrate.py STAMPEDE_EXE WORKDIR
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from calibration import measures, moments  # noqa: E402
from calibration.evaluate import loss_of  # noqa: E402
from calibration.inputs import trading_dates  # noqa: E402
from calibration.moment_targets import read_targets  # noqa: E402

SCENARIO = os.path.join(ROOT, "scenarios", "feb2024.toml")
# A quiet world: no crowded books, no snowballs, no state buyer, so the indices follow the factors
# (the size drift moves microcaps, the constituents' size loading moves the hedged index) with
# little noise from the trading around them. A run takes about a second.
QUIET = {"days": "10", "session.step_minutes": "30", "stocks.microcaps": "40", "stocks.index_constituents": "20",
         "stocks.large_caps": "2", "indices.microcap_members": "20", "noise_traders.count": "100",
         "retail.count": "100", "dma.accounts": "0", "snowball.issuers": "0", "neutral_funds.count": "0",
         "index_enhanced.count": "0", "value_investors.count": "0", "margin_investors.count": "0",
         "national_team.budget_yuan": "0"}
SETS = [a for k, v in QUIET.items() for a in ("--set", f"{k}={v}")]
TRUTH = {"fundamentals.size_drift_annual": -1.5, "fundamentals.size_loading_constituent": 0.7}
# Recovered within these of the truth (bounds: 1.5 and 1.2 wide).
RECOVERY_TOLERANCE = {"fundamentals.size_drift_annual": 0.25, "fundamentals.size_loading_constituent": 0.15}
PARAMS = ["--param", "fundamentals.size_drift_annual=-2:-0.5", "--param", "fundamentals.size_loading_constituent=0:1.2"]
SEEDS = 2
OUTPUTS = ("best.toml", "evaluations.csv", "moments.csv", "result.txt", "loss.png", "calibration.json")


def run(*cmd, expect=0):
    r = subprocess.run(list(cmd), capture_output=True, text=True)
    assert r.returncode == expect, f"{cmd}: exit {r.returncode}, expected {expect}\n{r.stdout}\n{r.stderr}"
    return r


def synthetic_targets(exe):
    """Moments of runs at TRUTH on the seeds the calibration uses, as a targets file."""
    labels = [("microcap_return", None), ("hedged_return", None)]
    means = {n: 0.0 for n, _ in labels}
    for seed in range(1, SEEDS + 1):
        log = f"truth_{seed}.h5"
        run(exe, "run", SCENARIO, *SETS, *[a for k, v in TRUTH.items() for a in ("--set", f"{k}={v}")],
            "--seed", str(seed), "-q", "-o", log)
        L = measures.read_log(log)
        for n, w in labels:
            means[n] += moments.compute(L, n, w, None) / SEEDS
    with open("targets.toml", "w") as fh:
        for n, _ in labels:
            fh.write(f"[[moment]]\nname = \"{n}\"\ntarget = {means[n]!r}\ntolerance = 0.004\n\n")
    return means


def best_values(path):
    out = {}
    for line in open(path):
        if "=" in line and not line.startswith(("#", "base")):
            k, v = line.split("=")
            out[k.strip()] = float(v)
    return out


def test_recovery_and_resume(exe):
    t0 = time.time()
    synthetic_targets(exe)
    cmd = [exe, "calibrate", SCENARIO, "--targets", "targets.toml", *PARAMS, *SETS, "--seeds", str(SEEDS),
           "--budget", "20", "-q"]
    # SIGTERM (a scheduler ending the job) part-way: exit 143, the finished runs saved.
    p = subprocess.Popen(cmd + ["-j", "2", "-o", "cal"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while p.poll() is None and len([f for f in os.listdir("cal/runs") if f.endswith(".json")]
                                   if os.path.isdir("cal/runs") else []) < 4:
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate()
    assert p.returncode == 143 and "interrupted; the same command resumes from cal" in err, (p.returncode, err)
    saved_before = len([f for f in os.listdir("cal/runs") if f.endswith(".json")])
    # The same command finishes it.
    r = run(*cmd, "-j", "2", "-o", "cal")
    took = time.time() - t0
    print(r.stdout)
    best = best_values("cal/best.toml")
    for k, truth in TRUTH.items():
        assert abs(best[k] - truth) <= RECOVERY_TOLERANCE[k], f"{k}: {best[k]}, the truth {truth}\n{r.stdout}"
    assert "moment coverage ratio (within tolerance): 2/2 (100%) on seeds 1..2" in r.stdout, r.stdout
    assert open("cal/best.toml").read().count('base = "') == 1
    rows = open("cal/evaluations.csv").read().splitlines()
    assert len(rows) == 1 + 20 or "converged" in r.stdout, rows
    # best.toml is a scenario that builds on the input with only the fitted keys.
    d = run(exe, "check", "cal/best.toml", "--diff").stdout
    base_part = d.split("differ from its base")[1]
    assert sorted(ln.split()[0] for ln in base_part.splitlines()[1:] if ln.strip()) == sorted(TRUTH), d
    assert os.path.getsize("cal/loss.png") > 1000 and open("cal/loss.png", "rb").read(4) == b"\x89PNG"

    # Resume: the same command at another -j makes no run and writes the same files, byte for byte.
    saved = {f: open(os.path.join("cal", f), "rb").read() for f in OUTPUTS}
    runs_before = sorted(os.listdir("cal/runs"))
    mtimes = {f: os.path.getmtime(os.path.join("cal/runs", f)) for f in runs_before}
    r2 = subprocess.run(cmd[:-1] + ["-j", "1", "-o", "cal"], capture_output=True, text=True)
    assert r2.returncode == 0, r2.stderr
    assert "0 runs made" in r2.stderr and "runs made, 0 reused" not in r2.stderr, r2.stderr
    assert saved_before >= 4 and len([f for f in runs_before if f.endswith(".json")]) > saved_before
    assert sorted(os.listdir("cal/runs")) == runs_before
    assert all(os.path.getmtime(os.path.join("cal/runs", f)) == t for f, t in mtimes.items())
    for f in OUTPUTS:
        assert open(os.path.join("cal", f), "rb").read() == saved[f], f"{f} differs after the resume"
    assert r2.stdout == r.stdout

    # An interrupted calibration resumes from the runs it finished: drop the outputs and three
    # runs, rerun: those three run again, the same result.
    for f in OUTPUTS[:-1]:
        os.remove(os.path.join("cal", f))
    for f in runs_before[-3:]:
        os.remove(os.path.join("cal/runs", f))
    r3 = run(*cmd, "-j", "2", "-o", "cal")
    assert r3.stdout == r.stdout
    for f in OUTPUTS:
        assert open(os.path.join("cal", f), "rb").read() == saved[f], f"{f} differs after resuming 3 runs"

    # Other arguments on the same directory: refused, nothing changed.
    r4 = run(exe, "calibrate", SCENARIO, "--targets", "targets.toml", "--param",
             "fundamentals.size_drift_annual=-2:0", "--param", "fundamentals.size_loading_constituent=0:1.2", *SETS,
             "--seeds", str(SEEDS), "-o", "cal", expect=2)
    assert "another params" in r4.stderr and "name a new -o directory" in r4.stderr, r4.stderr
    r5 = run(*cmd, "--loss", "per-seed", "-o", "cal", expect=2)
    assert "another loss" in r5.stderr, r5.stderr
    print(f"recovery + resume: {took:.1f} s for the calibration")


def test_bad_input(exe):
    with open("bad_targets.toml", "w") as fh:
        fh.write('[[moment]]\nname = "microcap_retrun"\ntarget = -0.1\ntolerance = 0.01\n\n'
                 '[[moment]]\nname = "basis_trough_date"\nwindow = ["2024-01-02", "2024-03-01"]\n'
                 'target = "2024-02-30"\ntolerance = -1\nwieght = 2\n')
    r = run(exe, "calibrate", SCENARIO, "--targets", "bad_targets.toml", *SETS,
            "--param", "fundamentals.size_drift_annual=-5:0", "--param", "fundamentals.size_loading_constituent=1:0",
            "--param", "fundamentals.no_such_key=0:1", "--param", "stocks.microcaps=1:2", "-o", "bad", expect=2)
    err = r.stderr
    for needed in ("bad_targets.toml:2: unknown moment 'microcap_retrun' (did you mean 'microcap_return'?)",
                   "bad_targets.toml:8: window 2024-01-02..2024-03-01 is not inside the run's trading days",
                   "bad_targets.toml:9: basis_trough_date is a date",
                   "bad_targets.toml:10: tolerance must be a number > 0",
                   "bad_targets.toml:11: unknown key 'wieght' in a [[moment]] (did you mean 'weight'?)",
                   "--param fundamentals.size_drift_annual=-5:0: low bound: key 'fundamentals.size_drift_annual': -5 "
                   "is out of range, allowed -2..2",
                   "--param fundamentals.size_loading_constituent=1:0: the low bound must be below the high bound",
                   "--param fundamentals.no_such_key=0:1: unknown key 'fundamentals.no_such_key'",
                   "--param stocks.microcaps=1:2: key 'stocks.microcaps' is also set by --set"):
        assert needed in err, f"missing: {needed}\n{err}"
    assert all(ln.startswith("error: ") for ln in err.splitlines()), err
    assert not os.path.exists("bad")
    with open("broken.toml", "w") as fh:
        fh.write('[[moment]]\nname = "hedged_return"\ntarget = [\n')
    r = run(exe, "calibrate", SCENARIO, "--targets", "broken.toml", *PARAMS, "-o", "bad", expect=2)
    assert "broken.toml:3: not valid TOML" in r.stderr, r.stderr
    r = run(exe, "calibrate", "nosuch.toml", "--targets", "nosuch_targets.toml", *PARAMS, "--seeds", "0", "-o", "bad",
            expect=2)
    for needed in ("nosuch.toml", "nosuch_targets.toml: cannot read the targets file", "--seeds 0"):
        assert needed in r.stderr, r.stderr
    r = run(exe, "calibrate", "--targets", "targets.toml", expect=2)
    assert "SCENARIO" in r.stderr and "-o DIR" in r.stderr, r.stderr
    r = run(exe, "calibrate", SCENARIO, "--budjet", "3", expect=2)
    assert "unknown option '--budjet' (did you mean '--budget'?)" in r.stderr, r.stderr
    assert not os.path.exists("bad")


def test_per_seed_loss_charges_seeds_that_disagree(exe):
    """Two candidates with the same mean: one whose seeds all land on the target, one whose seeds
    split between a spiral and a calm month. The mean loss cannot tell them apart; the per-seed
    loss is the mean loss plus the spread (in tolerances), so it ranks the split one worse."""
    spec = types.SimpleNamespace(label="microcap_return", target=-0.2, tolerance=0.05, weight=1.0)
    def records(values):
        return [{"seed": k + 1, "moments": {spec.label: v}} for k, v in enumerate(values)]
    steady, split = records([-0.2, -0.2, -0.2, -0.2]), records([-0.05, -0.05, -0.35, -0.35])
    assert loss_of([spec], steady)[0] == 0 and abs(loss_of([spec], split)[0]) < 1e-12
    assert loss_of([spec], steady, "per-seed")[0] == 0
    assert abs(loss_of([spec], split, "per-seed")[0] - 9.0) < 1e-9   # each seed 3 tolerances off
    failed = records([-0.2]) + [{"seed": 2, "error": "exit 1: boom"}]
    assert loss_of([spec], failed, "per-seed")[0] == float("inf")


def test_moment_list_in_docs(exe):
    """Every moment of the one declaration is in docs/calibrate.md's table, and nothing else is."""
    listed = run(exe, "calibrate", "--list-moments").stdout.split()
    doc = open(os.path.join(ROOT, "docs", "calibrate.md")).read()
    section = doc.split("\n## The moments\n", 1)[1].split("\n## ", 1)[0]
    in_doc = [ln.split("`")[1] for ln in section.splitlines() if ln.startswith("| `")]
    assert in_doc == list(moments.MOMENTS), (set(in_doc) ^ set(moments.MOMENTS), "regenerate the table with "
                                             "tools/calibrate.py --list-moments --markdown")
    assert all(m in listed for m in moments.MOMENTS)
    # The targets file example of the page reads without a problem on feb2024's trading days.
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    with open("doc_targets.toml", "w") as fh:
        fh.write(example)
    resolved = tomllib.loads(run(exe, "check", SCENARIO).stdout)
    specs = read_targets("doc_targets.toml", trading_dates(resolved))
    assert [s.name for s in specs] == ["microcap_return", "microcap_worst_day_date"], specs
    # So do the targets files shipped in scenarios/targets/, on feb2024 stopped at January's end.
    january = trading_dates(dict(resolved, days=22))
    shipped = sorted(glob.glob(os.path.join(ROOT, "scenarios", "targets", "*.toml")))
    assert shipped
    for path in shipped:
        assert read_targets(path, january), path


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)
    for test in (test_per_seed_loss_charges_seeds_that_disagree, test_moment_list_in_docs, test_bad_input,
                 test_recovery_and_resume):
        t = time.time()
        test(exe)
        print(f"{test.__name__}: ok ({time.time() - t:.1f} s)")


if __name__ == "__main__":
    main()
