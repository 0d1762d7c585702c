#!/usr/bin/env python3
"""Phase diagram of a sweep: an outcome against one or two swept parameters.

    tools/phase_diagram.py DIR/summary.h5 [--x KEY] [--y KEY] [--metric NAME ...] [-o out.png]

One parameter: the replicate mean as a line, the min-max band over replicates and every replicate
as a dot. Two parameters: a heatmap of the replicate mean (each cell annotated with mean and
standard deviation when the grid is small). Parameters not on an axis are averaged over (the
title says so). Only runs with status "ok" count. By default --x/--y are the swept parameters
that take more than one value and the metric is microcap_max_drawdown; `--list` prints the
parameters and metrics of the summary. Several --metric give one panel each.
"""
import argparse
import sys

import h5py
import numpy as np
import pandas as pd

FIXED = ("run", "run_id", "replicate", "seed", "status", "error")


def load(path):
    with h5py.File(path, "r") as f:
        if "runs" not in f:
            sys.exit(f"{path}: no /runs table (is this a stampede sweep summary.h5?)")
        df = pd.DataFrame(f["runs"][:])
        metrics = f.attrs.get("metrics", b"")
    for c in df.columns:   # fixed-length strings come as bytes
        if df[c].dtype == object and len(df) and isinstance(df[c].iloc[0], bytes):
            df[c] = df[c].str.decode("utf-8")
    if isinstance(metrics, bytes):
        metrics = metrics.decode()
    metrics = str(metrics).split()
    cols = list(df.columns)
    params = cols[cols.index("run_id") + 1:cols.index("replicate")]
    return df, params, metrics


def label(name):
    return name.replace("_", " ")


def one_parameter(ax, ok, x, metric, others):
    g = ok.groupby(x)[metric]
    stats = pd.DataFrame({"mean": g.mean(), "min": g.min(), "max": g.max(), "n": g.count()}).reset_index()
    numeric = pd.api.types.is_numeric_dtype(ok[x])
    xs = stats[x] if numeric else np.arange(len(stats))
    ax.fill_between(xs, stats["min"], stats["max"], alpha=0.25, label="min-max over replicates")
    ax.plot(xs, stats["mean"], marker="o", label="mean")
    pos = ok[x] if numeric else ok[x].map({v: i for i, v in enumerate(stats[x])})
    ax.scatter(pos, ok[metric], s=10, color="k", alpha=0.5, label="runs")
    if not numeric:
        ax.set_xticks(xs)
        ax.set_xticklabels(stats[x], rotation=30, ha="right")
    ax.set_xlabel(x)
    ax.set_ylabel(label(metric))
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    reps = int(stats["n"].max()) if len(stats) else 0
    ax.set_title(f"{label(metric)}\n({reps} replicates per point{others})", fontsize="medium")


def two_parameters(ax, fig, ok, x, y, metric, others):
    mean = ok.pivot_table(index=y, columns=x, values=metric, aggfunc="mean")
    std = ok.pivot_table(index=y, columns=x, values=metric, aggfunc="std")
    im = ax.imshow(mean.values, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(mean.columns)))
    ax.set_xticklabels([f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in mean.columns], rotation=30, ha="right")
    ax.set_yticks(range(len(mean.index)))
    ax.set_yticklabels([f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in mean.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    fig.colorbar(im, ax=ax, label=f"{label(metric)} (replicate mean)")
    if mean.size <= 64:
        for i in range(mean.shape[0]):
            for j in range(mean.shape[1]):
                m, s = mean.values[i, j], std.values[i, j]
                if np.isfinite(m):
                    txt = f"{m:.3g}" + (f"\n±{s:.2g}" if np.isfinite(s) else "")
                    ax.text(j, i, txt, ha="center", va="center", fontsize="x-small", color="w")
    ax.set_title(f"{label(metric)}{others}", fontsize="medium")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("summary", help="summary.h5 written by stampede sweep / batch / merge")
    ap.add_argument("--x", help="parameter on the x axis")
    ap.add_argument("--y", help="parameter on the y axis (a heatmap)")
    ap.add_argument("--metric", action="append", help="outcome metric (repeatable; default microcap_max_drawdown)")
    ap.add_argument("-o", "--output", default="phase_diagram.png", help="image to write (.png, .pdf, .svg)")
    ap.add_argument("--list", action="store_true", help="print the swept parameters and the metrics, and exit")
    a = ap.parse_args(argv)

    df, params, metrics = load(a.summary)
    if a.list:
        for p in params:
            print(f"parameter {p}: {sorted(df[p].unique().tolist())}")
        for m in metrics:
            print(f"metric {m}")
        return 0
    varying = [p for p in params if df[p].nunique() > 1]
    axes = [p for p in (a.x, a.y) if p]
    if not axes:
        axes = varying[:2]
    for p in axes:
        if p not in params:
            sys.exit(f"error: {p!r} is not a swept parameter of {a.summary}; parameters: {', '.join(params)}")
    if not axes:
        sys.exit(f"error: no parameter of {a.summary} takes more than one value; give --x")
    chosen = a.metric or ["microcap_max_drawdown"]
    for m in chosen:
        if m not in df.columns or m in FIXED or m in params:
            sys.exit(f"error: {m!r} is not an outcome metric of {a.summary}; metrics: {', '.join(metrics)}")
    ok = df[df["status"] == "ok"]
    if ok.empty:
        sys.exit(f"error: {a.summary} has no run with status ok")
    rest = [p for p in varying if p not in axes]
    others = f"; averaged over {', '.join(rest)}" if rest else ""

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, len(chosen), figsize=(6.4 * len(chosen), 4.8), squeeze=False)
    for ax, m in zip(axs[0], chosen):
        if len(axes) == 1:
            one_parameter(ax, ok, axes[0], m, others)
        else:
            two_parameters(ax, fig, ok, axes[0], axes[1], m, others)
    failed = int((df["status"] != "ok").sum())
    fig.suptitle(f"{a.summary}: {len(ok)} runs" + (f" ({failed} not ok, left out)" if failed else ""), fontsize="small")
    fig.tight_layout()
    fig.savefig(a.output, dpi=120)
    print(f"phase diagram: {a.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
