#!/usr/bin/env python3
"""Checkpoints that must not be used (issue 21, item 3): one flipped bit of the state, a truncated
file, another build's code_hash, another scenario's hash, another seed, a file that is not a
checkpoint: each refused with a message saying why, before anything is loaded, and the run starts
from day 0 and ends equal to the uninterrupted run. `--resume` without a checkpoint is a normal run
(with a note when an old log is there), and `--checkpoint-every 0` writes none.

Usage (from ctest): test_checkpoint_refused.py STAMPEDE_EXE WORKDIR
"""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_checkpoint_resume as t  # noqa: E402
from test_checkpoint_resume import assert_same, checkpoint_of, reference  # noqa: E402

# A shorter world than the resume tests' (each case here is a whole run from day 0).
WORLD = [a if a != f"days={t.DAYS}" else "days=4" for a in t.WORLD]


def run(exe, out, threads, *extra, **kw):
    return t.run(exe, out, threads, *extra, world=WORLD, **kw)


def test_refused(exe, work, ref):
    """Damaged and foreign checkpoints (another build, scenario or seed, not a checkpoint at all):
    refused in words before anything is loaded, and the run starts again from day 0."""
    log = os.path.join(work, "refused.h5")
    ckpt = checkpoint_of(log)
    for p in (log, ckpt):
        if os.path.exists(p):
            os.remove(p)
    run(exe, log, 1, kill_after=2, expect=-signal.SIGKILL)
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
    ref = reference(exe, work, world=WORLD)
    test_refused(exe, work, ref)
    test_no_checkpoint(exe, work, ref)
    print("ok")


if __name__ == "__main__":
    main()
