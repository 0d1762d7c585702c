#!/usr/bin/python3
"""HTML report of a stampede run log, or a comparison of several.

    tools/report.py RUN.h5 [-o REPORT.html] [--png-dir DIR] [--title TEXT]
    tools/report.py compare A.h5 B.h5 ... [--labels NAME ...] [-o COMPARE.html] [--png-dir DIR]
    tools/report.py DIR [-o REPORT.html] [--png-dir DIR]    # an ensemble or sweep directory

A report is ONE self-contained HTML page (every figure is a PNG embedded as a base64 data URI; the
page loads nothing else): the run's summary table (the run log's `summary_*` attributes), the
figures of the crash (indices and futures, basis, limit-down counts, NAV and leverage by agent
class, margin calls and liquidations, forced selling, stylised facts of returns), event counts and
the resolved scenario. A figure whose data the log lacks (no DMA accounts, no futures trades, a
run that stopped early) is replaced by a note saying so. `compare` overlays several runs (e.g. the
feb2024 scenario against its counterfactuals) and tabulates their summaries side by side; it refuses
runs of different lengths or calendars (--allow-different-days overlays them anyway, with a warning).
A directory of `stampede ensemble` or `stampede sweep` gives fan charts over the seeds and the
paired-difference table (tools/report_ensemble.py).

--png-dir also writes every figure as DIR/<figure id>.png. Exit status: 0 on success, 2 when an
input is missing or is not a stampede run log (one line on stderr naming it). docs/report.md
describes every figure. Needs h5py, numpy, pandas and matplotlib (Debian: python3-h5py,
python3-numpy, python3-pandas, python3-matplotlib).
"""
import argparse
import base64
import datetime
import html
import io
import math
import os
import re
import sys
import tomllib

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover
    sys.exit("report.py needs h5py (Debian: apt-get install python3-h5py)")

# The real index closes, read the way the calibration check reads them (tools/calibration/).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calibration.measures import REAL_CSV, load_real  # noqa: E402

# pandas and matplotlib are imported once an input has been checked (bad input fails fast).
pd = plt = None
COLORS = []


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

SCHEMA_PREFIX = "stampede-run/"
DMA, NEUTRAL = "dma_account", "neutral_fund"
MAIN_CONTRACT_MIN_DAYS = 5          # as the engine: the next contract in the front's last 5 calendar days


class InputError(Exception):
    """A problem with the input files: reported in one line, exit status 2."""


# ----------------------------------------------------------------------------------------------
# Reading a run log


def _text(x):
    return x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x)


class Run:
    """What the report needs from one run log, read once; missing parts are None or empty."""

    def __init__(self, path, label=None):
        self.path = path
        if not os.path.exists(path):
            raise InputError(f"{path}: no such file")
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory, not a run log")
        try:
            f = h5py.File(path, "r")
        except OSError as e:
            raise InputError(f"{path}: not an HDF5 file, so not a stampede run log ({e})") from None
        with f:
            schema = _text(f.attrs.get("schema", ""))
            if not schema.startswith(SCHEMA_PREFIX):
                raise InputError(f"{path}: not a stampede run log (root attribute schema is "
                                 f"{schema!r}, expected '{SCHEMA_PREFIX}1' or '{SCHEMA_PREFIX}2')")
            _load_plotting()
            self._read(f)
        self.label = label or self.scenario

    def _read(self, f):
        a = f.attrs
        self.attrs = {k: (_text(v) if isinstance(v, (bytes, str)) else v) for k, v in a.items()}
        self.schema = _text(a["schema"])
        self.scenario = _text(a.get("scenario", os.path.basename(self.path)))
        self.complete = int(a.get("complete", 0)) == 1
        self.seed = int(a["seed"]) if "seed" in a else None
        self.steps_per_day = int(a.get("steps_per_day", 0)) or None
        self.summary = {k[len("summary_"):]: float(v) for k, v in a.items() if k.startswith("summary_")}

        def get(path, default=None):
            return f[path][:] if path in f else default

        def strings(path):
            return list(f[path].asstr()[:]) if path in f else []

        self.dates = pd.to_datetime(strings("date")) if "date" in f else pd.DatetimeIndex([])
        self.n_days = len(self.dates)
        self.step = get("step", np.zeros(0, np.int64))
        self.day_of_step = get("day_of_step", np.zeros(0, np.int32))
        self.day = get("day", np.zeros(0, np.int32))
        self.stocks = strings("stock")
        self.segment_names = strings("segment") or ["microcap", "constituent", "large_cap"]
        self.stock_segment = get("market/stocks/segment")
        self.hedged = get("market/index/hedged")
        self.microcap = get("market/index/microcap")
        self.hedged_close = get("market/index/hedged_close")
        self.microcap_close = get("market/index/microcap_close")
        self.fut_price = get("market/futures/price")
        self.fut_basis_ann = get("market/futures/basis_annualised")
        self.fut_volume = get("market/futures/volume")
        self.fut_code = [list(r) for r in f["market/futures/code"].asstr()[:]] if "market/futures/code" in f else []
        self.limit_down = get("market/stocks/limit_down")   # uint8 in the file: count in int64
        self.limit_up = get("market/stocks/limit_up")
        if self.limit_down is not None:
            self.limit_down = self.limit_down.astype(np.int64)
        if self.limit_up is not None:
            self.limit_up = self.limit_up.astype(np.int64)
        self.close = get("market/stocks/close")
        # present in every log, but all NaN when the run did not record step prices
        self.last_price = get("market/stocks/last_price") if int(f.attrs.get("record_step_prices", 1)) == 1 else None
        self.classes = strings("agent_class")
        self.class_steps = {k: get(f"agents/classes/{k}") for k in
                            ("nav", "equity", "gross_long", "leverage", "accounts", "in_margin_call", "liquidating")}
        self.daily_class = get("agents/daily/agent_class", np.zeros(0, np.int32))
        self.daily_nav = get("agents/daily/nav")
        self.daily_equity = get("agents/daily/equity")
        self.daily_leverage = get("agents/daily/leverage")
        self.flows = {k: get(f"agents/flows/{k}") for k in ("sell_forced", "sell_voluntary", "sell_aggressive", "buy")}
        self.events = {}
        if "events" in f:
            for kind in f["events"]:
                df = pd.DataFrame(f["events"][kind][:])
                for c in ("agent_class", "reason"):
                    if c in df:
                        df[c] = df[c].str.decode("utf-8", "replace")
                self.events[kind] = df
        self.scenario_toml = _text(f["meta/scenario_toml"].asstr()[()]) if "meta/scenario_toml" in f else ""
        self.scenario_resolved = (_text(f["meta/scenario_resolved"].asstr()[()])
                                  if "meta/scenario_resolved" in f else "")
        self.params = parse_resolved(self.scenario_resolved)
        try:
            self.days_planned = int(self.params.get(("", "days"), (None,))[0])
        except (TypeError, ValueError):
            self.days_planned = None
        self._positions()

    def _positions(self):
        """x position of every step: trading-day row + fraction of the day (days are 0, 1, 2, ...)."""
        n = len(self.step)
        if n == 0 or len(self.day) == 0:
            self.x_step = np.zeros(0)
            return
        row = np.clip(np.searchsorted(self.day, self.day_of_step), 0, len(self.day) - 1)
        first = np.zeros(n, dtype=np.int64)
        starts = np.r_[0, np.flatnonzero(np.diff(row)) + 1]
        for s, e in zip(starts, np.r_[starts[1:], n]):
            first[s:e] = self.step[s]
        per_day = self.steps_per_day or max(1, int(np.max(np.bincount(row))))
        self.x_step = row + (self.step - first) / per_day
        self.x_step = self.x_step[:n]

    # -- derived series

    def class_index(self, name):
        return self.classes.index(name) if name in self.classes else None

    def has(self, *arrays):
        return all(a is not None and np.size(a) > 0 for a in arrays)

    def main_basis(self):
        """Annualised basis of the main contract at each step: the front, or the next contract in
        the front's last 5 calendar days (as the run summary)."""
        if not self.has(self.fut_basis_ann) or not self.fut_code or self.n_days == 0:
            return None
        use_next = np.zeros(self.n_days, dtype=bool)
        for d, (date, codes) in enumerate(zip(self.dates, self.fut_code)):
            expiry = third_friday_of(codes[0])
            if expiry is not None:
                use_next[d] = (expiry - date.date()).days < MAIN_CONTRACT_MIN_DAYS
        row = np.clip(np.searchsorted(self.day, self.day_of_step), 0, self.n_days - 1)
        slot = use_next[row].astype(int) if self.fut_basis_ann.shape[1] > 1 else np.zeros(len(row), int)
        return self.fut_basis_ann[np.arange(len(row)), slot]

    def daily_counts(self, kind, reason=None, prefix=None):
        """Events of a kind per trading day (optionally only one reason or a reason prefix)."""
        out = np.zeros(self.n_days)
        df = self.events.get(kind)
        if df is None or len(df) == 0 or self.n_days == 0:
            return out
        if reason is not None:
            df = df[df["reason"] == reason]
        if prefix is not None:
            df = df[df["reason"].str.startswith(prefix)]
        rows = np.searchsorted(self.day, df["day"].to_numpy())
        rows = rows[(rows >= 0) & (rows < self.n_days)]
        np.add.at(out, rows, 1)
        return out

    def incomplete_note(self):
        if self.complete:
            return None
        planned = f" of {self.days_planned}" if self.days_planned else ""
        return (f"This run did not finish (root attribute complete = 0): {self.n_days}{planned} trading days "
                f"were written; the summary attributes are missing and the figures stop at the last day written.")


