#!/usr/bin/python3
"""Checks run logs against the calibration targets of issue 16 (feb2024, or calm2023 with --calm).

    tools/calibration_check.py RUN.h5|SWEEP_DIR ... [--paired NAME=RUN.h5|DIR ...] [--csv OUT] [--markdown]
    tools/calibration_check.py --calm RUN.h5|SWEEP_DIR ...

Each argument is a run log or a sweep directory (every run_*.h5 in it). For every target: what it
asks, the real figure (scenarios/data/china_index_closes_2023_2024.csv where the figure is a
closing level; the published figure otherwise), each run's figure (one line per run, with its
seed), whether it meets the target, and "N of M runs meet it" (issue 16 asks for 7 of 8 seeds).
A target that a log cannot answer (a dataset missing, the dates not covered) reads "n/a" with the
reason. Then real against simulated daily returns on the key dates, and the correlation of daily
returns with the real series.

The scenario is read from the logs (root attribute `scenario`, or the dates) unless --calm or
--feb2024 says which. --paired NAME=DIR pairs the counterfactual runs of DIR with the feb2024 runs
by seed (names with a target: no_dma, dma_cap1x, regulator_early, no_national_team).

Definitions (the same in the real column and the runs):
  * Index levels: the start level (indices.*_base of the run's resolved scenario, the level before
    the first step, as in the engine's summary_*; /market/index/*[0], the level after the opening
    auction of day 1, only if the scenario cannot be read) then the daily closes
    (/market/index/*_close). The real start is the close before the run's first date (2023-12-29
    for feb2024, 2022-12-30 for calm2023). feb2024 figures use the dates up to 2024-02-29.
  * A target about a window of dates reads n/a until the run has passed it: the trough date
    (needs 2024-02-08), the worst day and the basis trough and recovery (2024-02-07), the calm
    year's returns (2023-12-29).
  * January return: the close of the last January trading day (a date of the log followed by a
    February one, or 2024-01-31 itself) against the start.
  * Max drawdown: the worst fall of a close below the highest level before it, start included.
  * Worst day: the lowest close-to-close return (the first day against the start); the target
    wants the run's worst day to be <= -9% AND to fall between 2024-02-01 and 2024-02-07.
  * Trough: the lowest close; the rebound is the 2024-02-29 close (or the last day's) against it.
  * "Over 5-8 Feb the hedged index rises while microcaps fall": the hedged close of 2024-02-08
    above that of 2024-02-02 (the four trading days 5, 6, 7 and 8 February) AND the microcap close
    of 2024-02-07 below that of 2024-02-02 (microcaps bottomed on the 7th and rose on the 8th).
  * Main contract: on each day, the futures slot with the most open interest at the day's last
    step (ties: the front); its annualised basis at that step is the day's close basis.
  * Basis recovery: some close strictly after the basis trough day and on or before 2024-02-20
    has a close basis above -15% annualised.
  * Locks: /market/stocks/limit_down (1 = closed at the lower limit), [day, stock]. A microcap's
    longest lock is its longest run of consecutive limit-down closes (trading days).
  * Products (/agents/daily, one column per recorded agent, values after each close, no row before
    the first day, so every path starts at the first close): DMA accounts use `equity` (cash +
    stocks + futures P&L - broker debt, which goes below zero when an account is wiped out; the
    drawdown is clipped at -100%, and -95% or worse counts as wiped out). Funds use the NAV per
    unit: a redemption request (events/redemption_requests, yuan in `price`) lowers `nav` without
    being a loss, so a day's return is (nav + requested that day) / previous nav - 1, chained;
    this is the engine's own rule for summary_neutral_*. Worst k-day return: the lowest change
    over k trading days (over fewer at the start of the path), which can be positive.

  * Counterfactuals: over the seeds present on both sides, the median of the counterfactual's
    figure against the median of feb2024's (drawdowns are negative: "at most half" is
    median counterfactual / median feb2024 <= 0.5).

Exit status 0 whatever the outcome (this is a report, not a test); 2 on unreadable input, with a
message naming the file.
"""
import argparse
import os
import sys

