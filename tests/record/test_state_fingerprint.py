#!/usr/bin/env python3
"""The per-day state fingerprint (issue 21, item 4): /state_fingerprint has one value a day, the
same at 1 and 2 threads, different days differ, and another seed gives another series.

Usage (from ctest): test_state_fingerprint.py STAMPEDE_EXE WORKDIR
"""
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from small_world_args import NO_DRIVER, SMALL_WORLD  # noqa: E402

SMALL = SMALL_WORLD + NO_DRIVER + ["--set", "days=3", "-q"]


def fingerprints(exe, work, name, *extra):
    out = os.path.join(work, name)
    r = subprocess.run([exe, "run", "-o", out, *SMALL, *extra], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with h5py.File(out, "r") as f:
        fp = f["state_fingerprint"][()]
        assert f["state_fingerprint"].dtype == np.int64 and fp.shape == f["day"].shape == (3,), (fp.shape, f["day"].shape)
        return fp


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(work, exist_ok=True)
    one = fingerprints(exe, work, "t1.h5", "--threads", "1")
    two = fingerprints(exe, work, "t2.h5", "--threads", "2", "--oversubscribe")
    np.testing.assert_array_equal(one, two)
    assert len(set(one.tolist())) == 3 and 0 not in one, one
    other = fingerprints(exe, work, "seed.h5", "--seed", "7")
    assert not (other == one).any(), (one, other)
    print(f"state fingerprints {[hex(int(x) & (2**64 - 1)) for x in one]}: equal at 1 and 2 threads, another seed differs")
    print("ok")


if __name__ == "__main__":
    main()
