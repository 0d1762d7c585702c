#!/usr/bin/env python3
"""Checkpoint and resume (issue 21, item 3). A feb2024-like small world (every agent kind, the
crash days of early February) is stopped by SIGKILL right after the checkpoint of day k is on disk
(the hidden test hook STAMPEDE_TEST_KILL_AFTER_DAY=k: `kill -9` at that moment), then continued
with `stampede run --resume`: for k = 1, the middle day and the last but one, the log must equal
the uninterrupted run's bit for bit (every dataset, /state_fingerprint included, and the summary
attributes). A damaged checkpoint, one from another seed or one whose code_hash is another
build's is refused with a message saying why, and the run starts from day 0 (and still ends equal).
This file runs at 1 thread; test_checkpoint_kill.py at 2 threads and with a kill -9 from outside.

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
# too, so every built-in agent kind is checkpointed.
WORLD = SMALL_WORLD + ["--set", f"days={DAYS}", "--set", 'start_date="2024-01-30"', "--set", "index_enhanced.count=2"]
# Root attributes that differ between any two runs of one scenario (time, threads, the host).
VOLATILE = {"wall_time_seconds", "writer_cpu_seconds", "created_utc", "threads"}


def run(exe, out, threads, *extra, kill_after=None, expect=0):
    env = dict(os.environ)
    env.pop("STAMPEDE_TEST_KILL_AFTER_DAY", None)
    if kill_after is not None:
        env["STAMPEDE_TEST_KILL_AFTER_DAY"] = str(kill_after)
    r = subprocess.run([exe, "run", "-q", "-o", out, "--threads", str(threads), *WORLD, *extra], capture_output=True,
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
    with h5py.File(log, "r") as f:
        assert int(f.attrs["complete"]) == 1, what
        assert f["state_fingerprint"].shape[0] == DAYS, what
    assert not os.path.exists(checkpoint_of(log)), f"{what}: a finished run leaves its checkpoint"


def reference(exe, work):
    ref = os.path.join(work, "reference.h5")
    r = run(exe, ref, 1)
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


def test_refused(exe, work, ref):
    """Damaged and foreign checkpoints (another build, scenario or seed, not a checkpoint at all):
    refused in words before anything is loaded, and the run starts again from day 0."""
    log = os.path.join(work, "refused.h5")
    ckpt = checkpoint_of(log)
    for p in (log, ckpt):
        if os.path.exists(p):
            os.remove(p)
    run(exe, log, 1, kill_after=3, expect=-signal.SIGKILL)
    good = bytes(open(ckpt, "rb").read())
    head = good.index(b"STAMPEDE-CHECKPOINT\n") + 20 + 4   # after the magic and the format version
    code_at = head + 8                                       # the code hash's text, after its length
    scenario_at = code_at + 64 + 8                           # the scenario hash's text
    seed_at = scenario_at + 64

    def edited(at, value):
        data = bytearray(good)
        data[at:at + len(value)] = value
        return bytes(data)

    def resumed(data, why, compare=False):
        open(ckpt, "wb").write(data)
        r = run(exe, log, 1, "--resume")
        assert "refused" in r.stderr and why in r.stderr and "starts from day 0" in r.stderr, r.stderr
        assert "resuming" not in r.stderr, r.stderr
        if compare:
            assert_same(ref, log, why)

    flipped = bytearray(good)
    flipped[len(flipped) - 100] ^= 0x10   # one bit of the state
    resumed(bytes(flipped), "checksum does not match", compare=True)
    resumed(good[: len(good) // 2], "truncated or damaged")
    resumed(edited(code_at, b"0" if good[code_at:code_at + 1] != b"0" else b"1"), "another build")
    resumed(edited(scenario_at, b"0" if good[scenario_at:scenario_at + 1] != b"0" else b"1"), "another scenario")
    resumed(edited(seed_at, (2).to_bytes(8, "little")), "for seed 2")
    resumed(b"hello", "not a stampede checkpoint")


def test_no_checkpoint(exe, work, ref):
    """--resume with nothing to resume from: a normal run (a note when an old log is there)."""
    log = os.path.join(work, "fresh.h5")
    if os.path.exists(log):
        os.remove(log)
    r = run(exe, log, 1, "--resume")
    assert "resuming" not in r.stderr and "refused" not in r.stderr, r.stderr
    assert_same(ref, log, "--resume without a checkpoint")
    r = run(exe, log, 1, "--resume", "--checkpoint-every", "0")   # a finished log: no checkpoint, runs again
    assert "no checkpoint" in r.stderr, r.stderr
    assert "checkpoints" not in r.stdout, r.stdout
    assert_same(ref, log, "--checkpoint-every 0")


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    ref = reference(exe, work)
    test_resume_days(exe, work, ref, 1)
    test_refused(exe, work, ref)
    test_no_checkpoint(exe, work, ref)
    print("ok")


if __name__ == "__main__":
    main()