def third_friday_of(code):
    """Expiry date of a CFFEX-style code like IM2402 (third Friday of February 2024), or None."""
    m = re.search(r"(\d{2})(\d{2})$", code or "")
    if not m:
        return None
    year, month = 2000 + int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return None
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(4 - first.weekday()) % 7 + 14)


def parse_resolved(text):
    """{(section, key): (value, comment)} from the resolved scenario TOML (its comments carry units
    and meanings). Values are parsed with tomllib; a line it cannot parse keeps its text."""
    out = {}
    section = ""
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        m = re.match(r"^\[([^\]]+)\]", s)
        if m:
            section = m.group(1).strip()
            continue
        m = re.match(r"^([A-Za-z0-9_\-\.]+)\s*=\s*(.*)$", s)
        if not m:
            continue
        key, rest = m.group(1), m.group(2)
        value_text, comment = rest, ""
        for cut in [i.start() for i in re.finditer(r"\s#", rest)]:
            try:
                value = tomllib.loads("v = " + rest[:cut])["v"]
            except tomllib.TOMLDecodeError:
                continue
            value_text, comment = rest[:cut], rest[cut:].strip()[1:].strip()
            break
        else:
            try:
                value = tomllib.loads("v = " + rest)["v"]
            except tomllib.TOMLDecodeError:
                value = rest
        out[(section, key)] = (value, comment)
        del value_text
    return out


def overrides_of(text):
    return [line[len("# --set "):].strip() for line in text.splitlines() if line.startswith("# --set ")]


# ----------------------------------------------------------------------------------------------
# Figures


class Figure:
    def __init__(self, fid, title, caption, png=None, note=None):
        self.fid, self.title, self.caption, self.png, self.note = fid, title, caption, png, note


def render(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def day_axis(ax, dates, n=None):
    """Ticks at the start of trading days, labelled with their dates (thinned to about 12)."""
    n = len(dates) if n is None else n
    if n == 0:
        return
    every = max(1, math.ceil(n / 12))
    ticks = list(range(0, n, every))
    ax.set_xticks(ticks)
    ax.set_xticklabels([dates[i].strftime("%m-%d") for i in ticks], rotation=0, fontsize="small")
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


def real_reference(run):
    """The real microcap index and CSI 1000 (the hedged index's model, key "hedged") over the run's
    dates, each divided by its close before the first day, or None when the shipped file does not
    cover every day of the run. For reading beside the run only: stampede never feeds them into a
    run."""
    real = load_real(REAL_CSV) if len(run.dates) else None
    if real is None:
        return None
    row = {d: i for i, d in enumerate(real["dates"])}
    rows = [row.get(d.strftime("%Y-%m-%d")) for d in run.dates]
    if None in rows or rows[0] == 0:
        return None
    return {name: real[name][rows] / real[name][rows[0] - 1] for name in ("microcap", "hedged")}


def fig_indices(run):
    fid, title = "indices", "Indices and index futures"
    caption = ("Top: the hedged index (the futures' underlying) with the front and next futures prices; "
               "futures below the index are at a discount. Bottom: both indices divided by their first "
               "value. Look for microcaps falling faster than the hedged index (the crowding crash), and "
               "for the hedged index rising on state buying while microcaps keep falling. Where the run's "
               "dates are real trading days of scenarios/data/, the real CSI 1000 and microcap index are "
               "drawn dashed beside them (for reference; never an input of the run).")
    if not run.has(run.hedged, run.microcap) or len(run.x_step) == 0:
        return Figure(fid, title, caption, note="No index series in this run log (no steps written).")
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    x = run.x_step
    ax1.plot(x, run.hedged, color="k", lw=1.3, label="hedged index")
    if run.has(run.fut_price):
        for k, name in enumerate(("front", "next")[: run.fut_price.shape[1]]):
            p = run.fut_price[:, k]
            if np.any(np.isfinite(p) & (p > 0)):
                ax1.plot(x, np.where(p > 0, p, np.nan), lw=0.9, color=COLORS[k], label=f"futures ({name})")
    ax1.set_ylabel("points")
    ax1.legend(fontsize="small")
    ax1.set_title(title)
    ax1.grid(alpha=0.3)
    ax2.plot(x, run.hedged / run.hedged[0], color="k", lw=1.2, label="hedged index")
    ax2.plot(x, run.microcap / run.microcap[0], color=COLORS[3], lw=1.2, label="microcap index")
    real = real_reference(run)
    if real is not None:   # real closes at the end of each trading day, dashed
        days = np.arange(1, len(run.dates) + 1)
        ax2.plot(days, real["hedged"], color="k", lw=1.0, ls="--", marker=".", ms=3, label="real CSI 1000")
        ax2.plot(days, real["microcap"], color=COLORS[3], lw=1.0, ls="--", marker=".", ms=3,
                 label="real microcap index")
    ax2.axhline(1.0, color="grey", lw=0.6)
    ax2.set_ylabel("relative to first step")
    ax2.legend(fontsize="small")
    day_axis(ax2, run.dates)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig))