# The checks live in tools/calibration/ (measures, targets, output), one concern a file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calibration.measures import *  # noqa: E402,F401,F403
from calibration.output import *  # noqa: E402,F401,F403
from calibration.targets import *  # noqa: E402,F401,F403


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", help="run logs or sweep directories (every run_*.h5 in them)")
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--calm", action="store_true", help="check the calm2023 targets")
    which.add_argument("--feb2024", action="store_true", help="check the feb2024 targets (the default, unless "
                                                              "every log is a calm2023 run)")
    ap.add_argument("--paired", action="append", default=[], metavar="NAME=PATH",
                    help="counterfactual runs (a run log or sweep directory, several joined by commas) paired with "
                         "the feb2024 runs by seed; NAME: no_dma, dma_cap1x, regulator_early, no_national_team")
    ap.add_argument("--baseline", nargs="*", default=[], metavar="PATH", help="the same as --paired no_dma=PATH")
    ap.add_argument("--csv", metavar="OUT", help="also write one row per run with every figure to OUT")
    ap.add_argument("--markdown", action="store_true", help="print the tables in Markdown")
    ap.add_argument("--real", default=REAL_CSV, metavar="CSV", help="real index closes (default: %(default)s)")
    a = ap.parse_args(argv)
    try:
        logs = [read_log(p) for p in run_files(a.runs)]
        specs = parse_paired(a.paired) + ([("no_dma", a.baseline)] if a.baseline else [])
        paired_logs = [(name, [read_log(p) for p in run_files(paths)]) for name, paths in specs]
    except InputError as e:
        print(f"calibration_check: {e}", file=sys.stderr)
        return 2
    mode = CALM if a.calm else FEB if a.feb2024 else detect_mode(logs)
    real = load_real(a.real)
    out = sys.stdout
    if real is None:
        print(f"calibration_check: cannot read the real closes {a.real}: real figures n/a", file=sys.stderr)
    real_figs = real_figures(real, mode)
    runs = [measure(L, mode, real) for L in logs]
    targets = CALM_TARGETS if mode == CALM else FEB_TARGETS
    results = evaluate(targets, runs)
    paired_runs = [(name, [measure(L, FEB, real) for L in ls]) for name, ls in paired_logs]
    paired = []
    if paired_runs and mode == CALM:
        print("calibration_check: --paired applies to feb2024 runs only; ignored with calm2023", file=sys.stderr)
    elif paired_runs:
        paired = [paired_rows(name, runs, ms) for name, ms in paired_runs]
        for name, ms in paired_runs:   # a directory given under the wrong name would pass silently
            other = sorted({m["scenario"] for m in ms if m["scenario"] and m["scenario"] != name})
            if other:
                print(f"calibration_check: warning: --paired {name}: runs of scenario {', '.join(other)}",
                      file=sys.stderr)

    how = "--calm" if a.calm else "--feb2024" if a.feb2024 else "read from the logs"
    head = f"{mode} targets of issue 16 ({how}), {len(runs)} run(s)"
    out.write(("## " if a.markdown else "calibration_check: ") + head + ("\n\n" if a.markdown else "\n"))
    for i, (L, m) in enumerate(zip(logs, runs)):
        note = "" if L["complete"] == 1 else "  INCOMPLETE (complete = 0)"
        line = (f"{run_label(i, m)}: seed {m['seed']}  {m['file']}  scenario {m['scenario'] or '?'}, {m['days']} days "
                f"{m['first_date']}..{m['last_date']}{note}")
        out.write(("- " if a.markdown else "  ") + line + "\n")
    if a.markdown:
        print_markdown(mode, runs, results, real_figs, paired, real, out)
    else:
        print_text(mode, runs, results, real_figs, paired, real, out)
    if a.csv:
        try:
            write_csv(a.csv, runs, results, paired_runs)
        except OSError as e:
            print(f"calibration_check: cannot write {a.csv}: {e}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:   # output piped into head and the like
        sys.stderr.close()
        sys.exit(0)
