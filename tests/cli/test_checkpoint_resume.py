#!/usr/bin/env python3
"""Checkpoint and resume (issue 21, item 3). A feb2024-like small world (every agent kind, the
crash days of early February) is stopped by SIGKILL right after the checkpoint of day k is on disk
(the hidden test hook STAMPEDE_TEST_KILL_AFTER_DAY=k: `kill -9` at that moment), then continued
with `stampede run --resume`: for k = 1, the middle day and the last but one, the log must equal
the uninterrupted run's bit for bit (every dataset, /state_fingerprint included, and the summary
attributes). This file runs at 1 thread; test_checkpoint_kill.py at 2 threads and with a kill -9
from outside; test_checkpoint_refused.py gives damaged and foreign checkpoints; the helpers here
serve all three.

Usage (from ctest): test_checkpoint_resume.py STAMPEDE_EXE WORKDIR
"""
import os
import signal
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from small_world_args import SMALL_WORLD  # noqa: E402

DAYS = 8
# The small world over the crash days (the driver's data covers them), with index-enhanced funds
# too and the national team buying from day 2, so every built-in agent kind is checkpointed in a
# state other than its first (margin calls, liquidations, knock-ins, redemptions, state buying), and
# the small caps' makers share their pooled book, and the funds' managers cut their size tilt and
# size their books by the hedge's cost.
WORLD = SMALL_WORLD + ["--set", f"days={DAYS}", "--set", 'start_date="2024-01-30"', "--set", "index_enhanced.count=2",
                       "--set", "national_team.from_day=2", "--set", "national_team.trigger_drawdown=0.03",
                       "--set", "liquidity_providers.segment_skew_pct=50", "--set", "neutral_funds.style_cut_drawdown=0.01",
                       "--set", "dma.style_cut_drawdown=0.01", "--set", "neutral_funds.hedge_cost_cut_slope=2",
                       "--set", "dma.hedge_cost_cut_slope=2", "--set", "dma.hedge_cost_cut_from=0.05"]
# Root attributes that differ between any two runs of one scenario (time, threads, the host).
VOLATILE = {"wall_time_seconds", "writer_cpu_seconds", "created_utc", "threads"}


def run(exe, out, threads, *extra, kill_after=None, expect=0, world=None):
    env = dict(os.environ)
    env.pop("STAMPEDE_TEST_KILL_AFTER_DAY", None)
    if kill_after is not None:
        env["STAMPEDE_TEST_KILL_AFTER_DAY"] = str(kill_after)
    r = subprocess.run([exe, "run", "-q", "-o", out, "--threads", str(threads), *(world or WORLD), *extra], capture_output=True,
                       text=True, env=env, timeout=300)
    assert r.returncode == expect, f"exit {r.returncode}, expected {expect}\n{r.stderr}"
    return r


def checkpoint_of(log):
    return os.path.join(os.path.dirname(log), "." + os.path.basename(log) + ".ckpt")


def differences(a, b):
    """Where the logs at a and b differ: datasets (names, shapes, types, every value) and attributes."""
    out = []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        def items(f):
            found = {}
            f.visititems(lambda name, obj: found.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
            return found
        da, db = items(fa), items(fb)
        if set(da) != set(db):
            out.append(f"datasets differ: {sorted(set(da) ^ set(db))[:5]}")
        for name in sorted(set(da) & set(db)):
            x, y = da[name], db[name]
            if x.shape != y.shape or x.dtype != y.dtype:
                out.append(f"/{name}: shape {x.shape} {x.dtype} vs {y.shape} {y.dtype}")
                continue
            vx, vy = x[()], y[()]
            same = (vx.tobytes() == vy.tobytes()) if isinstance(vx, np.ndarray) and vx.dtype.kind != "O" else \
                np.array_equal(np.asarray(vx, dtype=object), np.asarray(vy, dtype=object))
            if not same:
                out.append(f"/{name}: values differ")
            for k in set(x.attrs) | set(y.attrs):
                if k in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    continue
                if k not in x.attrs or k not in y.attrs or not np.array_equal(np.asarray(x.attrs[k]), np.asarray(y.attrs[k])):
                    out.append(f"/{name} attribute {k} differs")
        for k in (set(fa.attrs) | set(fb.attrs)) - VOLATILE:
            if k not in fa.attrs or k not in fb.attrs or not np.array_equal(np.asarray(fa.attrs[k]), np.asarray(fb.attrs[k])):
                out.append(f"root attribute {k} differs: {fa.attrs.get(k)} vs {fb.attrs.get(k)}")
    return out


def assert_same(ref, log, what):
    diff = differences(ref, log)
    assert not diff, f"{what}: the resumed log differs from the uninterrupted one:\n  " + "\n  ".join(diff[:20])
    with h5py.File(log, "r") as f, h5py.File(ref, "r") as r:
        assert int(f.attrs["complete"]) == 1, what
        assert int(r.attrs["complete"]) == 1 and f["state_fingerprint"].shape[0] == r["state_fingerprint"].shape[0], what
    assert not os.path.exists(checkpoint_of(log)), f"{what}: a finished run leaves its checkpoint"


def reference(exe, work, world=None):
    ref = os.path.join(work, "reference.h5")
    r = run(exe, ref, 1, world=world)
    assert "checkpoints" in r.stdout, r.stdout
    return ref


def killed_at(exe, work, ref, k, threads):
    """Stopped by SIGKILL once day k's checkpoint is written, then resumed: the same log."""
    log = os.path.join(work, f"killed_{k}_{threads}.h5")
    for p in (log, checkpoint_of(log)):
        if os.path.exists(p):
            os.remove(p)
    run(exe, log, threads, kill_after=k, expect=-signal.SIGKILL)
    assert os.path.exists(checkpoint_of(log)), f"day {k}: no checkpoint beside the killed run's log"
    with h5py.File(log, "r") as f:
        assert int(f.attrs["complete"]) == 0 and f["state_fingerprint"].shape[0] >= k
    r = run(exe, log, threads, "--resume")
    assert f"after day {k} of {DAYS}" in r.stderr, r.stderr
    assert_same(ref, log, f"killed after day {k} at {threads} threads")


def test_resume_days(exe, work, ref, threads):
    for k in (1, DAYS // 2, DAYS - 1):
        killed_at(exe, work, ref, k, threads)


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    ref = reference(exe, work)
    test_resume_days(exe, work, ref, 1)
    print("ok")


if __name__ == "__main__":
    main()
