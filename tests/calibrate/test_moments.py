#!/usr/bin/env python3
"""The moments of tools/calibration/moments.py on a small run: each equals the figure of
tools/calibration_check.py that has its meaning (one definition, two readers), windows select the
days they name, and the statistics agree with scipy and pandas on known data.

Usage (from ctest): test_moments.py STAMPEDE_EXE WORKDIR
"""
import math
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import scipy.stats

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "sweep"))
from calibration import measures, moments  # noqa: E402
from calibration.measures import NA  # noqa: E402
from test_sweep import small_overrides  # noqa: E402

# moment (whole run) -> the calibration check's figure of the same meaning
SAME_AS_CHECK = {
    "microcap_return": "microcap_return", "microcap_max_drawdown": "microcap_max_drawdown",
    "microcap_worst_day": "microcap_worst_day", "hedged_return": "hedged_return",
    "hedged_max_drawdown": "hedged_max_drawdown", "hedged_worst_day": "hedged_worst_day",
    "basis_trough": "basis_trough", "limit_down_share_max": "limit_down_max_share",
    "dma_max_drawdown_p10": "dma_p10_max_drawdown", "dma_max_drawdown_p50": "dma_median_max_drawdown",
    "dma_max_drawdown_p90": "dma_p90_max_drawdown", "neutral_max_drawdown_p50": "neutral_median_max_drawdown",
    "microcap_corr_real": "microcap_corr_real", "hedged_corr_real": "hedged_corr_real",
}
SAME_DATE_AS_CHECK = {"microcap_worst_day_date": "microcap_worst_day_date",
                      "hedged_worst_day_date": "hedged_worst_day_date", "basis_trough_date": "basis_trough_date"}


def test_pure_statistics():
    rng = np.random.default_rng(7)
    r = rng.standard_t(4, size=200) * 0.01
    assert math.isclose(moments.excess_kurtosis(r), scipy.stats.kurtosis(r, fisher=True, bias=True), rel_tol=1e-12)
    assert math.isclose(moments.lag1_autocorrelation(r), pd.Series(r).autocorr(1), rel_tol=1e-12)
    for bad in ([0.01] * 5,):
        for fn in (moments.excess_kurtosis, moments.lag1_autocorrelation):
            try:
                fn(bad)
                raise AssertionError(f"{fn.__name__} of constant returns gave a value")
            except NA:
                pass
    assert moments.date_number("1970-01-02") == 1.0 and moments.number_date(19727.0) == "2024-01-05"


def test_against_the_check(exe):
    sets = dict(small_overrides(exe), days="8")
    args = [a for k, v in sets.items() for a in ("--set", f"{k}={v}")]
    r = subprocess.run([exe, "run", os.path.join(ROOT, "scenarios", "feb2024.toml"), *args, "--seed", "3", "-q",
                        "-o", "small.h5"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    L = measures.read_log("small.h5")
    real = measures.load_real(measures.REAL_CSV)
    fig = measures.measure(L, measures.FEB, real)
    compared = 0
    for name, key in {**SAME_AS_CHECK, **SAME_DATE_AS_CHECK}.items():
        want = fig[key]
        assert not isinstance(want, NA), f"{key}: {want} (the small run should give it)"
        got = moments.compute(L, name, None, real)
        if name in SAME_DATE_AS_CHECK:
            assert moments.number_date(got) == want, (name, moments.number_date(got), want)
        else:
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-15), (name, got, want)
        compared += 1
    assert compared == len(SAME_AS_CHECK) + len(SAME_DATE_AS_CHECK)
    # Every moment gives a number on this run (no product class or dataset missing).
    for name in moments.MOMENTS:
        moments.compute(L, name, None, real)

    # A window: days 3..6 of the run; the return starts from the close of day 2.
    with h5py.File("small.h5", "r") as f:
        dates = [d.decode() for d in f["date"][()]]
        close = f["market/index/microcap_close"][()]
    w = (dates[2], dates[5])
    assert math.isclose(moments.compute(L, "microcap_return", w, real), close[5] / close[1] - 1, rel_tol=1e-12)
    r = close[2:6] / close[1:5] - 1
    assert math.isclose(moments.compute(L, "microcap_worst_day", w, real), r.min(), rel_tol=1e-12)
    assert moments.number_date(moments.compute(L, "microcap_worst_day_date", w, real)) == dates[2 + int(np.argmin(r))]
    assert math.isclose(moments.compute(L, "microcap_excess_kurtosis", w, real),
                        scipy.stats.kurtosis(r, fisher=True, bias=True), rel_tol=1e-9)
    # A window the run has not reached is not measured.
    try:
        moments.compute(L, "microcap_return", (dates[0], "2024-03-01"), real)
        raise AssertionError("a window past the run's last day gave a value")
    except NA as e:
        assert "before the window's last day" in str(e)


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)
    test_pure_statistics()
    test_against_the_check(exe)
    print("moments: ok")


if __name__ == "__main__":
    main()
