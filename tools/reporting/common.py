"""Shared pieces of the report (tools/report.py): the input error, a figure and how it is rendered
and written (PNG embedded in the page; --fig-dir files in --format, with the figure's data as CSV),
the day axis, and the statistics of returns. matplotlib and pandas are imported by _load_plotting(),
once the inputs have been checked (bad input fails fast)."""
import io
import math
import os
import sys

import numpy as np

pd = plt = None
COLORS = []
FIG_FORMATS = ("png", "svg", "pdf")
FIG_FORMAT = "png"      # format of the files written to --fig-dir (set by report.py)
# A run has eleven agent classes and matplotlib's cycle ten colours: cycling, the eleventh class
# (margin investors) took the first's colour (liquidity providers). These follow the cycle.
CLASS_EXTRA_COLORS = ("#393b79", "#8c6d31", "#e7969c", "#637939", "#7b4173")


def _load_plotting():
    global pd, plt, COLORS
    if plt is not None:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot
    import pandas
    pd, plt = pandas, pyplot
    COLORS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def class_color(c):
    """The colour of agent class `c` (its position in the log's agent_class), the same in every figure."""
    palette = list(COLORS) + list(CLASS_EXTRA_COLORS)
    return palette[c % len(palette)]


def set_format(fmt):
    global FIG_FORMAT
    if fmt not in FIG_FORMATS:
        raise ValueError(f"figure format {fmt!r}: one of {', '.join(FIG_FORMATS)}")
    FIG_FORMAT = fmt


class InputError(Exception):
    """A problem with the input files: reported in one line, exit status 2."""


class Png(bytes):
    """PNG bytes of a figure (embedded in the page), with the figure in FIG_FORMAT when that is not
    PNG (`other`, for the --fig-dir file)."""
    other = None


class Figure:
    """One figure of a page: id, title, caption, the rendered PNG (or None and a note saying why
    not), and the plotted data (a pandas DataFrame, written as <id>.csv beside the figure file)."""

    def __init__(self, fid, title, caption, png=None, note=None, data=None):
        self.fid, self.title, self.caption, self.png, self.note = fid, title, caption, png, note
        self.data = data

    def write_files(self, fig_dir, prefix=""):
        """<id>.<format> (the PNG as embedded, or the figure in --format) and <id>.csv."""
        if not fig_dir:
            return
        if self.png is not None:
            other = getattr(self.png, "other", None)
            data, ext = (other, FIG_FORMAT) if other is not None else (bytes(self.png), "png")
            with open(os.path.join(fig_dir, f"{prefix}{self.fid}.{ext}"), "wb") as fh:
                fh.write(data)
        if self.data is not None and len(self.data.columns):
            self.data.to_csv(os.path.join(fig_dir, f"{prefix}{self.fid}.csv"), index=False, float_format="%.10g")


def render(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    out = Png(buf.getvalue())
    if FIG_FORMAT != "png":
        buf = io.BytesIO()
        fig.savefig(buf, format=FIG_FORMAT)
        out.other = buf.getvalue()
    plt.close(fig)
    return out


def safe(make, *args):
    """A figure that fails becomes a note on the page (and a warning on stderr), not a failed report."""
    try:
        return make(*args)
    except Exception as e:  # noqa: BLE001
        plt.close("all")
        name = getattr(make, "__name__", "figure").replace("fig_", "").replace("<lambda>", "figure")
        print(f"report.py: warning: figure {name} failed: {type(e).__name__}: {e}", file=sys.stderr)
        return Figure(name, name, "", note=f"This figure could not be drawn: {type(e).__name__}: {e}")


def day_axis(ax, dates, n=None, closes=False):
    """Ticks at the start of trading days, labelled with their dates (thinned to about 12). With
    `closes`, the series has one value per close at 0..n-1, and the axis ends at the last close
    rather than a day after it."""
    n = len(dates) if n is None else n
    if n == 0:
        return
    every = max(1, math.ceil(n / 12))
    ticks = list(range(0, n, every))
    ax.set_xticks(ticks)
    ax.set_xticklabels([dates[i].strftime("%m-%d") for i in ticks], rotation=0, fontsize="small")
    if closes:
        ax.set_xlim(-0.5, n - 0.5)
    else:
        ax.set_xlim(-0.02 * n, n + 0.02 * n if n > 1 else 1.05)
    ax.set_xlabel(f"trading day ({dates[0].year})" if n else "trading day")
    ax.grid(alpha=0.3)


def excess_kurtosis(x):
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 4:
        return float("nan")
    c = x - x.mean()
    m2 = np.mean(c * c)
    return float(np.mean(c ** 4) / (m2 * m2) - 3.0) if m2 > 0 else float("nan")


def acf(x, lags):
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    c = x - x.mean()
    denom = np.dot(c, c)
    if len(x) < 3 or denom <= 0:
        return np.full(len(lags), np.nan)
    return np.array([np.dot(c[:-k], c[k:]) / denom if k < len(x) else np.nan for k in lags])


def step_returns(series):
    s = np.asarray(series, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.diff(np.log(s))
    return r[np.isfinite(r)]




def clip_range(values, pct=(2.0, 98.0), min_pad=2.0, include=None):
    """(lo, hi) of an axis that shows the bulk of `values` (percentiles `pct`, padded) and `include`;
    values beyond it are drawn at the edge by mark_clipped. None when no value is finite."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return None
    lo, hi = np.percentile(v, pct)
    if include is not None:
        lo, hi = min(lo, include), max(hi, include)
    pad = max(min_pad, 0.15 * (hi - lo))
    return lo - pad, hi + pad


def mark_clipped(ax, x, y, lo, hi, color="k", fmt="{:.0f}"):
    """Points of y outside [lo, hi] as triangles on the axis edge, each labelled with its value.
    Returns how many were clipped."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = 0
    for side, mask, marker, va in ((hi, y > hi, "^", "top"), (lo, y < lo, "v", "bottom")):
        if not mask.any():
            continue
        n += int(mask.sum())
        edge = hi - 0.02 * (hi - lo) if side == hi else lo + 0.02 * (hi - lo)
        ax.plot(x[mask], np.full(mask.sum(), edge), marker, color=color, ms=6, ls="none")
        for xi, yi in list(zip(x[mask], y[mask]))[:12]:
            ax.annotate(fmt.format(yi), (xi, edge), textcoords="offset points", xytext=(4, -10 if va == "top" else 4),
                        fontsize="x-small", color=color)
    return n


def day_frame(run, /, **columns):
    """DataFrame of per-day columns, led by the date (the figure's CSV)."""
    out = pd.DataFrame({"date": [d.strftime("%Y-%m-%d") for d in run.dates]})
    for k, v in columns.items():
        out[k] = v
    return out


def step_frame(run, /, **columns):
    """DataFrame of per-step columns, led by the step, its date and its x position on the day axis."""
    rows = np.clip(np.searchsorted(run.day, run.day_of_step), 0, max(run.n_days - 1, 0))
    dates = [run.dates[r].strftime("%Y-%m-%d") for r in rows] if run.n_days else [""] * len(run.step)
    out = pd.DataFrame({"step": run.step, "date": dates, "x_day": run.x_step})
    for k, v in columns.items():
        out[k] = v
    return out
