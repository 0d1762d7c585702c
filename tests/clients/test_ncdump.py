#!/usr/bin/env python3
"""`ncdump -h` (netCDF-C's netcdf-bin) lists every group of a short run's log with its
dimensions, coordinates and attributes, and `ncdump -v` prints the labels and dates.

Usage (from ctest): test_ncdump.py STAMPEDE_EXE WORKDIR
"""
import shutil
import subprocess
import sys

from short_run import GROUPS, STOCK, short_run, skip


def main():
    if shutil.which("ncdump") is None:
        skip("ncdump is not installed (Debian: netcdf-bin; tools/install_deps.sh installs it)")
    path = short_run(sys.argv[1], sys.argv[2])
    r = subprocess.run(["ncdump", "-h", path], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    header = r.stdout
    for group in GROUPS:
        if group != "/":
            assert f"group: {group.split('/')[-1]} {{" in header, group
    for needle in ('double close(day, stock)', 'close:coordinates = "date time"', 'time:units = "days since 1970-01-01"',
                   ':Conventions = "CF-1.8"', ':seed_text = "', "margin_calls_row = UNLIMITED",
                   "group: event_columns {", "char reason(dma_terms_row, event_reason_strlen)"):
        assert needle in header, needle
    r = subprocess.run(["ncdump", "-v", "stock,date", path], capture_output=True, text=True)
    assert r.returncode == 0 and f'"{STOCK}"' in r.stdout and '"2024-01-03"' in r.stdout, r.stderr
    print("ok")


if __name__ == "__main__":
    main()
