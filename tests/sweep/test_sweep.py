#!/usr/bin/env python3
"""Sweeps, batches, resume, MPI, Slurm shards and merge, the phase diagram: on tiny runs.

Usage (from ctest): test_sweep.py STAMPEDE_EXE WORKDIR
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
PHASE = os.path.join(HERE, "..", "..", "tools", "phase_diagram.py")


def small_overrides(exe):
    """Overrides that make a run take a fraction of a second, for whatever agent sections exist."""
    sets = {"days": "1", "session.step_minutes": "30", "stocks.microcaps": "20", "stocks.index_constituents": "10",
            "stocks.large_caps": "2", "indices.microcap_members": "10"}
    with open("defaults.toml", "w") as f:   # every key at its default (the built-in agents' sections too)
        f.write('name = "defaults"\n')
    text = subprocess.run([exe, "check", "defaults.toml"], capture_output=True, text=True)
    if text.returncode != 0:
        return sets
    section = ""
    for line in text.stdout.splitlines():
        m = re.match(r"\[(\w+)\]", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"(count|accounts|issuers|notes_per_issuer|maturity_months)\s*=\s*(\d+)", line)
        if not m or not section:
            continue
        key, n = m.group(1), int(m.group(2))
        if key == "issuers" and n > 1:
            sets[f"{section}.{key}"] = "1"
        elif key == "maturity_months" and n > 3:   # pricing surfaces are built over the note's life
            sets[f"{section}.{key}"] = "3"
        elif key in ("count", "accounts", "notes_per_issuer") and n > 20:
            sets[f"{section}.{key}"] = "100" if n > 1000 else "10"
    return sets


def run(exe, *args, check=True, env=None):
    r = subprocess.run([exe, *args], capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise AssertionError(f"{args}: exit {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}")
    return r


def table(d):
    df = pd.DataFrame(h5py.File(os.path.join(d, "summary.h5"), "r")["runs"][:])
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].str.decode("utf-8")
    return df


def same_table(a, b, what):
    ta, tb = table(a), table(b)
    pd.testing.assert_frame_equal(ta, tb, check_exact=True, obj=what)
    ca = pd.read_csv(os.path.join(a, "summary.csv"))
    cb = pd.read_csv(os.path.join(b, "summary.csv"))
    pd.testing.assert_frame_equal(ca, cb, check_exact=True, obj=what + " (CSV)")


def mtimes(d):
    return {f: os.stat(os.path.join(d, f)).st_mtime_ns for f in os.listdir(d) if f.endswith(".h5") and f.startswith("run_")}


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)
    t0 = time.time()
    base = []
    for k, v in small_overrides(exe).items():
        base += ["--set", f"{k}={v}"]
    grid = ["--grid", "regulator.sell_cap_fraction_per_day=0.1,0.3", "--grid", "days=1:2", "--replicates", "2"]

    # Bad input: every problem listed, exit code 2, nothing written.
    r = run(exe, "sweep", "missing.toml", "--grid", "days=1,2", "-o", "bad", check=False)
    assert r.returncode == 2 and "missing.toml" in r.stderr, r.stderr
    r = run(exe, "sweep", *base, "--grid", "dayz=1,2", "--grid", "days=5:1", "--grid", "stocks.microcaps=1.5",
            "--shard", "3/2", "-o", "bad", check=False)
    assert r.returncode == 2, r.stderr
    for needle in ("dayz", "days=5:1", "stocks.microcaps=1.5", "--shard 3/2"):
        assert needle in r.stderr, f"{needle!r} not in:\n{r.stderr}"
    assert not os.path.exists("bad"), "bad input created the output directory"

    # A small sweep: 2 x 2 points x 2 replicates = 8 rows, every column there.
    r = run(exe, "sweep", *base, *grid, "-j", "2", "-o", "a")
    assert "8 runs, 0 already complete, 8 to run" in r.stderr, r.stderr
    assert re.search(r"8/8 runs done, [\d.]+ runs/min", r.stderr), r.stderr
    df = table("a")
    assert len(df) == 8, df
    assert list(df["run"]) == list(range(8))
    assert (df["status"] == "ok").all(), df[["status", "error"]]
    for col in ("run_id", "regulator.sell_cap_fraction_per_day", "days", "replicate", "seed", "status", "error",
                "microcap_max_drawdown", "microcap_worst_day", "deepest_basis_annualised", "max_limit_down"):
        assert col in df.columns, (col, list(df.columns))
    assert sorted(df["days"].unique()) == [1, 2] and sorted(df["regulator.sell_cap_fraction_per_day"].unique()) == [0.1, 0.3]
    assert df["seed"].nunique() == 8 and df["run_id"].nunique() == 8
    assert df.groupby(["regulator.sell_cap_fraction_per_day", "days"]).size().eq(2).all()
    assert np.isfinite(df["microcap_max_drawdown"]).all()
    assert len(pd.read_csv("a/summary.csv")) == 8
    for rid in df["run_id"]:
        with h5py.File(f"a/run_{rid}.h5", "r") as f:
            assert f.attrs["complete"] == 1
    # The metrics are the run's own: read back from its log.
    with h5py.File(f"a/run_{df['run_id'][3]}.h5", "r") as f:
        assert f.attrs["summary_microcap_max_drawdown"] == df["microcap_max_drawdown"][3]
        assert f.attrs["seed"] == df["seed"][3]

    # Rerunning skips every complete run and gives the same summary.
    before = mtimes("a")
    shutil.copytree("a", "a_ref")
    r = run(exe, "sweep", *base, *grid, "-j", "2", "-o", "a")
    assert "8 runs, 8 already complete, 0 to run" in r.stderr, r.stderr
    assert mtimes("a") == before, "a complete run was rerun"
    same_table("a", "a_ref", "resumed sweep")

    # A log left incomplete (complete = 0, as a killed run leaves it) and a missing log are rerun.
    ids = list(df["run_id"])
    with h5py.File(f"a/run_{ids[2]}.h5", "r+") as f:
        f.attrs["complete"] = np.int32(0)
    os.remove(f"a/run_{ids[5]}.h5")
    r = run(exe, "sweep", *base, *grid, "-j", "2", "-o", "a")
    assert "8 runs, 6 already complete, 2 to run" in r.stderr, r.stderr
    after = mtimes("a")
    assert {f for f in after if after[f] != before.get(f)} == {f"run_{ids[2]}.h5", f"run_{ids[5]}.h5"}
    same_table("a", "a_ref", "sweep after rerunning incomplete runs")

    # A process really killed mid-sweep: the rerun completes the sweep with the same summary.
    p = subprocess.Popen([exe, "sweep", *base, *grid, "-j", "1", "-o", "k"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline and not (os.path.isdir("k") and len([f for f in os.listdir("k") if f.endswith(".h5")]) >= 2):
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert not os.path.exists("k/summary.h5"), "the sweep finished before it was killed: make its runs longer"
    r = run(exe, "sweep", *base, *grid, "-j", "1", "-o", "k")
    m = re.search(r"8 runs, (\d) already complete, (\d) to run", r.stderr)
    assert m and int(m.group(2)) >= 1, r.stderr
    same_table("k", "a_ref", "sweep killed and rerun")

    # -j 1 and -j 2 give the same summary.
    run(exe, "sweep", *base, *grid, "-j", "1", "-o", "j1", "-q")
    same_table("j1", "a_ref", "-j 1 against -j 2")

    # Slurm route: shards (explicit, then from the array variables) and merge.
    r = run(exe, "sweep", *base, *grid, "--shard", "0/2", "-o", "s", "-q")
    assert "shard 0/2: 4 runs" in r.stdout and not os.path.exists("s/summary.h5"), r.stdout
    r = run(exe, "merge", "s", check=False)
    assert r.returncode == 1 and "4 missing" in r.stdout, r.stdout
    assert (table("s")["status"] == "missing").sum() == 4
    with h5py.File("s/summary.h5") as f:   # a partial summary says it is one
        assert f.attrs["complete"] == 0 and f.attrs["runs_missing"] == 4 and f.attrs["runs_planned"] == 8, dict(f.attrs)
    env = dict(os.environ, SLURM_ARRAY_TASK_ID="1", SLURM_ARRAY_TASK_COUNT="2")
    r = run(exe, "sweep", *base, *grid, "-o", "s", "-q", env=env)
    assert "shard 1/2: 4 runs" in r.stdout, r.stdout
    r = run(exe, "merge", "s")
    assert "8 ok, 0 failed, 0 missing" in r.stdout, r.stdout
    with h5py.File("s/summary.h5") as f:
        assert f.attrs["complete"] == 1 and f.attrs["runs_ok"] == 8 and f.attrs["runs_missing"] == 0, dict(f.attrs)
    same_table("s", "a_ref", "shards + merge")

    # MPI route: two ranks share the runs, rank 0 writes the summary.
    mpirun = shutil.which("mpirun")
    mpi_build = "MPI sweeps: on" in run(exe, "--version").stdout
    if mpirun and mpi_build:
        cmd = [mpirun, "-n", "2", "--oversubscribe"]
        if os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
        # OpenMPI leaks its own allocations at exit (libmpi and its dlopen'ed components, which
        # LeakSanitizer cannot name); in sanitizer builds, leaks are not checked under mpirun.
        env = dict(os.environ)
        if "LSAN_OPTIONS" in env or "ASAN_OPTIONS" in env:
            env["LSAN_OPTIONS"] = (env.get("LSAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
        r = subprocess.run(cmd + [exe, "sweep", *base, *grid, "-o", "mpi"], capture_output=True, text=True, timeout=120,
                           env=env)
        assert r.returncode == 0, f"mpirun: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
        m = re.search(r"runs made by MPI rank 0\.\.1: (\d+) (\d+)", r.stdout)
        assert m and int(m.group(1)) + int(m.group(2)) == 8, r.stdout
        same_table("mpi", "a_ref", "mpirun -n 2")
    else:
        print("MPI route not tested: " + ("this stampede was built without MPI" if mpirun else "mpirun not found"))

    # A failed run is recorded with its error; the others go on; a rerun retries it.
    os.makedirs("f")
    os.makedirs(f"f/run_{ids[1]}.h5")   # a directory where the log should go: the run cannot create it
    r = run(exe, "sweep", *base, *grid, "-o", "f", check=False)
    assert r.returncode == 1 and "1 of 8 runs failed" in r.stderr, r.stderr
    t = table("f")
    assert t["status"].tolist().count("failed") == 1 and t["status"][1] == "failed", t["status"]
    assert f"run_{ids[1]}.h5" in t["error"][1], t["error"][1]
    assert np.isnan(t["microcap_max_drawdown"][1]) and (t["status"].drop(1) == "ok").all()
    os.rmdir(f"f/run_{ids[1]}.h5")
    r = run(exe, "sweep", *base, *grid, "-o", "f")
    assert "7 already complete, 1 to run" in r.stderr, r.stderr
    same_table("f", "a_ref", "failed run retried")

    # Batch: scenarios with overrides, same machinery.
    with open("other.toml", "w") as f:
        f.write('name = "other"\n[regulator]\nsell_cap_fraction_per_day = 0.3\n')
    with open("list.txt", "w") as f:
        f.write("# scenario and overrides\n- regulator.sell_cap_fraction_per_day=0.1\n\nother.toml days=2  # a comment\n")
    r = run(exe, "batch", "list.txt", *base, "--replicates", "2", "-o", "b", "-j", "2")
    b = table("b")
    assert len(b) == 4 and (b["status"] == "ok").all(), b
    assert list(b.columns[2:5]) == ["scenario", "regulator.sell_cap_fraction_per_day", "days"], list(b.columns)
    assert b["scenario"].tolist() == ["-", "-", "other.toml", "other.toml"]
    r = run(exe, "batch", "list.txt", *base, "--replicates", "2", "-o", "b")
    assert "4 already complete, 0 to run" in r.stderr, r.stderr
    with open("badlist.txt", "w") as f:
        f.write("nosuch.toml\n- dayz=3\n- days\n")
    r = run(exe, "batch", "badlist.txt", "-o", "bb", check=False)
    assert r.returncode == 2 and all(s in r.stderr for s in ("badlist.txt:1", "badlist.txt:2", "badlist.txt:3")), r.stderr

    # Phase diagrams: one parameter (line and band), two (heatmap).
    for args, png in ((["--x", "days"], "one.png"), ([], "two.png")):
        r = subprocess.run(["/usr/bin/python3", PHASE, "a/summary.h5", *args, "--metric", "microcap_max_drawdown", "-o", png],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        import matplotlib.image as mpimg
        img = mpimg.imread(png)
        assert os.path.getsize(png) > 10000 and img.shape[0] > 200 and img.std() > 0.05, (png, os.path.getsize(png))
    r = subprocess.run(["/usr/bin/python3", PHASE, "a/summary.h5", "--metric", "nope", "-o", "x.png"], capture_output=True, text=True)
    assert r.returncode != 0 and "nope" in r.stderr

    print(f"sweep tests passed in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
