#!/usr/bin/env python3
"""Verify before reuse (issue 21, item 4): a sweep resumes, and merge tabulates, a complete run log
only when it was written by this build (version, git_sha, code_hash), for this run's scenario
(scenario_hash), and reads back in full (Fletcher32 checksums on every chunked dataset); otherwise
it says why and makes the run again (merge: lists it as missing).

Usage (from ctest): test_sweep_reuse.py STAMPEDE_EXE WORKDIR
"""
import glob
import os
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from small_world_args import NO_DRIVER, SMALL_WORLD  # noqa: E402

SMALL = SMALL_WORLD + NO_DRIVER + ["--set", "days=2", "-q"]
GRID = ["--grid", "retail.orders_per_day=1,2,3,4,5"]


def sweep(exe, d):
    return subprocess.run([exe, "sweep", *GRID, "-j", "1", "-o", d, *SMALL[:-1]], capture_output=True, text=True, timeout=300)


def flip_chunk_bytes(path, dataset, count, bit_only=False):
    """Flips `count` bytes (or one bit) in the middle of the first stored chunk of `dataset`."""
    with h5py.File(path, "r") as f:
        ds = f[dataset]
        assert ds.chunks is not None and ds.fletcher32, (dataset, ds.chunks, ds.fletcher32)
        info = ds.id.get_chunk_info(0)
    at = info.byte_offset + info.size // 2 - count // 2
    with open(path, "r+b") as fh:
        fh.seek(at)
        data = bytearray(fh.read(count))
        for i in range(len(data)):
            data[i] ^= 0x01 if bit_only else 0xFF
        fh.seek(at)
        fh.write(data)


def set_attr(path, name, value):
    with h5py.File(path, "r+") as f:
        f.attrs[name] = value


def statuses(d):
    with h5py.File(os.path.join(d, "summary.h5"), "r") as f:
        runs = f["runs"][:]
        return [s.decode() for s in runs["status"]], [e.decode() for e in runs["error"]]


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)
    d = "reuse"
    r = sweep(exe, d)
    assert r.returncode == 0, r.stderr
    logs = sorted(glob.glob(os.path.join(d, "run_*.h5")))
    assert len(logs) == 5
    with h5py.File(logs[0], "r") as f:
        assert re.fullmatch(r"[0-9a-f]{64}", f.attrs["code_hash"]), f.attrs["code_hash"]
        assert re.fullmatch(r"[0-9a-f]{64}", f.attrs["scenario_hash"]), f.attrs["scenario_hash"]
        assert f["market/stocks/close"].fletcher32
    close = {p: h5py.File(p, "r")["market/stocks/close"][()] for p in logs}

    # Each log damaged or mislabelled in one way; one left alone.
    set_attr(logs[0], "git_sha", "0123456789ab")
    set_attr(logs[1], "version", "9.9.9")
    set_attr(logs[2], "code_hash", "f" * 64)
    flip_chunk_bytes(logs[3], "market/stocks/last_price", 16)     # 16 bytes of a compressed chunk
    # One bit, preferably in a dataset without compression (nothing but the checksum notices it).
    stored = []
    with h5py.File(logs[4], "r") as f:
        def chunked(name, o):
            if isinstance(o, h5py.Dataset) and o.fletcher32 and o.id.get_num_chunks() > 0 and \
                    o.id.get_chunk_info(0).byte_offset is not None:
                stored.append((o.compression is not None, name))
        f.visititems(chunked)
    row = sorted(stored)[0][1]
    flip_chunk_bytes(logs[4], row, 1, bit_only=True)

    # merge: nothing of the five is reused, each with its reason
    m = subprocess.run([exe, "merge", d], capture_output=True, text=True)
    assert m.returncode == 1, m.stderr
    status, error = statuses(d)
    assert status == ["missing"] * 5, (status, error)
    reasons = {
        0: "its git_sha 0123456789ab is not this build's",
        1: "its version 9.9.9 is not this build's",
        2: "its code_hash ffffffffffff... is not this build's",
        3: "/market/stocks/last_price fails to read back",
        4: f"/{row} fails to read back",
    }
    names = [os.path.basename(p) for p in logs]
    for i, why in reasons.items():
        line = [l for l in m.stderr.splitlines() if names[i] in l]
        assert line and why in line[0], (i, why, m.stderr)
    assert "checksum" in m.stderr.lower(), m.stderr   # HDF5 names the Fletcher32 failure
    print("merge, not reused:\n  " + "\n  ".join(l[:220] for l in m.stderr.splitlines() if "not reused" in l))

    # The sweep again: every one made again (same results), then all reused.
    r = sweep(exe, d)
    assert r.returncode == 0, r.stderr
    assert "5 runs, 0 already complete, 5 to run" in r.stderr, r.stderr
    assert r.stderr.count("is complete but not reused") == 5, r.stderr
    for p in logs:
        np.testing.assert_array_equal(h5py.File(p, "r")["market/stocks/close"][()], close[p])
    r = sweep(exe, d)
    assert r.returncode == 0 and "5 already complete, 0 to run" in r.stderr, r.stderr

    # An edited scenario: the same log names (the plan is from before), another scenario_hash.
    set_attr(logs[0], "scenario_hash", "0" * 64)
    r = sweep(exe, d)
    assert r.returncode == 0 and "its scenario_hash 000000000000... is not this run's" in r.stderr, r.stderr
    print("sweep: the five made again, bit-identical; then reused; an edited scenario_hash made again")
    print("ok")


if __name__ == "__main__":
    main()
