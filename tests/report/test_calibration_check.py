#!/usr/bin/env python3
"""tools/calibration_check.py: its pure functions on tiny synthetic arrays, then the tool on small
real run logs (feb2024 with fewer stocks and agents, 25 days: 2 January to 5 February): exit 0,
every target named, the microcap trough equal to a direct h5py computation, one CSV row per run,
sweep directories and --paired, a log with parts missing read as n/a, and exit 2 naming the file
for input that is not a run log.

Usage (from ctest): test_calibration_check.py STAMPEDE_EXE WORKDIR
"""
import csv
import importlib.util
import math
import os
import shutil
import sys
import time
import tomllib

import h5py
import numpy as np

from run_helpers import PY, run, set_args

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "tools", "calibration_check.py")

# Small and fast: 25 days of 5-minute steps, fewer stocks and agents, every agent class present.
SMALL = {"days": 25, "session.step_minutes": 5, "stocks.microcaps": 60, "stocks.index_constituents": 30,
         "stocks.large_caps": 4, "indices.microcap_members": 40, "noise_traders.count": 1000,
         "retail.count": 1000, "snowball.issuers": 1, "snowball.notes_per_issuer": 100,
         "dma.accounts": 12, "neutral_funds.count": 6, "index_enhanced.count": 4}


def load_tool():
    spec = importlib.util.spec_from_file_location("calibration_check", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def close(a, b, tol=1e-12):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol


def unit_checks(cc):
    # Max drawdown: from the running peak, start included; clipped at -100%; NaN skipped.
    assert close(cc.max_drawdown([100, 120, 90, 130, 65]), -0.5)
    assert close(cc.max_drawdown([100, 110, 120]), 0.0)
    assert close(cc.max_drawdown([100, 50, -20]), -1.0), "a wiped-out account reads -100%"
    assert close(cc.max_drawdown([100, np.nan, 80]), -0.2)
    assert math.isnan(cc.max_drawdown([])) and math.isnan(cc.max_drawdown([np.nan]))
    # Worst k-day return: over k steps, shorter windows at the start; can be positive.
    assert close(cc.worst_k_return([100, 90, 80, 70, 100, 95], 3), -0.3)
    assert close(cc.worst_k_return([100, 90, 80, 70, 100, 95], 1), -0.125)
    assert close(cc.worst_k_return([100, 95], 3), -0.05)
    assert close(cc.worst_k_return([100, 101, 102, 103, 104], 3), 0.01)
    assert math.isnan(cc.worst_k_return([100], 3))
    # Longest run of consecutive limit-down closes, per stock ([day, stock]).
    locks = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [1, 1, 0], [1, 1, 0], [1, 1, 0]])
    assert list(cc.longest_true_run(locks)) == [3, 5, 0]
    assert list(cc.longest_true_run(np.zeros((0, 2)))) == [0, 0]
    # The last step of each day; a day with no step gives -1.
    assert list(cc.last_step_of_days([0, 0, 1, 1, 1, 3], [0, 1, 2, 3])) == [1, 4, -1, 5]
    assert list(cc.last_step_of_days([], [0, 1])) == [-1, -1]
    # Main contract: most open interest at the close; ties and NaN rows go to the front.
    oi = np.array([[5, 3], [3, 5], [4, 4], [0, 0], [np.nan, 2]], float)
    assert list(cc.main_contract_slots(oi)) == [0, 1, 0, 0, 1]
    # NAV per unit: a redemption request is not a loss; NaN keeps the level; zero stays zero.
    u = cc.per_unit_nav([100, 95, 90, np.nan, 45, 0, 10], [0, 5, 0, 0, 0, 0, 0])
    assert np.allclose(u, [1, 1, 90 / 95, 90 / 95, 45 / 95, 0, 0]), u
    assert math.isnan(cc.per_unit_nav([np.nan, 100], None)[0]) and cc.per_unit_nav([np.nan, 100], None)[1] == 1
    # Paired counterfactuals: medians over the seeds both sides have.
    base = [{"seed": s, "microcap_max_drawdown": d, "hedged_max_drawdown": -0.1} for s, d in ((1, -0.4), (2, -0.5), (3, -0.3))]
    cf = [{"seed": s, "microcap_max_drawdown": d, "hedged_max_drawdown": -0.2} for s, d in ((1, -0.1), (2, -0.3), (9, -0.9))]
    p = cc.paired_rows("no_dma", base, cf)
    assert p["unmatched"] == 1 and close(p["median_base"], -0.45) and close(p["median_cf"], -0.2) and p["verdict"] is True
    assert cc.paired_rows("regulator_early", base, [{"seed": 1, "microcap_max_drawdown": -0.35}])["verdict"] is False
    assert cc.paired_rows("no_national_team", base, cf)["verdict"] is True
    assert isinstance(cc.paired_rows("unknown_cf", base, cf)["verdict"], cc.NA)


def tool(*args, expect=0):
    return run([PY, TOOL, *args], expect)


def stampede_run(exe, out, seed=None, **over):
    args = [exe, "run", "-q", "-o", out, "--threads", "1"]
    if seed is not None:
        args += ["--seed", str(seed)]
    run(args + set_args({**SMALL, **over}))


