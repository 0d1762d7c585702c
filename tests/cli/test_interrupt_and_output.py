#!/usr/bin/env python3
"""SIGINT / SIGTERM stop a run (and a sweep) cleanly at the end of a step; output problems are found
before any work starts; a full disk ends a run at once with a clear error and a log of the days written before it.

Usage (from ctest): test_interrupt_and_output.py STAMPEDE_EXE WORKDIR
"""
import os

# Polls run logs while they are written (the writer holds an HDF5 file lock): read without locking.
os.environ["HDF5_USE_FILE_LOCKING"] = "FALSE"

import re
import resource
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from small_world_args import SMALL_WORLD  # noqa: E402

SMALL = SMALL_WORLD + ["--threads", "1"]


def wait_for_days(path, days, proc, timeout=60.0):
    """Waits until the run log at `path` holds `days` days (the writer flushes after each day)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, f"the run ended before it was interrupted: {proc.returncode}"
        try:
            with h5py.File(path, "r") as f:
                if f["day"].shape[0] >= days:
                    return
        except (OSError, KeyError):
            pass   # not created yet, or caught between two flushes
        time.sleep(0.02)
    raise AssertionError(f"{path} did not reach {days} days in {timeout} s")


def interrupted_run(exe, work, sig, name):
    out = os.path.join(work, name)
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.Popen([exe, "run", "-q", "-o", out, "--set", "days=250", "--set", "fundamentals.market_driver=", *SMALL], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    wait_for_days(out, 2, p)
    p.send_signal(sig)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 128 + sig, f"{name}: exit {p.returncode}, expected {128 + sig}\n{stderr}"
    assert "interrupted by " + ("SIGINT" if sig == signal.SIGINT else "SIGTERM") in stderr, stderr
    assert "incomplete" in stderr, stderr
    with h5py.File(out, "r") as f:
        a = f.attrs
        assert int(a["complete"]) == 0
        assert int(a["interrupted_signal"]) == sig
        last = int(a["interrupted_after_step"])
        steps = f["step"][()]
        # Every step done is in the log, the unfinished day's steps too; its day row is not.
        assert len(steps) == last + 1 and steps[-1] == last, (len(steps), last)
        spd = int(a["steps_per_day"])
        days = f["day"].shape[0]
        assert days >= 2 and days == len(steps) // spd, (days, len(steps), spd)
        assert int(a["interrupted_day"]) == f["day_of_step"][-1]
        assert f["market/stocks/last_price"].shape[0] == len(steps)
        assert f["market/stocks/close"].shape[0] == days
        assert days < 250
    return out


def test_signals(exe, work):
    interrupted_run(exe, work, signal.SIGINT, "sigint.h5")
    interrupted_run(exe, work, signal.SIGTERM, "sigterm.h5")
    # A second SIGINT aborts at once (the default action) if the first has not finished the stop yet;
    # either way the log opens.
    out = os.path.join(work, "twice.h5")
    p = subprocess.Popen([exe, "run", "-q", "-o", out, "--set", "days=250", "--set", "fundamentals.market_driver=", *SMALL], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    wait_for_days(out, 1, p)
    p.send_signal(signal.SIGINT)
    time.sleep(0.002)
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=60)
    assert p.returncode in (-signal.SIGINT, 130), p.returncode
    with h5py.File(out, "r") as f:
        assert int(f.attrs["complete"]) == 0


def test_sweep_interrupt_and_resume(exe, work):
    d = os.path.join(work, "sweep")
    shutil.rmtree(d, ignore_errors=True)
    # Runs of 30 days (about a second each): the interrupt lands inside the first run, not in the
    # gap between two runs (6-day runs once finished just before it).
    cmd = [exe, "sweep", "--grid", "dma.leverage=2,3,4,5", "-j", "1", "-o", d, "--set", "days=30", *SMALL[:-2]]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 60
    while not any(n.startswith("run_") for n in (os.listdir(d) if os.path.isdir(d) else [])):
        assert time.monotonic() < end and p.poll() is None, "the sweep never started a run"
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 130, f"sweep exit {p.returncode}\n{stderr}"
    assert "interrupted by SIGINT" in stderr and "resume" in stderr, stderr
    assert not os.path.exists(os.path.join(d, "summary.h5")), "an interrupted sweep wrote a summary"
    logs = [n for n in os.listdir(d) if n.endswith(".h5")]
    assert logs, "no run log at all"
    incomplete = 0
    for n in logs:
        with h5py.File(os.path.join(d, n), "r") as f:
            incomplete += int(f.attrs["complete"]) == 0
    assert incomplete >= 1, "the run in flight did not stop early"
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    with h5py.File(os.path.join(d, "summary.h5"), "r") as f:
        status = [s.decode() for s in f["runs"]["status"]]
    assert status == ["ok"] * 4, status


def expect_bad_output(exe, args, *needles):
    r = subprocess.run([exe, *args], capture_output=True, text=True)
    assert r.returncode == 2, f"{args}: exit {r.returncode}, expected 2\n{r.stderr}"
    for n in needles:
        assert n in r.stderr, f"{args}: {n!r} not in stderr:\n{r.stderr}"
    return r


def test_output_checked_first(exe, work):
    missing = os.path.join(work, "no_such_dir", "run.h5")
    expect_bad_output(exe, ["run", "-o", missing, "--set", "days=1"], "no_such_dir", "does not exist")
    assert not os.path.exists(os.path.dirname(missing))
    expect_bad_output(exe, ["run", "-o", work, "--set", "days=1"], "is a directory")
    a_file = os.path.join(work, "plain_file")
    open(a_file, "w").close()
    expect_bad_output(exe, ["run", "-o", os.path.join(a_file, "run.h5"), "--set", "days=1"], "plain_file")
    # Scenario errors and the output problem are reported together, before anything runs.
    r = expect_bad_output(exe, ["run", "-o", missing, "--set", "days=-1", "--set", "stocks.microcaps=oops"],
                          "days", "stocks.microcaps", "no_such_dir")
    assert len([l for l in r.stderr.splitlines() if l.startswith("error:")]) >= 3, r.stderr
    expect_bad_output(exe, ["sweep", "--grid", "days=1,2", "-o", os.path.join(a_file, "sweep")], "plain_file")
    if os.geteuid() != 0:   # root writes anywhere
        ro = os.path.join(work, "read_only")
        os.makedirs(ro, exist_ok=True)
        os.chmod(ro, 0o555)
        expect_bad_output(exe, ["run", "-o", os.path.join(ro, "run.h5"), "--set", "days=1"], "read_only")
        os.chmod(ro, 0o755)


def check_kept_log(path, stderr, cause):
    """A run stopped by a write error keeps what it had published: a readable log of its completed
    days, complete = 0, the error in its root attribute 'error' (on a full disk or at a file size
    limit the few kB that takes may not fit: then in PATH.error beside it, and the message says
    so); no working copy beside it."""
    m = re.search(r"keeps the (\d+) trading days? written before it", stderr)
    assert m, f"the error does not say what was kept:\n{stderr}"
    days = int(m.group(1))
    assert days >= 1, stderr
    assert "complete = 0" in stderr, stderr
    recorded = "root attribute 'error'" in stderr
    side = path + ".error"
    if not recorded:   # no room left for it in the log: beside it
        assert "the error could not be recorded in it" in stderr and f"so it is in '{side}'" in stderr, stderr
        with open(side) as f:
            assert cause in f.read()
    with h5py.File(path, "r") as f:
        assert int(f.attrs["complete"]) == 0
        assert ("error" in f.attrs) == recorded, (recorded, dict(f.attrs))
        if recorded:
            error = f.attrs["error"]
            error = error.decode() if isinstance(error, bytes) else error
            assert cause in error, error
        assert f["day"].shape[0] == days, (f["day"].shape, days)
        def read_all(name, obj):   # every dataset reads back in full
            if isinstance(obj, h5py.Dataset):
                obj[()]
        f.visititems(read_all)
        close = f["market/stocks/close"][()]
        assert close.shape[0] == days and np.isfinite(close).all()
    d, name = os.path.split(path)
    assert not os.path.exists(os.path.join(d, "." + name + ".tmp")), "the working copy was left behind"
    assert not os.path.exists(os.path.join(d, "." + name + ".lock")), "the lock file was left behind"
    return days


def test_disk_full(exe, work):
    out = os.path.join(work, "full.h5")
    for stale in (out, out + ".error"):
        if os.path.exists(stale):
            os.remove(stale)
    limit = 1024 * 1024   # bytes: the layout and a few days of this run

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    t0 = time.monotonic()
    # --force: the 250-day log does not fit the file size limit, which is the point
    r = subprocess.run([exe, "run", "-q", "-o", out, "--set", "days=250", "--set", "fundamentals.market_driver=", *SMALL, "--force"],
                       capture_output=True, text=True, preexec_fn=cap, timeout=300)
    secs = time.monotonic() - t0
    assert r.returncode == 1, f"exit {r.returncode}\n{r.stderr}"
    assert "error:" in r.stderr and out in r.stderr, r.stderr
    assert "the file size limit was reached (File too large" in r.stderr, r.stderr
    days = check_kept_log(out, r.stderr, "File too large")
    assert "microcap index" not in r.stdout, "a summary was printed for a failed run"
    print(f"file size limit: stopped after {secs:.1f} s, {days} days kept: {r.stderr.strip().splitlines()[-1][:200]}")


def test_disk_full_tmpfs(exe, work):
    """A real ENOSPC, on a small tmpfs (needs root and mount permission; skipped otherwise)."""
    mnt = os.path.join(work, "tiny_fs")
    os.makedirs(mnt, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", mnt],
                                           capture_output=True).returncode != 0:
        print("disk full on tmpfs: skipped (cannot mount a tmpfs here)")
        return
    try:
        out = os.path.join(mnt, "run.h5")
        r = subprocess.run([exe, "run", "-q", "-o", out, "--set", "days=250", "--set", "fundamentals.market_driver=", *SMALL, "--force"],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 1, f"exit {r.returncode}\n{r.stderr}"
        assert "the disk is full (No space left on device)" in r.stderr and out in r.stderr, r.stderr
        days = check_kept_log(out, r.stderr, "No space left on device")
        assert sorted(os.listdir(mnt)) in (["run.h5"], ["run.h5", "run.h5.error"]), f"left behind on the full disk: {os.listdir(mnt)}"
        print(f"disk full on tmpfs: {days} days kept: {r.stderr.strip()[:160]}")
    finally:
        subprocess.run(["umount", mnt], capture_output=True)


def test_invariants_checked_recorded(exe, work):
    """The log says whether every invariant was checked after every step, and a finished run whose
    money, shares and futures are conserved is complete."""
    # A debug or sanitizer build checks every step by default; its --version says so.
    every_step = "(invariants: every step)" in subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    for flag, expected in (([], int(every_step)), (["--check-invariants"], 1)):
        out = os.path.join(work, f"invariants{expected}.h5")
        r = subprocess.run([exe, "run", "-q", "-o", out, "--set", "days=1", *SMALL, *flag], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        with h5py.File(out, "r") as f:
            assert int(f.attrs["invariants_checked"]) == expected, (flag, f.attrs["invariants_checked"])
            assert int(f.attrs["complete"]) == 1
            assert "conservation_problems" not in f.attrs


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    test_output_checked_first(exe, work)
    test_invariants_checked_recorded(exe, work)
    test_disk_full(exe, work)
    test_disk_full_tmpfs(exe, work)
    test_signals(exe, work)
    test_sweep_interrupt_and_resume(exe, work)
    print("ok")


if __name__ == "__main__":
    main()