def fig_basis(run):
    fid, title = "basis", "Annualised futures basis"
    caption = ("(futures − index) / index, annualised, in percent; negative = discount. The thick line is the "
               "main contract (the front, or the next contract in the front's last 5 calendar days, when "
               "annualising over a few days is meaningless): the one the summary's deepest basis is taken "
               "from. Look for the discount deepening as the index falls through snowball knock-in "
               "barriers (issuers dump their long futures) and as hedgers pile into shorts.")
    main = run.main_basis()
    if main is None or len(run.x_step) == 0:
        return Figure(fid, title, caption, note="No futures series in this run log.")
    if not run.has(run.fut_volume) or run.fut_volume.sum() == 0:
        note = "No futures traded in this run: the futures prices (and so the basis) are only quotes."
    else:
        note = None
    fig, ax = plt.subplots(figsize=(10, 4))
    x = run.x_step
    for k, name in enumerate(("front", "next")[: run.fut_basis_ann.shape[1]]):
        ax.plot(x, 100 * run.fut_basis_ann[:, k], lw=0.7, alpha=0.6, color=COLORS[k], label=name)
    ax.plot(x, 100 * main, lw=1.6, color="k", label="main contract")
    finite = 100 * main[np.isfinite(main)]
    if len(finite):
        lo, hi = np.percentile(finite, [0.5, 99.5])
        pad = max(2.0, 0.15 * (hi - lo))
        ax.set_ylim(min(lo, 0) - pad, max(hi, 0) + pad)
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_ylabel("annualised basis (%)")
    ax.set_title(title)
    ax.legend(fontsize="small", loc="lower left")
    day_axis(ax, run.dates)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig), note)


def fig_limits(run):
    fid, title = "limits", "Stocks closing at their price limits"
    caption = ("Stocks that closed at limit-down (red, below zero) and limit-up (green) each day, split by "
               "segment (darkest: microcaps). Look for a day with a large share of microcaps locked "
               "limit-down (5 Feb 2024: over 1,000 stocks) and, in the rebound, limit-down stocks "
               "outnumbering limit-up ones.")
    if not run.has(run.limit_down, run.limit_up) or run.n_days == 0:
        return Figure(fid, title, caption, note="No daily limit flags in this run log (no day finished).")
    seg = run.stock_segment if run.has(run.stock_segment) else np.zeros(run.limit_down.shape[1], np.uint8)
    fig, ax = plt.subplots(figsize=(10, 4))
    x = np.arange(run.n_days)
    down_base = np.zeros(run.n_days)
    up_base = np.zeros(run.n_days)
    reds, greens = ["#8b0000", "#d62728", "#f4a6a6"], ["#00561b", "#2ca02c", "#a8dba8"]
    for s, name in enumerate(run.segment_names):
        mask = seg == s
        if not mask.any():
            continue
        down = run.limit_down[:, mask].sum(axis=1)
        up = run.limit_up[:, mask].sum(axis=1)
        ax.bar(x, -down, bottom=-down_base, color=reds[s % 3], width=0.8, label=f"limit-down: {name}")
        ax.bar(x, up, bottom=up_base, color=greens[s % 3], width=0.8, label=f"limit-up: {name}")
        down_base += down
        up_base += up
    for i in range(run.n_days):
        if down_base[i]:
            ax.annotate(f"{int(down_base[i])}", (i, -down_base[i]), ha="center", va="top", fontsize="x-small")
        if up_base[i]:
            ax.annotate(f"{int(up_base[i])}", (i, up_base[i]), ha="center", va="bottom", fontsize="x-small")
    ax.axhline(0, color="k", lw=0.6)
    lim = max(1.0, down_base.max(), up_base.max()) * 1.2
    ax.set_ylim(-lim, lim)
    ax.set_ylabel(f"stocks (of {run.limit_down.shape[1]})")
    ax.set_title(title)
    ax.legend(fontsize="x-small", ncol=3, loc="lower left")
    day_axis(ax, run.dates)
    ax.set_xlim(-0.6, run.n_days - 0.4)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig))


def fig_classes(run):
    fid, title = "classes", "NAV and leverage by agent class"
    caption = ("Top: each class's NAV (investors' capital, summed over its agents) divided by its first value. "
               "Bottom: the class's leverage, gross long / equity. Look for the DMA accounts' NAV collapsing "
               "and their leverage spiking as prices fall (leverage rises before the broker cuts it), neutral "
               "funds losing on both legs, and the classes that buy in the crash.")
    nav, lev = run.class_steps.get("nav"), run.class_steps.get("leverage")
    if not run.classes or not run.has(nav) or len(run.x_step) == 0:
        return Figure(fid, title, caption, note="No agent classes in this run log.")
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    x = run.x_step
    gross = run.class_steps.get("gross_long")
    for c, name in enumerate(run.classes):
        v0 = nav[0, c]
        if not np.isfinite(v0) or v0 <= 0:
            continue
        ax1.plot(x, nav[:, c] / v0, lw=1.6 if name in (DMA, NEUTRAL) else 0.9, label=name, color=COLORS[c % len(COLORS)])
    ax1.axhline(1.0, color="grey", lw=0.6)
    ax1.set_ylabel("NAV / first value")
    ax1.set_title(title)
    ax1.legend(fontsize="x-small", ncol=3)
    ax1.grid(alpha=0.3)
    if run.has(lev):
        for c, name in enumerate(run.classes):
            y = lev[:, c]
            if gross is not None and np.nanmax(np.abs(gross[:, c])) <= 0:
                continue
            if not np.any(np.isfinite(y)):
                continue
            ax2.plot(x, y, lw=1.6 if name in (DMA, NEUTRAL) else 0.9, label=name, color=COLORS[c % len(COLORS)])
        ax2.set_ylabel("gross long / equity")
        ax2.legend(fontsize="x-small", ncol=3)
    day_axis(ax2, run.dates)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig))


