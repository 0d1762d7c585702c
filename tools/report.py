#!/usr/bin/python3
"""HTML report of a stampede run log, or a comparison of several.

    tools/report.py RUN.h5 [-o REPORT.html] [--fig-dir DIR [--format png|svg|pdf]] [--title TEXT]
    tools/report.py compare A.h5 B.h5 ... [--labels NAME ...] [-o COMPARE.html] [--fig-dir DIR]
    tools/report.py DIR [-o REPORT.html] [--fig-dir DIR]    # an ensemble or sweep directory

A report is ONE self-contained HTML page (every figure is a PNG embedded as a base64 data URI; the
page loads nothing else): the run's summary table (the run log's `summary_*` attributes), the
figures of the crash (indices and futures with the events marked, the main contract's basis,
limit-down counts, a stock x day heatmap of returns, mispricing, order-book depth and the limit-down
queue, the worst day step by step, NAV and leverage by agent class, buyers and sellers and futures
positions by class, margin calls and liquidations, forced selling, stylised facts of returns), event
counts and the resolved scenario. A figure whose data the log lacks (no DMA accounts, no futures
trades, a run that stopped early) is replaced by a note saying so. `compare` overlays several runs
(e.g. the feb2024 scenario against its counterfactuals) and tabulates their summaries side by side;
it refuses runs of different lengths or calendars (--allow-different-days overlays them anyway, with
a warning). A directory of `stampede ensemble` or `stampede sweep` gives fan charts over the seeds
and the paired-difference table (tools/report_ensemble.py).

--fig-dir (old name --png-dir) also writes every figure as DIR/<figure id>.png (or .svg, .pdf with
--format) and the data it plots as DIR/<figure id>.csv. The code is in tools/reporting/. Exit
status: 0 on success, 2 when an input is missing or is not a stampede run log (one line on stderr
naming it). docs/report.md describes every figure. Needs h5py, numpy, pandas and matplotlib (Debian:
python3-h5py, python3-numpy, python3-pandas, python3-matplotlib).
"""
import argparse
import os
import sys

# The package tools/reporting/ (and tools/calibration/, whose measures it shares) sit beside this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reporting.common import FIG_FORMATS, InputError, set_format  # noqa: E402
from reporting.html import esc  # noqa: E402


# ----------------------------------------------------------------------------------------------
# Command line


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)


def write(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def fig_args(p):
    p.add_argument("--fig-dir", "--png-dir", dest="fig_dir", metavar="DIR",
                   help="also write each figure as DIR/<figure id>.<format> and the data it plots as "
                   "DIR/<figure id>.csv (--png-dir is the old name)")
    p.add_argument("--format", choices=FIG_FORMATS, default="png",
                   help="format of the figure files in --fig-dir (default: png; the page always embeds PNGs)")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "compare":
        p = Parser(prog="report.py compare", description="Overlay several stampede run logs on one HTML page: "
                   "indices, basis, limit-down counts, DMA and neutral-fund NAV, and their summary metrics side by "
                   "side.", epilog="example: tools/report.py compare results/feb2024.h5 results/no_dma.h5 "
                   "--labels feb2024 no_dma -o compare.html")
        p.add_argument("runs", nargs="+", metavar="RUN.h5", help="run logs to compare")
        p.add_argument("--labels", nargs="+", metavar="NAME",
                       help="one label per run (or one comma-separated list); default: scenario names")
        p.add_argument("-o", "--output", default="compare.html", help="HTML file to write (default: compare.html)")
        fig_args(p)
        p.add_argument("--allow-different-days", action="store_true",
                       help="overlay runs whose trading days differ (length or calendar) instead of refusing")
        a = p.parse_args(argv[1:])
        labels = None
        if a.labels:
            labels = [s for item in a.labels for s in item.split(",") if s]
            if len(labels) != len(a.runs):
                p.error(f"{len(labels)} labels for {len(a.runs)} runs")
    else:
        p = Parser(prog="report.py", description="Turn a stampede run log into one self-contained HTML page with "
                   "its summary, figures of the crash and stylised facts of returns, and its scenario. "
                   "`report.py compare A.h5 B.h5 ...` overlays several runs (see `report.py compare --help`).",
                   epilog="Exit status 2 when the input is missing or not a stampede run log. "
                   "Figures are described in docs/report.md.")
        p.add_argument("run", metavar="RUN.h5|DIR",
                       help="a run log written by `stampede run`, or the directory of `stampede ensemble` or `sweep`")
        p.add_argument("-o", "--output",
                       help="HTML file to write (default: RUN.html next to the run log, DIR/report.html for a directory)")
        fig_args(p)
        p.add_argument("--title", help="label of the run (default: its scenario name)")
        a = p.parse_args(argv)
    try:
        set_format(a.format)
        if a.fig_dir:
            os.makedirs(a.fig_dir, exist_ok=True)
        if argv and argv[0] == "compare":
            from reporting.load import Run
            runs = [Run(path, labels[k] if labels else None) for k, path in enumerate(a.runs)]
            seen = {}
            for r in runs:   # default labels must tell runs apart
                seen[r.label] = seen.get(r.label, 0) + 1
            if not labels and any(v > 1 for v in seen.values()):
                for r in runs:
                    if seen[r.label] > 1:
                        r.label = f"{r.label} ({os.path.splitext(os.path.basename(r.path))[0]})"
            from reporting.html import check_same_days, compare_html
            different = check_same_days(runs, a.allow_different_days)
            from reporting.figures_compare import cmp_figures
            page_text = compare_html(runs, cmp_figures(runs), a.fig_dir)
            if different:
                page_text = page_text.replace("<h2 id=\"summary\">", f'<p class="warn">{esc(different)}</p>\n<h2 id="summary">', 1)
            write(a.output, page_text)
            print(f"wrote {a.output} ({len(runs)} runs)")
        elif os.path.isdir(a.run):
            import report_ensemble
            import reporting
            page_text, figures = report_ensemble.directory_html(a.run, a.fig_dir, reporting)
            out = a.output or os.path.join(a.run, "report.html")
            write(out, page_text)
            drawn = sum(f.png is not None for f in figures)
            print(f"wrote {out} ({drawn} of {len(figures)} figures)")
        else:
            from reporting.load import Run
            run = Run(a.run, a.title)
            from reporting.figures import run_figures
            from reporting.html import report_html
            figures, series = run_figures(run)
            out = a.output or os.path.splitext(a.run)[0] + ".html"
            write(out, report_html(run, figures, series, a.fig_dir))
            drawn = sum(f.png is not None for f in figures)
            print(f"wrote {out} ({drawn} of {len(figures)} figures)")
    except InputError as e:
        print(f"report.py: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"report.py: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
