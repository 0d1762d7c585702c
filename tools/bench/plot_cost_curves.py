#!/usr/bin/python3
"""Plot the CSV of tools/bench/cost_curves.sh: wall time and peak memory per axis (stocks,
retail traders, days), linear axes, with the straight line from the first to the last point (a
curve below it grows faster than linearly) and the load
average of each run as a label.

    tools/bench/plot_cost_curves.py cost_curves.csv docs/figures/cost_curves.png
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(path, png):
    rows = list(csv.DictReader(open(path)))
    axes_names = [("stocks", "stocks"), ("traders", "retail traders"), ("days", "trading days")]
    fig, grid = plt.subplots(2, 3, figsize=(13, 7.5))
    for col, (axis, label) in enumerate(axes_names):
        rs = sorted((r for r in rows if r["axis"] == axis), key=lambda r: float(r["value"]))
        if not rs:
            continue
        x = [float(r["value"]) for r in rs]
        days = rs[0]["days"] if axis != "days" else "1.." + rs[-1]["days"]
        for row, (key, ylabel) in enumerate([("wall_s", "wall time (s)"), ("peak_rss_mib", "peak memory (MiB)")]):
            ax = grid[row][col]
            y = [float(r[key]) if r[key] else float("nan") for r in rs]
            ax.plot(x, y, "o-", label=ylabel.split(" (")[0])
            if key == "wall_s" and axis != "days":
                step = [float(r["step_s"]) for r in rs]
                ax.plot(x, step, "s--", label="stepping only (no setup)")
                cpu = [float(r["cpu_s"]) for r in rs]
                ax.plot(x, cpu, "^-.", label="CPU time, all threads (less load-sensitive)")
            if len(x) > 1 and y[0] == y[0] and y[-1] == y[-1]:
                # The chord: a curve that sags below it grows faster than linearly.
                ax.plot([x[0], x[-1]], [y[0], y[-1]], ":", color="grey", label="straight line, first to last point")
            ax.set_ylim(bottom=0)
            ax.set_xlabel(f"{label} ({days} day{'s' if days != '1' else ''}, {rs[0]['threads']} threads)")
            ax.set_ylabel(ylabel)
            ax.grid(True, which="both", alpha=0.3)
            if row == 0:
                for xi, yi, r in zip(x, y, rs):
                    if axis != "days" or r is rs[-1] or r is rs[0]:
                        ax.annotate(f"load {float(r['load1']):.1f}", (xi, yi), textcoords="offset points",
                                    xytext=(4, -10), fontsize=7, color="dimgrey")
            ax.legend(fontsize=7)
    fig.suptitle("bench_large cost curves (run log off; 2-vCPU VM shared with other jobs: load average per run)")
    fig.tight_layout()
    fig.savefig(png, dpi=90)


if __name__ == "__main__":
    main(*sys.argv[1:3])
