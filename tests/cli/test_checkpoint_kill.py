#!/usr/bin/env python3
"""Checkpoint and resume at 2 threads (test_checkpoint_resume.py runs 1): stopped by SIGKILL after
day k = 1, the middle day and the last but one, then `stampede run --resume`, the log equals the
uninterrupted run's bit for bit. And a real `kill -9` from outside while the run is under way
(whatever it was doing: between two steps, writing the log or a checkpoint), then --resume: the
same log again; and a resume killed while it copied the log's days. The reference is made at 1 thread: results do not depend on the thread count.

Usage (from ctest): test_checkpoint_kill.py STAMPEDE_EXE WORKDIR
"""
import os

# Polls the run log while it is written (the writer holds an HDF5 file lock): read without locking.
os.environ["HDF5_USE_FILE_LOCKING"] = "FALSE"

import signal
import subprocess
import sys
import time

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_checkpoint_resume as t  # noqa: E402


def test_kill_from_outside(exe, work, ref):
    log = os.path.join(work, "kill9.h5")
    for p in (log, t.checkpoint_of(log)):
        if os.path.exists(p):
            os.remove(p)
    p = subprocess.Popen([exe, "run", "-q", "-o", log, "--threads", "2", *t.WORLD], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 120
    while time.monotonic() < end:
        assert p.poll() is None, "the run ended before it was killed"
        try:
            with h5py.File(log, "r") as f:
                if f["state_fingerprint"].shape[0] >= 3:
                    break
        except (OSError, KeyError):
            pass
        time.sleep(0.01)
    time.sleep(0.05)   # somewhere inside the next day
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL
    with h5py.File(log, "r") as f:
        days = f["state_fingerprint"].shape[0]
    assert 3 <= days < t.DAYS, days
    r = t.run(exe, log, 2, "--resume")
    assert "resuming" in r.stderr, r.stderr
    t.assert_same(t.reference(exe, work) if ref is None else ref, log, "kill -9 from outside")


def test_resume_killed_while_copying(exe, work, ref):
    """A resume killed after it moved the log aside (to .NAME.h5.resume) and before the new log
    held the copied days: the next --resume finds the days there."""
    log = os.path.join(work, "moved.h5")
    moved = os.path.join(work, ".moved.h5.resume")
    for p in (log, moved, t.checkpoint_of(log)):
        if os.path.exists(p):
            os.remove(p)
    t.run(exe, log, 2, kill_after=2, expect=-signal.SIGKILL)
    os.replace(log, moved)   # where that resume left it
    r = t.run(exe, log, 2, "--resume")
    assert "after day 2 of" in r.stderr, r.stderr
    assert not os.path.exists(moved), "the copy the resume read is left behind"
    t.assert_same(ref, log, "resumed from .resume")


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    ref = t.reference(exe, work)
    t.test_resume_days(exe, work, ref, 2)
    test_kill_from_outside(exe, work, ref)
    test_resume_killed_while_copying(exe, work, ref)
    print("ok")


if __name__ == "__main__":
    main()