def fig_agent_nav(run):
    fid, title = "agent_nav", "NAV of individual funds and accounts"
    caption = ("For each class with a daily row per agent: the median agent's NAV (line) and the 10-90% range "
               "over agents (band), each agent divided by its NAV after the first close (the log has no row "
               "before it). DMA accounts at zero have been wiped out. Look for the spread between DMA "
               "accounts and unlevered neutral funds.")
    if not run.has(run.daily_nav, run.daily_class) or run.n_days == 0:
        return Figure(fid, title, caption, note="No agents with a daily row in this run log (no funds or DMA accounts).")
    fig, ax = plt.subplots(figsize=(10, 4))
    x = np.arange(run.n_days) + 1.0   # rows are after each close
    drawn = 0
    for c, name in enumerate(run.classes):
        cols = np.flatnonzero(run.daily_class == c)
        if len(cols) == 0:
            continue
        v = run.daily_nav[:, cols]
        base = v[0]
        ok = np.isfinite(base) & (base > 0)
        if not ok.any():
            continue
        rel = v[:, ok] / base[ok]
        med = np.nanmedian(rel, axis=1)
        lo, hi = np.nanpercentile(rel, 10, axis=1), np.nanpercentile(rel, 90, axis=1)
        color = COLORS[c % len(COLORS)]
        ax.fill_between(x, lo, hi, color=color, alpha=0.2)
        ax.plot(x, med, color=color, lw=1.5, marker="o", ms=3, label=f"{name} ({ok.sum()})")
        drawn += 1
    if not drawn:
        plt.close(fig)
        return Figure(fid, title, caption, note="No agent with a positive NAV after the first close.")
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_ylabel("NAV / NAV after day 1")
    ax.set_title(title)
    ax.legend(fontsize="small")
    day_axis(ax, run.dates)
    ax.set_xlim(0.5, run.n_days + 0.5)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig))


def fig_stress(run):
    fid, title = "margin", "Margin calls and liquidations"
    caption = ("Top: per day, DMA margin-call warnings, liquidations started by brokers, accounts that left "
               "their broker a shortfall, and neutral funds' risk-limit cuts and redemption requests. Bottom: "
               "DMA accounts in a margin call or being liquidated at each step, and the brokers' shortfall marked "
               "to market at each close (the DMA accounts' negative equity; right axis). Look for the calls and "
               "liquidations clustering in the crash days, and for liquidations dragging on while books are "
               "locked limit-down.")
    dma = run.class_index(DMA)
    if dma is not None and not run.has(run.class_steps.get("in_margin_call")):
        dma = None   # the class is named but its step rows are missing
    if run.n_days == 0:
        return Figure(fid, title, caption, note="No day finished: no events to count.")
    series = [("margin calls (warning)", run.daily_counts("margin_calls", reason="warning"), "#ff7f0e"),
              ("liquidations started", run.daily_counts("liquidations", prefix="start_"), "#d62728"),
              ("broker shortfalls", run.daily_counts("broker_shortfalls"), "#7f0000"),
              ("risk-limit cuts", run.daily_counts("risk_limits"), "#9467bd"),
              ("redemption requests", run.daily_counts("redemption_requests"), "#8c564b")]
    if dma is None and not any(s[1].sum() for s in series):
        return Figure(fid, title, caption, note="No DMA accounts and no fund stress events in this run.")
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6), gridspec_kw={"height_ratios": [3, 2]})
    x = np.arange(run.n_days)
    width = 0.8 / len(series)
    for k, (name, y, color) in enumerate(series):
        ax1.bar(x - 0.4 + width * (k + 0.5), y, width=width, color=color, label=f"{name} ({int(y.sum())})")
    ax1.set_ylabel("events per day")
    ax1.set_title(title)
    ax1.legend(fontsize="x-small", ncol=2)
    day_axis(ax1, run.dates)
    ax1.set_xlim(-0.6, run.n_days - 0.4)
    if dma is not None:
        ax2.plot(run.x_step, run.class_steps["in_margin_call"][:, dma], color="#ff7f0e", label="DMA in margin call")
        ax2.plot(run.x_step, run.class_steps["liquidating"][:, dma], color="#d62728", label="DMA being liquidated")
        total = int(np.nanmax(run.class_steps["accounts"][:, dma])) if run.has(run.class_steps.get("accounts")) else 0
        ax2.set_ylabel(f"accounts (of {total})")
        shortfall = broker_shortfall(run)
        if shortfall is not None and np.any(shortfall > 0):
            # The brokers' exposure marked at each close: what the DMA accounts under water owe.
            ax3 = ax2.twinx()
            ax3.step(np.arange(1, run.n_days + 1), shortfall / 1e6, where="post", color="#7f0000", lw=1.2,
                     label="broker shortfall, marked (right)")
            ax3.set_ylabel("million yuan")
            ax3.legend(fontsize="small", loc="upper right")
        ax2.legend(fontsize="small", loc="upper left")
    else:
        ax2.text(0.5, 0.5, "no DMA accounts in this run", ha="center", va="center", transform=ax2.transAxes)
    day_axis(ax2, run.dates)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig))


def broker_shortfall(run):
    """Per day, the DMA accounts' negative equity summed at the close (yuan): the brokers'
    shortfall marked to market, as the run summary's broker_shortfall is at the last close."""
    dma = run.class_index(DMA)
    if dma is None or run.daily_equity is None or len(run.daily_class) == 0:
        return None
    eq = run.daily_equity[:, run.daily_class == dma]
    return -np.where(eq < 0, eq, 0.0).sum(axis=1)


