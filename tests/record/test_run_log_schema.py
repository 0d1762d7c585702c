#!/usr/bin/env python3
"""A real (small) run's log follows the documented schema and opens in h5py, pandas and xarray.

Usage (from ctest): test_run_log_schema.py STAMPEDE_EXE WORKDIR
"""
import os
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
SMALL = ["--set", "days=2", "--set", "session.step_minutes=15", "--set", "stocks.microcaps=30",
         "--set", "stocks.index_constituents=20", "--set", "stocks.large_caps=4",
         "--set", "indices.microcap_members=20", "--set", "noise_traders.count=400"]


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "small.h5")
    run = subprocess.run([exe, "run", "-q", "-o", out, *SMALL], capture_output=True, text=True)
    assert run.returncode == 0, f"stampede run failed ({run.returncode}): {run.stderr}"
    assert "microcap index" in run.stdout, f"no summary printed: {run.stdout!r}"

    check = subprocess.run([sys.executable, os.path.join(HERE, "check_run_log.py"), out, "--stampede", exe],
                           capture_output=True, text=True)
    assert check.returncode == 0, f"schema check failed:\n{check.stdout}\n{check.stderr}"

    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 1
        assert f.attrs["schema"] == "stampede-run/2"
        n_days, n_stocks = f["market/stocks/close"].shape
        assert (n_days, n_stocks) == (2, 54), (n_days, n_stocks)
        steps_per_day = int(f.attrs["steps_per_day"])
        assert f["market/index/hedged"].shape == (2 * steps_per_day,)
        close = f["market/stocks/close"][:]
        low, high = f["market/stocks/low"][:], f["market/stocks/high"][:]
        assert np.all(low <= close) and np.all(close <= high)
        assert f["market/stocks/volume"][:].sum() > 0, "nothing traded"
        resolved = f["meta/scenario_resolved"][()]
        resolved = resolved.decode() if isinstance(resolved, bytes) else resolved
        assert "microcaps = 30" in resolved, "overrides missing from the resolved scenario"
        events = pd.DataFrame(f["events/futures_expiry"][:]) if "events/futures_expiry" in f else None
        assert events is None or len(events) == 0  # no expiry in the first two days of 2024
    print("ok")


if __name__ == "__main__":
    main()
