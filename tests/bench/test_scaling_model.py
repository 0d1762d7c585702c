#!/usr/bin/env python3
"""tools/bench/scaling_model.py reads two `bench_run --phases` outputs (1 and 2 threads) and gives each
phase's parallel share by Amdahl's law: a phase that halves at 2 threads is all parallel and keeps
dividing; one that does not move is serial and bounds the speed-up. Mismatched measurements are
refused with a message that says why.

Usage (from ctest): test_scaling_model.py STAMPEDE_EXE WORKDIR
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "tools", "bench", "scaling_model.py")


def write(path, threads, phases, steps=100):
    with open(path, "w") as f:
        f.write(f"scenario=toy\nthreads={threads}\nsteps={steps}\nsetup_s=1.0\n")
        f.write(f"step_s={sum(phases.values())}\n")
        for name, t in phases.items():
            f.write(f"phase_{name}_s={t}\n")


def run(*args):
    return subprocess.run([sys.executable, MODEL, *args], capture_output=True, text=True)


def main():
    work = sys.argv[2]
    os.makedirs(work, exist_ok=True)
    one, two = os.path.join(work, "t1.txt"), os.path.join(work, "t2.txt")
    # decide halves (all parallel), record does not move (serial).
    write(one, 1, {"decide": 8.0, "record": 2.0})
    write(two, 2, {"decide": 4.0, "record": 2.0})
    r = run(one, two, "--cores", "8", "64")
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines() if line.split()}
    assert rows["decide"][3] == "1.00" and rows["decide"][4] == "1.00", r.stdout   # 8 s / 8 cores
    assert rows["record"][3] == "0.00" and rows["record"][4] == "2.00", r.stdout   # serial: stays 2 s
    speedup = re.search(r"8 cores ([0-9.]+)x, 64 cores ([0-9.]+)x", r.stdout)
    assert speedup, r.stdout
    assert speedup.group(1) == "3.3" and speedup.group(2) == "4.7", r.stdout   # 10/3 and 10/2.125: the serial part bounds it
    assert "runs/hour" in r.stdout, r.stdout

    # The same thread count twice, or two different runs, is refused.
    r = run(one, one)
    assert r.returncode != 0 and "threads=1 and threads=1" in r.stderr, r.stderr
    other = os.path.join(work, "t2_other.txt")
    write(other, 2, {"decide": 4.0, "record": 2.0}, steps=50)
    r = run(one, other)
    assert r.returncode != 0 and "not of the same scenario and length" in r.stderr, r.stderr
    no_phases = os.path.join(work, "plain.txt")
    with open(no_phases, "w") as f:
        f.write("scenario=toy\nthreads=2\nsteps=100\nstep_s=3\n")
    r = run(one, no_phases)
    assert r.returncode != 0 and "--phases" in r.stderr, r.stderr
    print("scaling model: ok")


if __name__ == "__main__":
    main()
