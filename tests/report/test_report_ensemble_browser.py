#!/usr/bin/env python3
"""tools/report.py's directory pages as a reader sees them: headless Chromium opens the report of an
ensemble directory (`stampede ensemble` of feb2024 and its five counterfactuals, as docs/ensemble.md
and the README compare them, on two seeds of a small world) and of a sweep directory (`stampede
sweep`, two parameter points with two replicates each), and this test checks, in the browser, that
every fan chart the page declares is there, decoded and laid out, and, in a screenshot of the whole
page, shows that figure's pixels; that nothing (the paired table with its six scenario columns
included) reaches past the window's right edge; and that the pages load nothing from outside. The
checks are those of test_report_browser.py (browser_check.py).

Skips (exit 77, ctest's SKIP_RETURN_CODE) only when Chromium is not installed.

Usage (from ctest): test_report_ensemble_browser.py STAMPEDE_EXE WORKDIR
"""
import os
import sys
import time
import tomllib

import h5py

from browser_check import WIDTH, check_page, start
from run_helpers import PY, run, set_args
from test_report import SMALL

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REPORT = os.path.join(ROOT, "tools", "report.py")
SCENARIOS = [os.path.join(ROOT, "scenarios", f"{name}.toml")
             for name in ("feb2024", "no_dma", "dma_cap1x", "no_snowball", "no_national_team", "regulator_early")]
SEEDS = 2
# The fan charts of a directory page, in the page's order (docs/report.md, "Ensemble and sweep
# directories"): one per daily variable of ensemble.h5, the class NAV panels last.
FAN_FIGURES = ["fan_microcap_close", "fan_hedged_close", "fan_basis_main_annualised", "fan_limit_down_count",
               "fan_class_nav"]


def keys_set_by(path):
    """The dotted keys a scenario file sets itself (not those of its base)."""
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    return {f"{section}.{key}" for section, table in doc.items() if isinstance(table, dict) for key in table}


def main():
    exe, chromium = start(sys.argv)
    t0 = time.time()
    # The small world, leaving out what a counterfactual changes (a --set would undo it).
    changed = set().union(*(keys_set_by(s) for s in SCENARIOS[1:]))
    small = set_args({k: v for k, v in SMALL.items() if k not in changed})
    run([exe, "ensemble", *SCENARIOS, "--seeds", str(SEEDS), *small, "-j", "2", "-q", "-o", "ens"])
    run([PY, REPORT, "ens"])
    with h5py.File(os.path.join("ens", "ensemble.h5"), "r") as f:
        daily = f.attrs["daily_variables"]
    # The class panels are titled by the classes' labels (ensemble.h5's /meta/agent_classes), not their names.
    with open(os.path.join("ens", "report.html"), encoding="utf-8") as fh:
        page = fh.read()
    panels = page[page.index("Panels: "):].split("</figcaption>")[0]
    assert "market-neutral funds" in panels and "neutral_fund" not in panels, panels
    daily = (daily.decode() if isinstance(daily, bytes) else str(daily)).split()
    assert sorted("fan_" + v for v in daily) == sorted(FAN_FIGURES), f"ensemble.h5 lists {daily}; update FAN_FIGURES"
    grid = "dma.leverage=2,8"
    run([exe, "sweep", SCENARIOS[0], *set_args({k: v for k, v in SMALL.items() if k != "dma.leverage"}),
         "--grid", grid, "--replicates", "2", "-j", "2", "-q", "-o", "sweep"])
    run([PY, REPORT, "sweep"])
    t1 = time.time()
    ens_height = check_page(chromium, os.path.join("ens", "report.html"), FAN_FIGURES)
    sweep_height = check_page(chromium, os.path.join("sweep", "report.html"), FAN_FIGURES)
    print(f"ok: {len(FAN_FIGURES)} fan charts and the paired table of {len(SCENARIOS)} scenarios x {SEEDS} seeds "
          f"({WIDTH}x{ens_height} px), {len(FAN_FIGURES)} of the sweep over {grid} ({WIDTH}x{sweep_height} px) "
          f"shown by Chromium (runs and reports {t1 - t0:.1f} s, browser {time.time() - t1:.1f} s)")


if __name__ == "__main__":
    main()
