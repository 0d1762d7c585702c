#!/usr/bin/env python3
"""Every scenario shipped in scenarios/ loads: `stampede check` accepts it (its keys, ranges, base
file, calendar and data files), so a benchmark or counterfactual that no test runs cannot rot.

Usage (from ctest): test_shipped_scenarios.py STAMPEDE_EXE WORKDIR
"""
import glob
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def main():
    exe = os.path.abspath(sys.argv[1])
    shipped = sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.toml")))
    assert len(shipped) >= 2, shipped
    failed = []
    for path in shipped:
        r = subprocess.run([exe, "check", path], capture_output=True, text=True)
        print(f"{os.path.relpath(path, ROOT)}: exit {r.returncode}")
        if r.returncode != 0:
            failed.append(f"{path}: exit {r.returncode}\n{r.stderr}")
    assert not failed, "\n".join(failed)


if __name__ == "__main__":
    main()
