#!/usr/bin/env python3
"""Resources before a run starts (issue 21, items 2 and 5): `check` and `run` print the estimated
disk, memory and time; what does not fit the free disk (ulimit -f stands in for a small disk) or
the memory (counts at their maxima, ulimit -v) is refused with exit 2 naming the keys, before
anything is allocated or written, unless --force; a sweep on a full disk stops launching runs and
says so.

Usage (from ctest): test_resources.py STAMPEDE_EXE WORKDIR
"""
import os
import resource
import shutil
import subprocess
import sys
import time

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from build_tree import sanitized  # noqa: E402
from small_world_args import NO_DRIVER, SMALL_WORLD  # noqa: E402

SMALL = SMALL_WORLD + NO_DRIVER + ["--set", "days=2"]
MAXIMA = ["--set", "retail.count=10000000", "--set", "noise_traders.count=10000000", "--set", "dma.accounts=1000000",
          "--set", "snowball.issuers=100", "--set", "snowball.notes_per_issuer=1000000", "--set", "stocks.microcaps=20000",
          "--set", "stocks.index_constituents=20000", "--set", "stocks.large_caps=2000"]


def limit(kind, value):
    def apply():
        resource.setrlimit(kind, (value, value))
    return apply


def run(exe, args, preexec=None, timeout=120):
    t0 = time.monotonic()
    r = subprocess.run([exe, *args], capture_output=True, text=True, preexec_fn=preexec, timeout=timeout)
    return r, time.monotonic() - t0


def refused(r, secs, what, *needles):
    assert r.returncode == 2, f"{what}: exit {r.returncode}, expected 2\nstdout: {r.stdout[-500:]}\nstderr: {r.stderr}"
    errors = [l for l in r.stderr.splitlines() if l.startswith("error: ")]
    assert errors, r.stderr
    for n in needles:
        assert any(n in l for l in errors), f"{what}: {n!r} not in\n{r.stderr}"
    assert "bad_alloc" not in r.stderr, r.stderr
    assert secs < 30, f"{what}: refused after {secs:.1f} s, not before starting"
    print(f"{what}: refused in {secs:.2f} s: {errors[0][:300]}")


def test_estimate_printed(exe, work):
    r, _ = run(exe, ["check", os.path.join(work, "plain.toml")])
    assert r.returncode == 0, r.stderr
    line = [l for l in r.stderr.splitlines() if l.startswith("estimated: ")]
    assert line and "run log" in line[0] and "memory" in line[0] and "about" in line[0], r.stderr
    out = os.path.join(work, "est.h5")
    r, _ = run(exe, ["run", "-q", "-o", out, *SMALL])
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("estimated: run log"), r.stderr
    print(f"check: {line[0]}")


def test_disk_refused(exe, work):
    cap = limit(resource.RLIMIT_FSIZE, 256 << 20)   # 256 MB a file: a small disk for a 5000-day log
    r, secs = run(exe, ["check", os.path.join(work, "plain.toml"), "--set", "days=5000"], cap)
    refused(r, secs, "check days=5000 on a small disk", "of disk", "days = 5000", "--force")
    out = os.path.join(work, "big.h5")
    r, secs = run(exe, ["run", os.path.join(work, "plain.toml"), "-o", out, "--set", "days=5000"], cap)
    refused(r, secs, "run days=5000 on a small disk", "of disk", "days = 5000")
    assert not os.path.exists(out), "a refused run wrote a log"
    r, _ = run(exe, ["check", os.path.join(work, "plain.toml"), "--set", "days=5000", "--force"], cap)
    assert r.returncode == 0, f"--force: exit {r.returncode}\n{r.stderr}"


def test_memory_refused(exe, work):
    r, secs = run(exe, ["check", os.path.join(work, "plain.toml"), *MAXIMA])
    refused(r, secs, "check, counts at their maxima", "of memory", "dma.accounts + neutral_funds.count")
    out = os.path.join(work, "max.h5")
    r, secs = run(exe, ["run", os.path.join(work, "plain.toml"), "-o", out, *MAXIMA])
    refused(r, secs, "run, counts at their maxima", "of memory")
    assert not os.path.exists(out), "a refused run wrote a log"
    # A machine (or job) with little memory: ulimit -v 3 GB, 4 million traders. An AddressSanitizer
    # build cannot start at all under ulimit -v (it reserves terabytes of shadow address space).
    if sanitized(exe, ("libasan",)):
        print("check under ulimit -v: skipped (AddressSanitizer build: no start under ulimit -v)")
        return
    cap = limit(resource.RLIMIT_AS, 3 << 30)
    r, secs = run(exe, ["check", os.path.join(work, "plain.toml"), "--set", "retail.count=4000000",
                        "--set", "noise_traders.count=4000000"], cap)
    refused(r, secs, "check under ulimit -v", "of memory", "ulimit -v", "retail.count + noise_traders.count = 8000000")


def test_sweep_stops_on_full_disk(exe, work):
    d = os.path.join(work, "full_sweep")
    shutil.rmtree(d, ignore_errors=True)
    cap = limit(resource.RLIMIT_FSIZE, 64 << 10)   # 64 kB a file: no run of this sweep fits
    r, secs = run(exe, ["sweep", "--grid", "retail.orders_per_day=1,2,3", "-j", "1", "-q", "-o", d, *SMALL], cap, 300)
    assert r.returncode == 1, f"exit {r.returncode}\n{r.stderr}"
    assert "stopped launching runs: the disk of" in r.stderr and "runs not started" in r.stderr, r.stderr
    with h5py.File(os.path.join(d, "summary.h5"), "r") as f:
        status = [s.decode() for s in f["runs"]["status"]]
        assert "ok" not in status and int(f.attrs["complete"]) == 0, (status, dict(f.attrs))
        assert int(f.attrs["runs_failed"]) <= 1, status   # at most the run that met the limit
    print(f"sweep on a full disk: {[l for l in r.stderr.splitlines() if 'stopped launching' in l][0][:200]}")


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "plain.toml"), "w") as f:
        f.write('name = "plain"\n')
    test_estimate_printed(exe, work)
    test_disk_refused(exe, work)
    test_memory_refused(exe, work)
    test_sweep_stops_on_full_disk(exe, work)
    print("ok")


if __name__ == "__main__":
    main()