def direct_trough(path):
    """Microcap start-to-trough straight from the log: the start level is indices.microcap_base of
    the resolved scenario (the engine's own start: summary_microcap_return agrees)."""
    with h5py.File(path, "r") as f:
        closes = f["market/index/microcap_close"][:]
        start = tomllib.loads(f["meta/scenario_resolved"].asstr()[()])["indices"]["microcap_base"]
        assert abs(closes[-1] / start - 1 - f.attrs["summary_microcap_return"]) < 1e-9
        dates = f["date"].asstr()[:]
        return closes.min() / start - 1, dates[int(np.argmin(closes))], int(f.attrs["seed"])


def block(stdout, title):
    """Lines of one target's block in the text output."""
    lines = stdout.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith(title))
    out = []
    for line in lines[i + 1:]:
        if not line.startswith("  "):
            break
        out.append(line)
    return out


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)
    t0 = time.time()
    cc = load_tool()
    unit_checks(cc)

    # Two runs of a small feb2024 in a sweep-like directory, and a no-DMA run with the first seed.
    os.makedirs("sw")
    stampede_run(exe, "sw/run_a.h5")
    stampede_run(exe, "sw/run_b.h5", seed=7)
    stampede_run(exe, "nodma.h5", **{"dma.accounts": 0})

    r = tool("sw", "--paired", "no_dma=nodma.h5", "--csv", "out.csv")
    out = r.stdout
    assert "Traceback" not in r.stderr, r.stderr
    for t in cc.FEB_TARGETS:
        assert f"[{t.group}] {t.name}: target {t.wanted}" in out, f"target {t.name!r} missing:\n{out}"
    assert out.count("runs meet it") == len(cc.FEB_TARGETS)
    assert "[counterfactuals]" in out and "no_dma" in out
    if os.path.exists(cc.REAL_CSV):   # scenarios/data/china_index_closes_2023_2024.csv
        assert "[daily returns] microcap index" in out and "corr. with real" in out
        assert "-21.3% (to 2024-01-31) (meets it)" in out, "the real January return of the microcap index"

    # The trough the tool prints is the one h5py gives.
    rows = list(csv.DictReader(open("out.csv", newline="")))
    main_rows = [x for x in rows if x["role"] == "main"]
    assert len(main_rows) == 2 and len([x for x in rows if x["role"] == "no_dma"]) == 1, rows
    lines = block(out, "[microcap index] start to trough")
    for path in ("sw/run_a.h5", "sw/run_b.h5"):
        trough, date, seed = direct_trough(path)
        row = next(x for x in main_rows if x["file"].endswith(os.path.basename(path)))
        assert int(row["seed"]) == seed and row["microcap_trough_date"] == date
        assert abs(float(row["microcap_trough_return"]) - trough) < 1e-12, (row["microcap_trough_return"], trough)
        line = next(x for x in lines if f"seed {seed} " in x)
        assert f"{trough * 100:+.1f}%" in line, (line, trough)
        assert row["meets: microcap index: start to trough"] == str(int(-0.55 <= trough <= -0.35))
    # 25 days end on 5 February: targets whose window is not over read n/a with the reason.
    assert any("n/a (the run ends on 2024-02-05, before 2024-02-08)" in x for x in block(out, "[microcap index] trough date"))
    assert all("n/a" in x for x in block(out, "[basis] trough")[1:3])

    # Markdown.
    md = tool("sw/run_a.h5", "--markdown").stdout
    assert "| target | wanted | real | run 1 | runs meeting it |" in md and "**products**" in md

    # A log with parts missing: n/a with the reason, no traceback, exit 0.
    shutil.copy("sw/run_a.h5", "partial.h5")
    with h5py.File("partial.h5", "r+") as f:
        for path in ("agents", "market/futures", "events"):
            del f[path]
        f.attrs["complete"] = 0
    r = tool("partial.h5")
    assert "n/a (no /market/futures/basis_annualised in the log)" in r.stdout, r.stdout
    assert "n/a (no /agents/daily/equity in the log)" in r.stdout and "INCOMPLETE" in r.stdout

    # calm2023 targets on a feb2024 log: every calm target named, n/a for the window.
    r = tool("--calm", "sw/run_a.h5")
    for t in cc.CALM_TARGETS:
        assert f"[{t.group}] {t.name}: target {t.wanted}" in r.stdout
    assert "outside calm2023's" in r.stdout

    # Input that is not a run log: exit 2, one message naming the file.
    with open("notes.txt", "w") as fh:
        fh.write("not hdf5\n")
    with h5py.File("other.h5", "w") as f:
        f.attrs["schema"] = "something-else/1"
    os.makedirs("empty")
    for bad in ("missing.h5", "notes.txt", "other.h5", "empty"):
        r = tool("sw/run_a.h5", bad, expect=2)
        assert bad in r.stderr and "Traceback" not in r.stderr, r.stderr
    r = tool("sw", "--paired", "no_dma=missing_dir", expect=2)
    assert "missing_dir" in r.stderr

    print(f"ok ({time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
