#!/usr/bin/env python3
"""tools/report.py's pages as a reader sees them: headless Chromium opens the HTML report of a small
stressed run (every figure drawn), and the comparison page of that run with itself, and this test
checks, in the browser, that every figure the page declares is there, decoded and laid out, and, in
a screenshot of the whole page, that each figure's box shows that figure's pixels. The pages load
nothing from outside (they are self-contained).

Skips (exit 77, ctest's SKIP_RETURN_CODE) only when Chromium is not installed.

Usage (from ctest): test_report_browser.py STAMPEDE_EXE WORKDIR
"""
import os
import sys
import time

from browser_check import WIDTH, check_page, start
from run_helpers import PY, run, set_args
from test_report import CMP_FIGURES, FIGURES, SMALL

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "..", "..", "tools", "report.py")


def main():
    exe, chromium = start(sys.argv)
    t0 = time.time()
    run([exe, "run", "-q", "-o", "a.h5", "--threads", "2", *set_args(SMALL)])
    run([PY, REPORT, "a.h5", "-o", "a.html"])
    run([PY, REPORT, "compare", "a.h5", "a.h5", "--labels", "x", "y", "-o", "compare.html"])
    t1 = time.time()
    height = check_page(chromium, "a.html", FIGURES)
    check_page(chromium, "compare.html", CMP_FIGURES)
    print(f"ok: {len(FIGURES)} figures of the run's report ({WIDTH}x{height} px) and {len(CMP_FIGURES)} of the "
          f"comparison shown by Chromium (run and reports {t1 - t0:.1f} s, browser {time.time() - t1:.1f} s)")


if __name__ == "__main__":
    main()