def fig_selling(run):
    fid, title = "selling", "Forced and voluntary selling of microcaps"
    caption = ("Top: value of microcaps sold each day, split into forced sales by class (margin calls, "
               "liquidations, redemptions, risk limits, knock-in hedges; solid colours) and voluntary sales "
               "by every class (grey). Bottom: the forced share of all selling per segment. Look for the "
               "forced share jumping in the crash: that selling does not care about price.")
    forced, vol = run.flows.get("sell_forced"), run.flows.get("sell_voluntary")
    if not run.has(forced, vol) or run.n_days == 0 or not run.classes:
        return Figure(fid, title, caption, note="No selling flows in this run log (no agent classes or no day finished).")
    micro = run.segment_names.index("microcap") if "microcap" in run.segment_names else 0
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    x = np.arange(run.n_days)
    bottom = np.zeros(run.n_days)
    scale = 1e8
    for c, name in enumerate(run.classes):
        y = forced[:, c, micro] / scale
        if y.sum() <= 0:
            continue
        ax1.bar(x, y, bottom=bottom, width=0.8, color=COLORS[c % len(COLORS)], label=f"forced: {name}")
        bottom += y
    v = vol[:, :, micro].sum(axis=1) / scale
    ax1.bar(x, v, bottom=bottom, width=0.8, color="#bbbbbb", label="voluntary (all classes)")
    ax1.set_ylabel("yuan sold (100 million)")
    ax1.set_title(title)
    ax1.legend(fontsize="x-small", ncol=2)
    ax1.grid(alpha=0.3)
    for s, name in enumerate(run.segment_names):
        f_s, v_s = forced[:, :, s].sum(axis=1), vol[:, :, s].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(f_s + v_s > 0, f_s / (f_s + v_s), np.nan)
        ax2.plot(x, 100 * share, marker="o", ms=3, lw=1.5 if s == micro else 0.9, label=name)
    ax2.set_ylabel("forced share of selling (%)")
    ax2.set_ylim(bottom=0)
    ax2.legend(fontsize="small")
    day_axis(ax2, run.dates)
    ax2.set_xlim(-0.6, run.n_days - 0.4)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig))


def return_series(run):
    """(name, returns) pairs for the stylised facts: index step returns and pooled stock step
    returns, each stock standardised (daily closes when step prices were not recorded)."""
    out = []
    if run.has(run.microcap) and len(run.microcap) > 10:
        out.append(("microcap index, per step", step_returns(run.microcap)))
    if run.has(run.hedged) and len(run.hedged) > 10:
        out.append(("hedged index, per step", step_returns(run.hedged)))
    prices, what = (run.last_price, "per step") if run.has(run.last_price) else (run.close, "per day")
    if run.has(prices) and prices.shape[0] > 3:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.diff(np.log(prices), axis=0)
            sd = np.nanstd(r, axis=0)
            z = (r - np.nanmean(r, axis=0)) / np.where(sd > 0, sd, np.nan)
        z = z[np.isfinite(z)]
        if len(z) > 10:
            out.append((f"stocks, pooled {what} (each standardised)", z))
    return out


def fig_returns(run, series):
    fid, title = "returns", "Distribution of returns against a normal"
    caption = ("Histogram of log returns (density, log scale) against the normal with the same mean and "
               "standard deviation (dashed). Fat tails (excess kurtosis well above 0) show as points far above "
               "the parabola of the normal. Stock returns per step are mostly zero (prices move in ticks), which "
               "also fattens the centre.")
    if not series:
        return Figure(fid, title, caption, note="Too few steps in this run log for a return distribution.")
    fig, axes = plt.subplots(1, len(series), figsize=(4.2 * len(series), 3.8))
    axes = np.atleast_1d(axes)
    for ax, (name, r) in zip(axes, series):
        mu, sd = float(np.mean(r)), float(np.std(r))
        k = excess_kurtosis(r)
        if sd <= 0:
            ax.text(0.5, 0.5, "no price changes", ha="center", va="center", transform=ax.transAxes)
            ax.set_title(name, fontsize="small")
            continue
        lo, hi = np.percentile(r, [0.05, 99.95])
        span = max(abs(lo - mu), abs(hi - mu), 4 * sd)
        bins = np.linspace(mu - span, mu + span, 61)
        dens, edges = np.histogram(r, bins=bins, density=True)
        centers = 0.5 * (edges[1:] + edges[:-1])
        ax.semilogy(centers[dens > 0], dens[dens > 0], "o", ms=3, label="returns")
        g = np.linspace(bins[0], bins[-1], 400)
        ax.semilogy(g, np.exp(-0.5 * ((g - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi)), "--", color="k",
                    lw=1, label="normal fit")
        ax.set_ylim(bottom=max(dens[dens > 0].min() / 3, 1e-8 / sd) if (dens > 0).any() else None)
        ax.set_title(f"{name}\nexcess kurtosis {k:.1f}, n = {len(r)}", fontsize="small")
        ax.set_xlabel("log return")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small")
    axes[0].set_ylabel("density")
    fig.suptitle(title)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig))


