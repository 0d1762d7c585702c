#!/usr/bin/env python3
"""One writer per output (issue 21, item 1): two sweeps on one directory, a resubmitted Slurm shard,
two runs on one log; the second writer is refused at once (exit 75) with one line naming the
holder, and a lock left by a killed process is taken over (with its working copies removed).

Usage (from ctest): test_sweep_locks.py STAMPEDE_EXE WORKDIR
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from small_world_args import NO_DRIVER, SMALL_WORLD  # noqa: E402

SMALL = SMALL_WORLD + NO_DRIVER + ["--set", "days=2", "-q"]
GRID = ["--grid", "retail.orders_per_day=1,2,3"]
BUSY = 75   # EX_TEMPFAIL


def sweep(exe, d, *extra):
    return [exe, "sweep", *GRID, "-j", "1", "-o", d, *SMALL, *extra]


def wait_for(pred, proc, what, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        assert proc.poll() is None, f"ended before {what}: exit {proc.returncode}\n{proc.stderr.read() if proc.stderr else ''}"
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def held_by(path, proc):
    """The lock file names `proc` (a file a killed process left may name another)."""
    def check():
        try:
            with open(path) as f:
                return f"pid {proc.pid}," in f.read()
        except OSError:
            return False
    return check


def refused(r, pid, what, started):
    secs = time.monotonic() - started
    assert r.returncode == BUSY, f"{what}: exit {r.returncode}, expected {BUSY}\nstdout: {r.stdout}\nstderr: {r.stderr}"
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, f"{what}: expected one line, got\n{r.stderr}"
    line = lines[0]
    assert line.startswith("error: ") and "in use by" in line, line
    assert f"pid {pid}," in line and "host " in line and "started " in line, line
    assert secs < 20, f"{what}: refused after {secs:.1f} s, not at once"
    print(f"{what}: refused in {secs:.2f} s: {line}")


def statuses(d):
    with h5py.File(os.path.join(d, "summary.h5"), "r") as f:
        return [s.decode() for s in f["runs"]["status"]]


def test_two_sweeps_one_dir(exe, work):
    d = os.path.join(work, "two")
    shutil.rmtree(d, ignore_errors=True)
    a = subprocess.Popen(sweep(exe, d), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(held_by(os.path.join(d, ".stampede-sweep.lock"), a), a, "the first sweep's lock")
        os.kill(a.pid, signal.SIGSTOP)   # holds the lock as long as the test needs
        t0 = time.monotonic()
        refused(subprocess.run(sweep(exe, d), capture_output=True, text=True), a.pid, "second sweep", t0)
        t0 = time.monotonic()
        refused(subprocess.run(sweep(exe, d, "--shard", "1/2"), capture_output=True, text=True), a.pid,
                "a shard beside a whole sweep", t0)
    finally:
        os.kill(a.pid, signal.SIGCONT)
    out, err = a.communicate(timeout=300)
    assert a.returncode == 0, f"the first sweep failed: {a.returncode}\n{err}"
    assert statuses(d) == ["ok"] * 3, statuses(d)

    # Started together (the 9-of-9 failure): at most one is refused, and no run fails.
    d2 = os.path.join(work, "together")
    shutil.rmtree(d2, ignore_errors=True)
    procs = [subprocess.Popen(sweep(exe, d2), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(*p.communicate(timeout=300), p.returncode) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes in ([0, 0], [0, BUSY]), f"exit codes {codes}: {results}"
    assert statuses(d2) == ["ok"] * 3, statuses(d2)
    print(f"two sweeps started together: exit codes {codes}, 3 of 3 runs ok")


def test_resubmitted_shard(exe, work):
    d = os.path.join(work, "shards")
    shutil.rmtree(d, ignore_errors=True)
    s0 = subprocess.Popen(sweep(exe, d, "--shard", "0/2"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(held_by(os.path.join(d, ".stampede-shard-0-of-2.lock"), s0), s0, "shard 0/2's lock")
        os.kill(s0.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        refused(subprocess.run(sweep(exe, d, "--shard", "0/2"), capture_output=True, text=True), s0.pid,
                "resubmitted shard 0/2", t0)
        # The environment Slurm sets for an array task gives the same shard.
        env = dict(os.environ, SLURM_ARRAY_TASK_ID="0", SLURM_ARRAY_TASK_COUNT="2")
        t0 = time.monotonic()
        refused(subprocess.run(sweep(exe, d), capture_output=True, text=True, env=env), s0.pid,
                "resubmitted Slurm array task 0", t0)
        t0 = time.monotonic()
        r = subprocess.run(sweep(exe, d), capture_output=True, text=True)
        refused(r, s0.pid, "a whole sweep beside a running shard", t0)
        assert "shard 0/2" in r.stderr, r.stderr
        other = subprocess.run(sweep(exe, d, "--shard", "1/2"), capture_output=True, text=True, timeout=300)
        assert other.returncode == 0, f"shard 1/2 beside shard 0/2: exit {other.returncode}\n{other.stderr}"
    finally:
        os.kill(s0.pid, signal.SIGCONT)
    out, err = s0.communicate(timeout=300)
    assert s0.returncode == 0, err
    m = subprocess.run([exe, "merge", d], capture_output=True, text=True)
    assert m.returncode == 0, m.stderr
    assert statuses(d) == ["ok"] * 3, statuses(d)
    print("resubmitted shard: refused while the first runs; shard 1/2 ran beside it; merge: 3 of 3 ok")


def test_stale_locks_taken_over(exe, work):
    d = os.path.join(work, "stale")
    shutil.rmtree(d, ignore_errors=True)
    a = subprocess.Popen(sweep(exe, d, "--set", "days=40"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Killed once one run is published and the next has its working copy open: waiting for the
    # published log alone raced with the next run's start (no working copy yet, nothing to test).
    wait_for(lambda: glob.glob(os.path.join(d, "run_*.h5")) and glob.glob(os.path.join(d, ".run_*.h5.tmp")), a,
             "a published run log and the next run's working copy")
    os.kill(a.pid, signal.SIGKILL)
    a.communicate()
    tmps = glob.glob(os.path.join(d, ".run_*.h5.tmp"))
    assert tmps, "the killed run left no working copy (nothing to test)"
    r = subprocess.run(sweep(exe, d), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"taking over from a sweep that is gone (host " in r.stderr and f"pid {a.pid}," in r.stderr, r.stderr
    assert "working copies left by killed runs" in r.stderr, r.stderr
    assert not glob.glob(os.path.join(d, ".run_*.h5.tmp")), "stale working copies left"
    assert not glob.glob(os.path.join(d, ".run_*.h5.lock")), "run log locks left after a clean sweep"
    assert statuses(d) == ["ok"] * 3, statuses(d)
    print(f"stale sweep lock of killed pid {a.pid} taken over; {len(tmps)} working copies removed")


def test_two_runs_one_log(exe, work):
    out = os.path.join(work, "one.h5")
    run = [exe, "run", "-o", out, *SMALL[:-1], "--set", "days=60", "-q"]
    a = subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = os.path.join(work, ".one.h5.lock")
    wait_for(held_by(lock, a), a, "the first run's lock")
    os.kill(a.pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        refused(subprocess.run(run, capture_output=True, text=True), a.pid, "second run on one log", t0)
    finally:
        os.kill(a.pid, signal.SIGKILL)
        a.communicate()
    # The dead run's lock file is free: the next run takes it over and says whose it was.
    r = subprocess.run([exe, "run", "-o", out, *SMALL], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    # Its working copy is removed first (by taking its lock), or its lock is taken over: either
    # way the note names the dead process.
    assert ("is gone (host " in r.stderr or "killed runs left" in r.stderr) and f"pid {a.pid}," in r.stderr, r.stderr
    if os.path.exists(lock):
        raise AssertionError("the run log's lock file outlived a clean run")
    assert not os.path.exists(os.path.join(work, ".one.h5.tmp")), "working copy left after a clean run"
    print("two runs on one log: the second refused; the killed one's lock taken over")

    # A killed run whose log is never made again: the next run into the directory removes its
    # working copy (it takes that log's lock first, so a live writer's is never touched).
    killed = os.path.join(work, "killed.h5")
    k = subprocess.Popen([exe, "run", "-o", killed, *SMALL[:-1], "--set", "days=60", "-q"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    wait_for(lambda: os.path.exists(os.path.join(work, ".killed.h5.tmp")) and os.path.exists(killed), k,
             "the killed run's first publish")
    k.kill()
    k.communicate()
    assert os.path.exists(os.path.join(work, ".killed.h5.tmp"))
    r = subprocess.run([exe, "run", "-o", os.path.join(work, "other.h5"), *SMALL], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "removed 1 working copy that killed runs left" in r.stderr and f"pid {k.pid}," in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(work, ".killed.h5.tmp"))
    print("a killed run's working copy removed by the next run in its directory")


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)   # nothing of an earlier run may pass for this one's
    os.makedirs(work)
    test_two_sweeps_one_dir(exe, work)
    test_resubmitted_shard(exe, work)
    test_stale_locks_taken_over(exe, work)
    test_two_runs_one_log(exe, work)
    print("ok")


if __name__ == "__main__":
    main()
