#!/usr/bin/env python3
"""Phase diagram of a sweep: an outcome against one or two swept parameters.

    tools/phase_diagram.py SWEEP [--x KEY] [--y KEY] [--metric NAME [NAME ...]] [-o out.png]

SWEEP is a sweep's output directory (its summary.h5, else summary.csv), or either file itself.

One parameter: the replicate mean as a line, the min-max band over replicates and every replicate
as a dot. Two parameters: a heatmap of the replicate mean (each cell annotated with mean and
standard deviation when the grid is small). Parameters not on an axis are averaged over (the
title says so). Only runs with status "ok" count. By default --x/--y are the swept parameters
that take more than one value and the metric is microcap_max_drawdown; `--list` prints the
parameters and metrics of the summary. Several metrics (`--metric a b`, or --metric repeated)
give one panel each. Input it cannot use (a missing file, a directory without a summary, a file
that is not a summary, an unknown parameter or metric) gets one line naming it and exit code 2.
"""
import argparse
import os
import sys

import h5py
import numpy as np
import pandas as pd

FIXED = ("run", "run_id", "replicate", "seed", "status", "error")


class InputError(Exception):
    """Input the tool cannot use: printed as one line, exit code 2."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with a command-line mistake as one line (not usage + message), exit code 2."""

    def error(self, message):
        print(f"phase_diagram: error: {message} (tools/phase_diagram.py --help)", file=sys.stderr)
        sys.exit(2)


def summary_file(path):
    """The summary a path names: the file itself, or a sweep directory's summary.h5 (else .csv)."""
    if os.path.isdir(path):
        for name in ("summary.h5", "summary.csv"):
            candidate = os.path.join(path, name)
            if os.path.isfile(candidate):
                return candidate
        raise InputError(f"{path}: directory has no summary.h5 or summary.csv "
                         f"(a sweep writes them when it ends; after shards run `stampede merge {path}`)")
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or directory")
    return path


def load(path):
    """(runs table, swept parameters, outcome metrics) of a sweep summary (.h5 or .csv)."""
    path = summary_file(path)
    if h5py.is_hdf5(path):
        with h5py.File(path, "r") as f:
            if "runs" not in f:
                raise InputError(f"{path}: no /runs table (not a summary.h5 of stampede sweep / batch / merge)")
            df = pd.DataFrame(f["runs"][:])
            metrics = f.attrs.get("metrics", b"")
        for c in df.columns:   # fixed-length strings come as bytes
            if df[c].dtype == object and len(df) and isinstance(df[c].iloc[0], bytes):
                df[c] = df[c].str.decode("utf-8")
        if isinstance(metrics, bytes):
            metrics = metrics.decode()
        metrics = str(metrics).split()
    else:
        try:
            df = pd.read_csv(path)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
            raise InputError(f"{path}: neither an HDF5 nor a CSV sweep summary ({str(e).splitlines()[0]})") from None
        metrics = None
    cols = list(df.columns)
    missing = [c for c in ("run_id", "replicate", "status") if c not in cols]
    if missing:
        raise InputError(f"{path}: not a sweep summary: no column {', '.join(missing)} "
                         f"(expected run, run_id, parameters..., replicate, seed, status, error, metrics...)")
    params = cols[cols.index("run_id") + 1:cols.index("replicate")]
    if metrics is None:   # the CSV lists the metrics after the fixed columns
        metrics = [c for c in cols[cols.index("replicate"):] if c not in FIXED]
    return path, df, params, metrics


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
    ap = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("summary", metavar="SWEEP",
                    help="sweep directory, or its summary.h5 / summary.csv (stampede sweep / batch / merge)")
    ap.add_argument("--x", help="parameter on the x axis")
    ap.add_argument("--y", help="parameter on the y axis (a heatmap)")
    ap.add_argument("--metric", nargs="+", action="extend", metavar="NAME",
                    help="outcome metrics, one panel each (--metric a b, or repeated; default microcap_max_drawdown)")
    ap.add_argument("-o", "--output", default="phase_diagram.png", help="image to write (.png, .pdf, .svg)")
    ap.add_argument("--list", action="store_true", help="print the swept parameters and the metrics, and exit")
    a = ap.parse_args(argv)
    try:
        return plot(a)
    except InputError as e:
        print(f"phase_diagram: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:   # an unreadable file or directory, a damaged HDF5 file
        print(f"phase_diagram: error: {getattr(e, 'filename', None) or a.summary}: {e.strerror or e}", file=sys.stderr)
        return 2


def plot(a):
    path, df, params, metrics = load(a.summary)
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
            raise InputError(f"{p!r} is not a swept parameter of {path}; parameters: {', '.join(params) or 'none'}")
    if not axes:
        raise InputError(f"no parameter of {path} takes more than one value; give --x")
    if len(axes) == 2 and axes[0] == axes[1]:
        raise InputError(f"--x and --y both name {axes[0]!r}; give two different parameters (or --x alone)")
    chosen = a.metric or ["microcap_max_drawdown"]
    for m in chosen:
        if m not in df.columns or m in FIXED or m in params:
            raise InputError(f"{m!r} is not an outcome metric of {path}; metrics: {', '.join(metrics)}")
    ok = df[df["status"] == "ok"]
    if ok.empty:
        raise InputError(f"{path} has no run with status ok")
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
    fig.suptitle(f"{path}: {len(ok)} runs" + (f" ({failed} not ok, left out)" if failed else ""), fontsize="small")
    fig.tight_layout()
    try:
        fig.savefig(a.output, dpi=120)
    except (OSError, ValueError) as e:
        raise InputError(f"-o {a.output}: cannot write the figure ({e})") from None
    print(f"phase diagram: {a.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