def fig_autocorr(run, series):
    fid, title = "autocorrelation", "Autocorrelation of returns and of absolute returns"
    caption = ("Sample autocorrelation of step returns (left) and of their absolute values (right), for the "
               "two indices, with the ±1.96/√n band of no autocorrelation. Markets show little linear "
               "autocorrelation beyond a few steps but slowly decaying autocorrelation of |r| (volatility "
               "clustering), strongest when forced selling comes in waves.")
    idx = [(n, r) for n, r in series if "index" in n and len(r) > 20]
    if not idx:
        return Figure(fid, title, caption, note="Too few steps in this run log for autocorrelations.")
    n_max = max(len(r) for _, r in idx)
    max_lag = int(min(max(10, (run.steps_per_day or 60) // 2), n_max // 4))
    lags = np.arange(1, max_lag + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for k, (name, r) in enumerate(idx):
        ax1.plot(lags, acf(r, lags), marker=".", lw=1, color=COLORS[k], label=name)
        ax2.plot(lags, acf(np.abs(r), lags), marker=".", lw=1, color=COLORS[k], label=name)
    band = 1.96 / math.sqrt(n_max)
    for ax, what in ((ax1, "returns"), (ax2, "absolute returns")):
        ax.axhspan(-band, band, color="grey", alpha=0.2)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(f"autocorrelation of {what}", fontsize="small")
        ax.set_xlabel("lag (steps)")
        ax.grid(alpha=0.3)
    ax1.legend(fontsize="x-small")
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig))


def run_figures(run):
    figures = []
    series = return_series(run)
    for make in (fig_indices, fig_basis, fig_limits, fig_classes, fig_agent_nav, fig_stress, fig_selling,
                 lambda r: fig_returns(r, series), lambda r: fig_autocorr(r, series)):
        figures.append(safe(make, run))
    return figures, series


def safe(make, *args):
    """A figure that fails becomes a note on the page (and a warning on stderr), not a failed report."""
    try:
        return make(*args)
    except Exception as e:  # noqa: BLE001
        plt.close("all")
        name = getattr(make, "__name__", "figure").replace("fig_", "").replace("<lambda>", "figure")
        print(f"report.py: warning: figure {name} failed: {type(e).__name__}: {e}", file=sys.stderr)
        return Figure(name, name, "", note=f"This figure could not be drawn: {type(e).__name__}: {e}")


# ----------------------------------------------------------------------------------------------
# Comparison figures


def cmp_figures(runs):
    figs = []
    n_days = max(r.n_days for r in runs)
    dates = max((r.dates for r in runs), key=len)

    def indices():
        fid, title = "cmp_indices", "Indices, each run relative to its first step"
        cap = ("Hedged index (top) and microcap index (bottom) of every run, divided by their first value. Look "
               "for which mechanism removed deepens or softens the microcap fall.")
        if not any(r.has(r.hedged) and len(r.x_step) for r in runs):
            return Figure(fid, title, cap, note="No index series in these run logs.")
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)
        for k, r in enumerate(runs):
            if r.has(r.hedged) and len(r.x_step):
                ax1.plot(r.x_step, r.hedged / r.hedged[0], lw=1.1, color=COLORS[k % 10], label=r.label)
                ax2.plot(r.x_step, r.microcap / r.microcap[0], lw=1.1, color=COLORS[k % 10], label=r.label)
        for ax, name in ((ax1, "hedged index"), (ax2, "microcap index")):
            ax.axhline(1.0, color="grey", lw=0.6)
            ax.set_ylabel(name)
            ax.legend(fontsize="x-small")
            ax.grid(alpha=0.3)
        ax1.set_title(title)
        day_axis(ax2, dates, n_days)
        fig.tight_layout()
        return Figure(fid, title, cap, render(fig))

    def basis():
        fid, title = "cmp_basis", "Annualised basis of the main contract"
        cap = "The main contract's annualised basis in every run (negative = discount)."
        fig, ax = plt.subplots(figsize=(10, 4))
        drawn, vals = 0, []
        for k, r in enumerate(runs):
            b = r.main_basis()
            if b is None:
                continue
            ax.plot(r.x_step, 100 * b, lw=1.0, color=COLORS[k % 10], label=r.label)
            vals.append(100 * b[np.isfinite(b)])
            drawn += 1
        if not drawn:
            plt.close(fig)
            return Figure(fid, title, cap, note="No futures series in these run logs.")
        allv = np.concatenate(vals) if vals else np.zeros(1)
        if len(allv):
            lo, hi = np.percentile(allv, [0.5, 99.5])
            pad = max(2.0, 0.15 * (hi - lo))
            ax.set_ylim(min(lo, 0) - pad, max(hi, 0) + pad)
        ax.axhline(0, color="grey", lw=0.6)
        ax.set_ylabel("annualised basis (%)")
        ax.set_title(title)
        ax.legend(fontsize="x-small")
        day_axis(ax, dates, n_days)
        fig.tight_layout()
        return Figure(fid, title, cap, render(fig))

    def limits():
        fid, title = "cmp_limits", "Stocks closing limit-down per day"
        cap = "Stocks that closed limit-down each day, per run (dashed: limit-up)."
        fig, ax = plt.subplots(figsize=(10, 4))
        drawn = 0
        for k, r in enumerate(runs):
            if not r.has(r.limit_down) or r.n_days == 0:
                continue
            x = np.arange(r.n_days)
            ax.plot(x, r.limit_down.sum(axis=1), marker="o", ms=3, color=COLORS[k % 10], label=r.label)
            ax.plot(x, r.limit_up.sum(axis=1), ls="--", lw=0.8, color=COLORS[k % 10])
            drawn += 1
        if not drawn:
            plt.close(fig)
            return Figure(fid, title, cap, note="No day finished in these run logs.")
        ax.set_ylabel("stocks")
        ax.set_ylim(bottom=0)
        ax.set_title(title)
        ax.legend(fontsize="x-small")
        day_axis(ax, dates, n_days)
        ax.set_xlim(-0.5, n_days - 0.5)
        fig.tight_layout()
        return Figure(fid, title, cap, render(fig))

    def navs():
        fid, title = "cmp_nav", "NAV of DMA accounts and neutral funds"
        cap = ("Class NAV (summed over the class's agents) divided by its first value, for DMA accounts (left) and "
               "neutral funds (right), per run. A run without the class has no line.")
        fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
        drawn = 0
        for ax, cls in zip(axes, (DMA, NEUTRAL)):
            for k, r in enumerate(runs):
                c = r.class_index(cls)
                nav = r.class_steps.get("nav")
                if c is None or not r.has(nav) or not np.isfinite(nav[0, c]) or nav[0, c] <= 0:
                    continue
                ax.plot(r.x_step, nav[:, c] / nav[0, c], lw=1.1, color=COLORS[k % 10], label=r.label)
                drawn += 1
            ax.axhline(1.0, color="grey", lw=0.6)
            ax.set_title(cls, fontsize="small")
            ax.legend(fontsize="x-small")
            day_axis(ax, dates, n_days)
        if not drawn:
            plt.close(fig)
            return Figure(fid, title, cap, note="No DMA accounts or neutral funds in these run logs.")
        axes[0].set_ylabel("NAV / first value")
        fig.suptitle(title)
        fig.tight_layout()
        return Figure(fid, title, cap, render(fig))

    for make in (indices, basis, limits, navs):
        figs.append(safe(make))
    return figs


# ----------------------------------------------------------------------------------------------
# HTML

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.meta { color: #555; }
.warn { background: #fff3cd; border: 1px solid #e0c36a; padding: 0.6em 1em; margin: 1em 0; }
.note { background: #f3f3f3; border-left: 4px solid #999; padding: 0.6em 1em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f5f5f5; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92em; max-width: 60em; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
nav a { margin-right: 0.8em; }
"""

METRIC_LABELS = {
    "hedged_return": "hedged index return",
    "hedged_max_drawdown": "hedged index max drawdown",
    "hedged_worst_day": "hedged index worst day",
    "microcap_return": "microcap index return",
    "microcap_max_drawdown": "microcap index max drawdown",
    "microcap_worst_day": "microcap index worst day",
    "deepest_basis_annualised": "deepest annualised basis (main contract)",
    "max_limit_down": "most stocks closing limit-down (one day)",
    "max_limit_up": "most stocks closing limit-up (one day)",
    "forced_share_of_microcap_selling": "forced share of microcap selling",
    "worst_day_forced_share_of_microcap_selling": "forced share of microcap selling, highest day",
    "trades": "trades",
    "dma_accounts": "DMA accounts",
    "dma_accounts_liquidated": "DMA accounts liquidated",
    "dma_liquidated_share": "share of DMA accounts liquidated",
    "dma_accounts_margin_called": "DMA accounts margin-called",
    "margin_calls": "margin-call warnings",
    "broker_shortfall": "broker shortfall (yuan)",
    "broker_shortfall_accounts": "accounts leaving a broker shortfall",
    "dma_median_return": "DMA account return (median)",
    "dma_median_max_drawdown": "DMA account max drawdown (median)",
    "neutral_funds": "neutral funds",
    "neutral_median_return": "neutral fund return (median)",
    "neutral_median_max_drawdown": "neutral fund max drawdown (median)",
    "neutral_median_worst_3day": "neutral fund worst 3-day NAV change (median)",
}
PERCENT_WORDS = ("return", "drawdown", "worst", "basis", "share", "3day")


def fmt_metric(name, v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if "share" in name:
        return f"{100 * v:.2f}%"
    if any(w in name for w in PERCENT_WORDS):
        return f"{100 * v:+.2f}%"
    if "shortfall" in name and "accounts" not in name:
        return f"{v:,.0f}"
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:.4g}"


def ordered_metrics(summaries):
    names = list(METRIC_LABELS)
    for s in summaries:
        names += [k for k in s if k not in names]
    return [n for n in names if any(n in s for s in summaries)]


def esc(x):
    return html.escape(str(x))


def figure_html(fig, png_dir=None, prefix=""):
    out = [f'<figure id="{esc(fig.fid)}">', f"<h3>{esc(fig.title)}</h3>"]
    if fig.note:
        out.append(f'<p class="note">{esc(fig.note)}</p>')
    if fig.png:
        data = base64.b64encode(fig.png).decode("ascii")
        out.append(f'<img id="fig-{esc(fig.fid)}" alt="{esc(fig.title)}" src="data:image/png;base64,{data}">')
        if png_dir:
            with open(os.path.join(png_dir, f"{prefix}{fig.fid}.png"), "wb") as fh:
                fh.write(fig.png)
    if fig.caption:
        out.append(f"<figcaption>{esc(fig.caption)}</figcaption>")
    out.append("</figure>")
    return "\n".join(out)


def page(title, body):
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n<title>{esc(title)}</title>\n'
            f"<style>{CSS}</style></head>\n<body>\n{body}\n"
            f'<p class="meta">Made by tools/report.py on {stamp}.</p>\n</body></html>\n')


def summary_table(run):
    if not run.summary:
        return '<p class="note">No summary attributes in this run log (the run did not finish).</p>'
    rows = [f"<tr><td>{esc(METRIC_LABELS.get(n, n.replace('_', ' ')))}</td><td class=\"num\">"
            f"{esc(fmt_metric(n, run.summary[n]))}</td><td><code>summary_{esc(n)}</code></td></tr>"
            for n in ordered_metrics([run.summary])]
    return "<table><tr><th>measure</th><th>value</th><th>attribute</th></tr>\n" + "\n".join(rows) + "</table>"


def events_table(run):
    if not run.events:
        return '<p class="note">No events in this run log.</p>'
    rows = []
    for kind in sorted(run.events):
        df = run.events[kind]
        reasons = ""
        if "reason" in df and len(df) and df["reason"].nunique() <= 8:
            counts = df["reason"].value_counts()
            reasons = ", ".join(f"{esc(k)} {v}" for k, v in counts.items())
        classes = ", ".join(sorted(df["agent_class"].unique())) if "agent_class" in df and len(df) else ""
        rows.append(f"<tr><td><code>{esc(kind)}</code></td><td class=\"num\">{len(df):,}</td>"
                    f"<td>{esc(classes)}</td><td>{reasons}</td></tr>")
    return ("<table><tr><th>event kind</th><th>rows</th><th>agent classes</th><th>reasons</th></tr>\n"
            + "\n".join(rows) + "</table>")


def params_table(run):
    if not run.params:
        return '<p class="note">No resolved scenario in this run log.</p>'
    rows, last = [], None
    for (section, key), (value, comment) in run.params.items():
        if section != last:
            rows.append(f'<tr><th colspan="3">[{esc(section)}]</th></tr>' if section else
                        '<tr><th colspan="3">(top level)</th></tr>')
            last = section
        if isinstance(value, str):
            shown = value
        elif isinstance(value, list):
            shown = ", ".join(map(str, value)) or "(none)"
        else:
            shown = str(value).lower() if isinstance(value, bool) else str(value)
        rows.append(f"<tr><td><code>{esc(key)}</code></td><td class=\"num\">{esc(shown)}</td><td>{esc(comment)}</td></tr>")
    return "<table><tr><th>key</th><th>value</th><th>unit; meaning</th></tr>\n" + "\n".join(rows) + "</table>"


def stylised_text(series):
    if not series:
        return ""
    items = "".join(f"<li>{esc(name)}: excess kurtosis <b>{excess_kurtosis(r):.2f}</b> (n = {len(r):,})</li>"
                    for name, r in series)
    return f"<p>Excess kurtosis (0 for a normal distribution):</p><ul>{items}</ul>"


def report_html(run, figures, series, png_dir):
    title = f"stampede run '{run.scenario}'"
    period = (f"{run.dates[0].date()} to {run.dates[-1].date()}, {run.n_days} trading days" if run.n_days
              else "no trading day written")
    meta = [period, f"{len(run.stocks)} stocks", f"seed {run.seed}" if run.seed is not None else "",
            f"{int(run.attrs['threads'])} threads" if "threads" in run.attrs else "",
            f"git {run.attrs.get('git_sha', '?')}", f"written {run.attrs.get('created_utc', '?')}"]
    body = [f"<h1>{esc(title)}</h1>",
            f'<p class="meta">{esc(os.path.abspath(run.path))}<br>{esc(" · ".join(m for m in meta if m))}</p>']
    note = run.incomplete_note()
    if note:
        body.append(f'<p class="warn">{esc(note)}</p>')
    missing = [f.title for f in figures if f.png is None]
    if missing:
        body.append(f'<p class="warn">Parts of this run log are missing or empty, so some figures are replaced '
                    f'by a note: {esc(", ".join(missing))}.</p>')
    overrides = overrides_of(run.scenario_resolved)
    if overrides:
        body.append("<p>Overrides: " + " ".join(f"<code>--set {esc(o)}</code>" for o in overrides) + "</p>")
    body.append("<nav>" + " ".join(f'<a href="#{esc(f.fid)}">{esc(f.title)}</a>' for f in figures)
                + ' <a href="#summary">summary</a> <a href="#scenario">scenario</a></nav>')
    body.append('<h2 id="summary">Summary</h2>')
    body.append("<p>The figures <code>stampede run</code> printed at the end, from the run log's root "
                "<code>summary_*</code> attributes.</p>")
    body.append(summary_table(run))
    body.append("<h2>Figures</h2>")
    body.extend(figure_html(f, png_dir) for f in figures)
    body.append(stylised_text(series))
    body.append('<h2 id="events">Events</h2>')
    body.append(events_table(run))
    body.append('<h2 id="scenario">Scenario</h2>')
    body.append("<p>The scenario with every default filled in, as stored in <code>/meta/scenario_resolved</code> "
                "(re-running it reproduces the run).</p>")
    body.append(params_table(run))
    if run.scenario_resolved:
        body.append(f"<details><summary>resolved scenario (TOML)</summary><pre>{esc(run.scenario_resolved)}</pre></details>")
    if run.scenario_toml and run.scenario_toml != run.scenario_resolved:
        body.append(f"<details><summary>scenario file as given</summary><pre>{esc(run.scenario_toml)}</pre></details>")
    return page(title, "\n".join(body))


def compare_html(runs, figures, png_dir):
    title = "stampede runs compared: " + ", ".join(r.label for r in runs)
    body = [f"<h1>{esc(title)}</h1>"]
    rows = []
    for r in runs:
        period = f"{r.dates[0].date()} to {r.dates[-1].date()}" if r.n_days else "no day written"
        status = "complete" if r.complete else "<b>did not finish</b>"
        rows.append(f"<tr><td>{esc(r.label)}</td><td>{esc(r.path)}</td><td>{esc(r.scenario)}</td>"
                    f"<td class=\"num\">{esc(r.seed)}</td><td>{esc(period)} ({r.n_days} days)</td><td>{status}</td></tr>")
    body.append("<table><tr><th>label</th><th>file</th><th>scenario</th><th>seed</th><th>period</th><th>run</th></tr>"
                + "\n".join(rows) + "</table>")
    for r in runs:
        if not r.complete:
            body.append(f'<p class="warn">{esc(r.label)}: {esc(r.incomplete_note())}</p>')
    body.append('<h2 id="summary">Summary metrics</h2>')
    names = ordered_metrics([r.summary for r in runs])
    head = "".join(f"<th>{esc(r.label)}</th>" for r in runs)
    trs = [f"<tr><td>{esc(METRIC_LABELS.get(n, n.replace('_', ' ')))}</td>"
           + "".join(f'<td class="num">{esc(fmt_metric(n, r.summary.get(n)))}</td>' for r in runs) + "</tr>"
           for n in names]
    body.append(f"<table><tr><th>measure</th>{head}</tr>\n" + "\n".join(trs) + "</table>" if names else
                '<p class="note">None of these run logs has summary attributes.</p>')
    body.append('<h2 id="figures">Figures</h2>')
    body.extend(figure_html(f, png_dir) for f in figures)
    # Scenario keys whose values differ between the runs: what the comparison is about.
    keys = []
    for r in runs:
        keys += [k for k in r.params if k not in keys]
    diff = [k for k in keys if len({repr(r.params.get(k, (None,))[0]) for r in runs}) > 1]
    body.append('<h2 id="scenario">Scenario differences</h2>')
    if diff:
        trs = [f"<tr><td><code>{esc(('%s.' % s) if s else '')}{esc(k)}</code></td>"
               + "".join(f'<td class="num">{esc(r.params.get((s, k), ("(absent)",))[0])}</td>' for r in runs) + "</tr>"
               for s, k in diff]
        body.append(f"<table><tr><th>key</th>{head}</tr>\n" + "\n".join(trs) + "</table>")
    else:
        body.append("<p>The resolved scenarios are identical.</p>")
    return page(title, "\n".join(body))


def check_same_days(runs, allow):
    """Runs set side by side day by day must share their trading days. Refused (InputError) when
    they do not, unless `allow`: then the warning text for the page (also printed), else None."""
    days = [(r.label, [d.strftime("%Y-%m-%d") for d in r.dates]) for r in runs]
    if all(d == days[0][1] for _, d in days):
        return None
    parts = "; ".join(f"{label}: {len(d)} trading days" + (f" from {d[0]} to {d[-1]}" if d else "") for label, d in days)
    if not allow:
        raise InputError(f"runs of different lengths or calendars cannot be set side by side day by day ({parts}); "
                         "--allow-different-days overlays them anyway")
    text = f"These runs do not share their trading days ({parts}): the figures set them side by side by trading-day index."
    print(f"report.py: warning: {text}", file=sys.stderr)
    return text


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
        p.add_argument("--png-dir", metavar="DIR", help="also write each figure as DIR/<figure id>.png")
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
        p.add_argument("--png-dir", metavar="DIR", help="also write each figure as DIR/<figure id>.png")
        p.add_argument("--title", help="label of the run (default: its scenario name)")
        a = p.parse_args(argv)
    try:
        if a.png_dir:
            os.makedirs(a.png_dir, exist_ok=True)
        if argv and argv[0] == "compare":
            runs = [Run(path, labels[k] if labels else None) for k, path in enumerate(a.runs)]
            seen = {}
            for r in runs:   # default labels must tell runs apart
                seen[r.label] = seen.get(r.label, 0) + 1
            if not labels and any(v > 1 for v in seen.values()):
                for r in runs:
                    if seen[r.label] > 1:
                        r.label = f"{r.label} ({os.path.splitext(os.path.basename(r.path))[0]})"
            different = check_same_days(runs, a.allow_different_days)
            page_text = compare_html(runs, cmp_figures(runs), a.png_dir)
            if different:
                page_text = page_text.replace("<h2 id=\"summary\">", f'<p class="warn">{esc(different)}</p>\n<h2 id="summary">', 1)
            write(a.output, page_text)
            print(f"wrote {a.output} ({len(runs)} runs)")
        elif os.path.isdir(a.run):
            import report_ensemble
            page_text, figures = report_ensemble.directory_html(a.run, a.png_dir, sys.modules[__name__])
            out = a.output or os.path.join(a.run, "report.html")
            write(out, page_text)
            drawn = sum(f.png is not None for f in figures)
            print(f"wrote {out} ({drawn} of {len(figures)} figures)")
        else:
            run = Run(a.run, a.title)
            figures, series = run_figures(run)
            out = a.output or os.path.splitext(a.run)[0] + ".html"
            write(out, report_html(run, figures, series, a.png_dir))
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
