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
import csv
import glob
import math
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REAL_CSV = os.path.normpath(os.path.join(HERE, "..", "scenarios", "data", "china_index_closes_2023_2024.csv"))
SCHEMA = "stampede-run/1"

FEB = "feb2024"
CALM = "calm2023"
# The calendar window each scenario's targets are about (the real figures are taken over it too).
WINDOW = {FEB: ("2024-01-01", "2024-02-29"), CALM: ("2023-01-01", "2023-12-31")}
# Issue 16: each target "on at least 7 of seeds 1-8".
NEEDED_SHARE = 7 / 8
CALM_LAST_DAY = "2023-12-29"   # the last trading day of 2023
KEY_DATES = ["2024-01-22", "2024-01-31", "2024-02-02", "2024-02-05", "2024-02-06", "2024-02-07", "2024-02-08",
             "2024-02-29"]


class InputError(Exception):
    """Input the tool cannot read at all (exit 2)."""


class NA(Exception):
    """A figure a log cannot give; the message says why."""


# ---------------------------------------------------------------------------------------------
# Pure functions (unit-tested in tests/report/test_calibration_check.py)
# ---------------------------------------------------------------------------------------------

def max_drawdown(levels):
    """Worst fall of a level below the highest level before it (negative or 0), clipped at -1.
    NaN levels are skipped; NaN when there is no positive peak to measure from."""
    x = np.asarray(levels, float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan
    peak = np.maximum.accumulate(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        dd = np.where(peak > 0, x / peak - 1.0, np.nan)
    if not np.isfinite(dd).any():
        return math.nan
    return float(max(-1.0, np.nanmin(dd)))


def worst_k_return(levels, k):
    """Lowest change over k steps, levels[t] / levels[max(t - k, 0)] - 1 for t >= 1 (the first k
    windows are shorter: they start at the first level). Can be positive. NaN levels are skipped."""
    x = np.asarray(levels, float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return math.nan
    base = x[np.maximum(np.arange(1, x.size) - k, 0)]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(base > 0, x[1:] / base - 1.0, np.nan)
    return float(np.nanmin(r)) if np.isfinite(r).any() else math.nan


def longest_true_run(flags):
    """Longest run of consecutive true values along axis 0, per column ([day, stock] -> [stock])."""
    a = np.asarray(flags).astype(bool)
    if a.ndim == 1:
        a = a[:, None]
    best = np.zeros(a.shape[1], int)
    cur = np.zeros(a.shape[1], int)
    for row in a:
        cur = np.where(row, cur + 1, 0)
        best = np.maximum(best, cur)
    return best


def last_step_of_days(day_of_step, days):
    """Row of the last step of each trading day (-1 for a day with no step). Steps are in order."""
    dos, days = np.asarray(day_of_step), np.asarray(days)
    if dos.size == 0:
        return np.full(days.shape, -1)
    idx = np.searchsorted(dos, days, side="right") - 1
    ok = (idx >= 0) & (dos[np.maximum(idx, 0)] == days)
    return np.where(ok, idx, -1)


def main_contract_slots(open_interest_at_close):
    """Main contract per day: the slot with the most open interest ([day, slot] -> [day]); ties and
    rows without any open interest go to the first slot (the front)."""
    oi = np.nan_to_num(np.asarray(open_interest_at_close, float), nan=-1.0)
    return np.argmax(oi, axis=1)   # argmax takes the first of equal maxima


def per_unit_nav(nav, requested):
    """NAV per unit of one fund: 1 at the first value, then each day (nav + requested that day) /
    previous nav, chained (a redemption request lowers nav without being a loss). A NaN nav keeps
    the level; a fund whose nav reaches zero stays at zero."""
    nav = np.asarray(nav, float)
    req = np.zeros_like(nav) if requested is None else np.asarray(requested, float)
    out = np.full(nav.shape, math.nan)
    level, last = math.nan, math.nan
    for t in range(nav.size):
        if np.isfinite(nav[t]):
            if math.isnan(level):
                level = 1.0
            elif last > 0:
                level *= max(0.0, nav[t] + req[t]) / last
            last = nav[t]
        out[t] = level
    return out


def closes_with_start(start, closes):
    return np.concatenate([[start], np.asarray(closes, float)])


# ---------------------------------------------------------------------------------------------
# Reading run logs
# ---------------------------------------------------------------------------------------------

def run_files(paths):
    """Every run log named or found (run_*.h5) in the directories named; InputError if none."""
    files = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(glob.glob(os.path.join(p, "run_*.h5")))
            if not found:
                raise InputError(f"{p}: a directory without run logs (run_*.h5)")
            files += found
        elif os.path.exists(p):
            files.append(p)
        else:
            raise InputError(f"{p}: no such file or directory")
    return files


def _text(v):
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _opt(f, path, fn=lambda d: d[()]):
    """The dataset at path read with fn, or None when the log does not have it."""
    return fn(f[path]) if path in f else None


def _strings(f, path):
    return _opt(f, path, lambda d: np.array([_text(x) for x in d[()]]))


def _resolved_bases(f):
    """indices.hedged_base / microcap_base of the run's resolved scenario (the index levels before
    the first step), or {} if the log or Python cannot give them."""
    try:
        import tomllib
        toml = f["meta/scenario_resolved"][()]
        idx = tomllib.loads(_text(toml)).get("indices", {})
        return {k: float(idx[k + "_base"]) for k in ("hedged", "microcap") if k + "_base" in idx}
    except Exception:   # an old log, a Python without tomllib: fall back to the first step
        return {}


def read_log(path):
    """Everything the targets use, read into memory (None for what the log lacks)."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise InputError(f"{path}: not a readable HDF5 file ({e})")
    try:
        with f:
            return _read_open_log(path, f)
    except (OSError, KeyError, ValueError, TypeError) as e:   # a torn or hand-made file
        raise InputError(f"{path}: cannot read the run log ({e})")


def _read_open_log(path, f):
    schema = _text(f.attrs.get("schema", ""))
    if schema != SCHEMA:
        raise InputError(f"{path}: not a stampede run log (schema {schema!r}, expected {SCHEMA!r})")
    L = {"path": path, "file": os.path.basename(path), "attrs": {k: f.attrs[k] for k in f.attrs}}
    L["seed"] = int(f.attrs["seed"]) if "seed" in f.attrs else None
    L["scenario"] = _text(f.attrs.get("scenario", ""))
    L["complete"] = int(f.attrs.get("complete", 0))
    L["dates"] = _strings(f, "date")
    L["day"] = _opt(f, "day")
    L["day_of_step"] = _opt(f, "day_of_step")
    bases = _resolved_bases(f)
    for k in ("microcap", "hedged"):
        L[k + "_close"] = _opt(f, f"market/index/{k}_close", lambda d: d[()].astype(float))
        if k in bases:
            L[k + "_start"], L[k + "_start_from"] = bases[k], f"indices.{k}_base"
        elif f"market/index/{k}" in f and f[f"market/index/{k}"].shape[0] > 0:
            L[k + "_start"], L[k + "_start_from"] = float(f[f"market/index/{k}"][0]), f"market/index/{k}[0]"
        else:
            L[k + "_start"], L[k + "_start_from"] = None, None
    # Futures: only the step rows at each day's close are kept.
    L["futures_code"] = _opt(f, "market/futures/code", lambda d: d.asstr()[()])
    L["basis_close"] = L["oi_close"] = None
    if L["day_of_step"] is not None and L["day"] is not None and "market/futures/basis_annualised" in f:
        rows = last_step_of_days(L["day_of_step"], L["day"])
        b = f["market/futures/basis_annualised"][()]
        L["basis_close"] = np.where(rows[:, None] >= 0, b[np.maximum(rows, 0)], np.nan) if len(b) else None
        if "market/futures/open_interest" in f and L["basis_close"] is not None:
            oi = f["market/futures/open_interest"][()].astype(float)
            L["oi_close"] = np.where(rows[:, None] >= 0, oi[np.maximum(rows, 0)], np.nan)
    L["limit_down"] = _opt(f, "market/stocks/limit_down")
    L["segment"] = _opt(f, "market/stocks/segment")
    L["segment_names"] = _strings(f, "segment")
    if L["segment_names"] is None and "market/stocks/segment" in f:
        meanings = f["market/stocks/segment"].attrs.get("flag_meanings")
        L["segment_names"] = np.array(_text(meanings).split()) if meanings is not None else None
    # Agents.
    L["agent_classes"] = _strings(f, "agent_class")
    L["agent_class"] = _opt(f, "agents/daily/agent_class")
    L["agent_id"] = _opt(f, "agents/daily/agent_id")
    L["nav"] = _opt(f, "agents/daily/nav")
    L["equity"] = _opt(f, "agents/daily/equity")
    # Events (each dataset exists only once an event of its kind happened).
    L["has_events"] = "events" in f
    ev = f["events"] if "events" in f else {}
    L["redemption_requests"] = ev["redemption_requests"][()] if "redemption_requests" in ev else None
    L["liquidations"] = ev["liquidations"][()] if "liquidations" in ev else None
    return L


# ---------------------------------------------------------------------------------------------
# Figures of one run, by target group. Each returns {name: value}; a group that a log cannot
# answer raises NA, which marks all its figures n/a with the reason.
# ---------------------------------------------------------------------------------------------

def _need(L, *keys):
    for k in keys:
        if L.get(k) is None:
            what = {"dates": "/date", "microcap_close": "/market/index/microcap_close",
                    "hedged_close": "/market/index/hedged_close", "basis_close": "/market/futures/basis_annualised",
                    "limit_down": "/market/stocks/limit_down", "segment": "/market/stocks/segment",
                    "agent_class": "/agents/daily", "nav": "/agents/daily/nav", "equity": "/agents/daily/equity",
                    "microcap_start": "/market/index/microcap", "hedged_start": "/market/index/hedged",
                    "agent_classes": "/agent_class"}.get(k, k)
            raise NA(f"no {what} in the log")
    if len(L["dates"]) == 0:
        raise NA("no trading day in the log")


def window_rows(L, mode):
    """Rows of the log's days up to the end of the scenario's window (feb2024: 2024-02-29). The
    rows always start at the first day, which the start level precedes."""
    _need(L, "dates")
    lo, hi = WINDOW[mode]
    dates = L["dates"]
    if dates[0] < lo or dates[0] > hi:
        raise NA(f"the run starts on {dates[0]}, outside {mode}'s {lo}..{hi}")
    return np.arange(int(np.sum(dates <= hi)))


def index_series(L, name, mode):
    """(dates, levels with the start level first) of one index over the scenario's window."""
    _need(L, "dates", name + "_close", name + "_start")
    rows = window_rows(L, mode)
    return L["dates"][rows], closes_with_start(L[name + "_start"], L[name + "_close"][rows])


def january_return(dates, levels, last_january_real=None):
    """Close of the last January trading day against the start, and that date."""
    jan = [i for i, d in enumerate(dates) if d[5:7] == "01"]
    if not jan:
        raise NA("no January day in the log")
    i = jan[-1]
    if i == len(dates) - 1 and dates[i] != last_january_real:
        raise NA(f"the run ends on {dates[i]}, before the end of January")
    return levels[i + 1] / levels[0] - 1.0, dates[i]


def covers(m, date):
    """NA unless the run's days (within the scenario's window) reach date: a trough or worst day
    is only settled once the window it must fall in has passed."""
    last = fig(m, "window_last_date")
    if last < date:
        raise NA(f"the run ends on {last}, before {date}")


def close_on(dates, levels, date):
    i = np.flatnonzero(dates == date)
    if i.size == 0:
        raise NA(f"no {date} in the log")
    return levels[i[0] + 1]


def index_figures(dates, levels, prefix, last_january_real=None):
    """Returns, drawdowns, trough, worst day and rebound of one index path (dates[i] <-> levels[i+1])."""
    if not np.isfinite(levels).all():
        raise NA(f"NaN in the {prefix} index closes")
    out = {}
    out[prefix + "_return"] = levels[-1] / levels[0] - 1.0
    out[prefix + "_max_drawdown"] = max_drawdown(levels)
    closes = levels[1:]
    t = int(np.nanargmin(closes))
    out[prefix + "_trough_return"] = closes[t] / levels[0] - 1.0
    out[prefix + "_trough_date"] = dates[t]
    r = levels[1:] / levels[:-1] - 1.0
    w = int(np.nanargmin(r))
    out[prefix + "_worst_day"] = r[w]
    out[prefix + "_worst_day_date"] = dates[w]
    out[prefix + "_rebound"] = closes[-1] / closes[t] - 1.0
    out[prefix + "_rebound_to"] = dates[-1]
    out[prefix + "_last_date"] = dates[-1]
    try:
        out[prefix + "_jan_return"], out[prefix + "_jan_date"] = january_return(dates, levels, last_january_real)
    except NA as e:
        out[prefix + "_jan_return"] = out[prefix + "_jan_date"] = e
    return out


def divergence_figures(L, mode):
    """Hedged index 2 -> 8 Feb and microcap index 2 -> 7 Feb (close to close)."""
    hd, hl = index_series(L, "hedged", mode)
    md, ml = index_series(L, "microcap", mode)
    return {"hedged_0202_0208": close_on(hd, hl, "2024-02-08") / close_on(hd, hl, "2024-02-02") - 1.0,
            "microcap_0202_0207": close_on(md, ml, "2024-02-07") / close_on(md, ml, "2024-02-02") - 1.0}


def main_basis(L, mode):
    """(dates, close basis of the main contract, contract codes) over the scenario's window."""
    _need(L, "dates", "basis_close")
    rows = window_rows(L, mode)
    basis = L["basis_close"][rows]
    if L["oi_close"] is not None:
        slot = main_contract_slots(L["oi_close"][rows])
    else:   # an old log without open interest: the front contract
        slot = np.zeros(len(rows), int)
    b = basis[np.arange(len(rows)), slot]
    codes = L["futures_code"][rows, slot] if L["futures_code"] is not None else np.array([""] * len(rows))
    return L["dates"][rows], b, codes


def basis_figures(L, mode):
    dates, b, codes = main_basis(L, mode)
    out = {"basis_close_median": float(np.nanmedian(b)) if np.isfinite(b).any() else math.nan,
           "main_contracts": contract_spans(dates, codes)}
    if mode != FEB:
        return out
    if len(b) >= 5:
        out["basis_first5_min"], out["basis_first5_max"] = float(np.nanmin(b[:5])), float(np.nanmax(b[:5]))
        out["basis_first5"] = " ".join(f"{x * 100:+.1f}" for x in b[:5])
    else:
        out["basis_first5_min"] = out["basis_first5_max"] = out["basis_first5"] = NA(f"only {len(b)} days in the log")
    if not np.isfinite(b).any():
        raise NA("no finite basis at a close")
    t = int(np.nanargmin(b))
    out["basis_trough"], out["basis_trough_date"] = float(b[t]), dates[t]
    # Recovery: a close after the trough day, on or before 20 February, above -15%.
    after = [i for i in range(t + 1, len(b)) if dates[i] <= "2024-02-20"]
    hit = [i for i in after if b[i] > -0.15]
    out["basis_recovered_date"] = dates[hit[0]] if hit else ""
    out["basis_best_after_trough"] = float(np.nanmax(b[after])) if after else math.nan
    return out


def contract_spans(dates, codes):
    """'IM2401 2024-01-02..2024-01-12; IM2402 ...': which contract was the main one when."""
    spans = []
    for d, c in zip(dates, codes):
        if spans and spans[-1][0] == c:
            spans[-1][2] = d
        else:
            spans.append([c, d, d])
    return "; ".join(f"{c} {a}..{b}" for c, a, b in spans)


def lock_figures(L, mode):
    _need(L, "dates", "limit_down", "segment")
    rows = window_rows(L, mode)
    ld = np.asarray(L["limit_down"][rows]).astype(bool)
    n = ld.shape[1]
    per_day = ld.sum(1)
    d = int(np.argmax(per_day))
    names = list(L["segment_names"]) if L["segment_names"] is not None else []
    micro_code = names.index("microcap") if "microcap" in names else 0
    micro = np.asarray(L["segment"]) == micro_code
    longest = longest_true_run(ld[:, micro]) if micro.any() else np.zeros(0, int)
    return {"stocks": n, "limit_down_max_count": int(per_day[d]), "limit_down_max_share": per_day[d] / max(n, 1),
            "limit_down_max_date": L["dates"][rows][d], "microcaps": int(micro.sum()),
            "microcaps_locked5_count": int((longest >= 5).sum()),
            "microcaps_locked5_share": float((longest >= 5).sum() / micro.sum()) if micro.any() else math.nan,
            "microcap_longest_lock_days": int(longest.max()) if longest.size else 0}


def class_columns(L, name):
    _need(L, "dates", "agent_class", "agent_classes")
    classes = list(L["agent_classes"])
    if name not in classes:
        raise NA(f"no agent class {name} in the log")
    cols = np.flatnonzero(np.asarray(L["agent_class"]) == classes.index(name))
    if cols.size == 0:
        raise NA(f"no {name} agent recorded daily")
    return cols


def requested_by_day(L, cols):
    """Redemption requests (yuan) per [day row, column] of the given agents."""
    req = np.zeros((len(L["dates"]), len(cols)))
    ev = L["redemption_requests"]
    if ev is None or len(ev) == 0 or L["agent_id"] is None or L["day"] is None:
        return req
    col_of = {int(a): j for j, a in enumerate(np.asarray(L["agent_id"])[cols])}
    days = np.asarray(L["day"])
    rows = np.searchsorted(days, ev["day"])
    for r, d, a, p in zip(rows, ev["day"], ev["agent_id"], ev["price"]):
        j = col_of.get(int(a))
        if j is not None and r < len(req) and days[r] == d:   # a request of a day with a row
            req[r, j] += p
    return req


def fund_units(L, mode, name):
    """NAV per unit [day, fund] of the agents of one class, over the scenario's window."""
    _need(L, "nav")
    cols = class_columns(L, name)
    rows = window_rows(L, mode)
    nav = np.asarray(L["nav"], float)[:, cols]
    req = requested_by_day(L, cols)
    return np.stack([per_unit_nav(nav[rows, j], req[rows, j]) for j in range(len(cols))], axis=1)


def dma_figures(L, mode):
    _need(L, "equity")
    cols = class_columns(L, "dma_account")
    rows = window_rows(L, mode)
    eq = np.asarray(L["equity"], float)[rows][:, cols]
    dd = np.array([max_drawdown(eq[:, j]) for j in range(eq.shape[1])])
    p10, p90 = np.nanpercentile(dd, [10, 90])
    return {"dma_accounts": len(cols), "dma_median_max_drawdown": float(np.nanmedian(dd)),
            "dma_p10_max_drawdown": float(p10), "dma_p90_max_drawdown": float(p90),
            "dma_spread_points": float((p90 - p10) * 100), "dma_wiped_out": int((dd <= -0.95).sum()),
            "dma_wiped_out_share": float((dd <= -0.95).sum() / len(dd))}


def neutral_figures(L, mode):
    u = fund_units(L, mode, "neutral_fund")
    ret = u[-1] / u[0] - 1
    return {"neutral_funds": u.shape[1],
            "neutral_median_worst_3day": float(np.nanmedian([worst_k_return(u[:, j], 3) for j in range(u.shape[1])])),
            "neutral_median_max_drawdown": float(np.nanmedian([max_drawdown(u[:, j]) for j in range(u.shape[1])])),
            "neutral_median_return": float(np.nanmedian(ret)),
            "neutral_positive_share": float(np.sum(ret > 0) / u.shape[1])}


def index_enhanced_figures(L, mode):
    u = fund_units(L, mode, "index_enhanced")
    return {"index_enhanced_funds": u.shape[1],
            "index_enhanced_median_worst_5day": float(np.nanmedian([worst_k_return(u[:, j], 5)
                                                                    for j in range(u.shape[1])]))}


def liquidation_figures(L, mode):
    """Distinct DMA accounts whose broker started a liquidation (reason start_*)."""
    liq = L["liquidations"]
    if liq is not None:
        starts = liq[np.char.startswith(liq["reason"], b"start_")]
        return {"dma_liquidated": len(set(starts["agent_id"].tolist()))}
    if L["has_events"]:
        return {"dma_liquidated": 0}   # the dataset is created with the first liquidation
    if "summary_dma_accounts_liquidated" in L["attrs"]:
        return {"dma_liquidated": int(L["attrs"]["summary_dma_accounts_liquidated"])}
    raise NA("no /events and no summary_dma_accounts_liquidated in the log")


# ---------------------------------------------------------------------------------------------
# The real series
# ---------------------------------------------------------------------------------------------

def load_real(path):
    """{'dates': array, 'microcap': array, 'hedged': array (CSI 1000)} or None if unreadable."""
    try:
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh))
        return {"dates": np.array([r["date"] for r in rows]),
                "microcap": np.array([float(r["microcap"]) for r in rows]),
                "hedged": np.array([float(r["csi1000"]) for r in rows])}
    except (OSError, KeyError, ValueError):
        return None


def real_series(real, name, mode):
    """(dates, levels with the start first) of the real index over the scenario's window."""
    lo, hi = WINDOW[mode]
    d = real["dates"]
    rows = np.flatnonzero((d >= lo) & (d <= hi))
    start = rows[0] - 1
    return d[rows], real[name][start:rows[-1] + 1]


def real_figures(real, mode):
    out = {}
    if real is None:
        return out
    for name in ("microcap", "hedged"):
        dates, levels = real_series(real, name, mode)
        out.update(index_figures(dates, levels, name, last_january_real=last_january_date(real, mode)))
        out["window_last_date"] = dates[-1]
    if mode == FEB:
        i = {x: int(np.flatnonzero(real["dates"] == x)[0]) for x in ("2024-02-02", "2024-02-07", "2024-02-08")}
        out["hedged_0202_0208"] = real["hedged"][i["2024-02-08"]] / real["hedged"][i["2024-02-02"]] - 1
        out["microcap_0202_0207"] = real["microcap"][i["2024-02-07"]] / real["microcap"][i["2024-02-02"]] - 1
    return out


def last_january_date(real, mode):
    if real is None:
        return None
    year = WINDOW[mode][0][:4]
    jan = [d for d in real["dates"] if d.startswith(year + "-01")]
    return jan[-1] if jan else None


def daily_returns_by_date(dates, levels):
    """{date: (previous date or None for the first day, return)}; levels start with the start level."""
    out = {}
    for i, d in enumerate(dates):
        out[d] = (dates[i - 1] if i else None, levels[i + 1] / levels[i] - 1.0)
    return out


def real_returns(real, name):
    d, x = real["dates"], real[name]
    return {d[i]: (d[i - 1], x[i] / x[i - 1] - 1.0) for i in range(1, len(d))}


def matched_returns(sim, realr):
    """Pairs (simulated, real) of daily returns on the same date over the same span."""
    pairs = []
    for d, (prev, r) in sim.items():
        if d in realr and (prev is None or realr[d][0] == prev):
            pairs.append((r, realr[d][1]))
    return pairs


# ---------------------------------------------------------------------------------------------
# Measuring one run
# ---------------------------------------------------------------------------------------------

def measure(L, mode, real):
    """All figures of one run: {name: value or NA}."""
    m = {"file": L["path"], "seed": L["seed"], "scenario": L["scenario"], "complete": L["complete"],
         "days": len(L["dates"]) if L["dates"] is not None else 0,
         "first_date": L["dates"][0] if L["dates"] is not None and len(L["dates"]) else "",
         "last_date": L["dates"][-1] if L["dates"] is not None and len(L["dates"]) else "",
         "start_level_from": L.get("microcap_start_from") or ""}
    lastjan = last_january_date(real, mode) if real is not None else f"{WINDOW[mode][0][:4]}-01-31"
    try:
        m["window_last_date"] = L["dates"][window_rows(L, mode)[-1]]
    except NA as e:
        m["window_last_date"] = e

    def group(keys, fn):
        try:
            m.update(fn())
        except NA as e:
            for k in keys:
                m.setdefault(k, e)
        except (ValueError, IndexError, KeyError, TypeError, ZeroDivisionError) as e:
            # Data of a shape this tool does not expect: say so in the target's line, go on.
            for k in keys:
                m.setdefault(k, NA(f"unexpected data in the log: {type(e).__name__}: {e}"))

    idx_keys = ["return", "max_drawdown", "trough_return", "trough_date", "worst_day", "worst_day_date", "rebound",
                "rebound_to", "last_date", "jan_return", "jan_date"]
    for name in ("microcap", "hedged"):
        group([f"{name}_{k}" for k in idx_keys],
              lambda name=name: index_figures(*index_series(L, name, mode), name, lastjan))
    if mode == FEB:
        group(["hedged_0202_0208", "microcap_0202_0207"], lambda: divergence_figures(L, mode))
    group(["basis_close_median", "main_contracts", "basis_first5_min", "basis_first5_max", "basis_first5",
           "basis_trough", "basis_trough_date", "basis_recovered_date", "basis_best_after_trough"],
          lambda: basis_figures(L, mode))
    group(["stocks", "limit_down_max_count", "limit_down_max_share", "limit_down_max_date", "microcaps",
           "microcaps_locked5_count", "microcaps_locked5_share", "microcap_longest_lock_days"],
          lambda: lock_figures(L, mode))
    group(["dma_accounts", "dma_median_max_drawdown", "dma_p10_max_drawdown", "dma_p90_max_drawdown",
           "dma_spread_points", "dma_wiped_out", "dma_wiped_out_share"], lambda: dma_figures(L, mode))
    group(["neutral_funds", "neutral_median_worst_3day", "neutral_median_max_drawdown", "neutral_median_return",
           "neutral_positive_share"], lambda: neutral_figures(L, mode))
    group(["index_enhanced_funds", "index_enhanced_median_worst_5day"], lambda: index_enhanced_figures(L, mode))
    group(["dma_liquidated"], lambda: liquidation_figures(L, mode))
    # Correlation of daily returns with the real series, on the dates both have.
    if real is not None:
        for name in ("microcap", "hedged"):
            try:
                dates, levels = index_series(L, name, mode)
                m[f"_{name}_daily"] = daily_returns_by_date(dates, levels)   # for the side-by-side
                pairs = matched_returns(m[f"_{name}_daily"], real_returns(real, name))
                if len(pairs) < 3:
                    raise NA(f"only {len(pairs)} days of the log are in the real file")
                a = np.array(pairs)
                m[f"{name}_corr_real"] = float(np.corrcoef(a[:, 0], a[:, 1])[0, 1])
                m[f"{name}_days_matched"] = len(pairs)
            except NA as e:
                m[f"{name}_corr_real"] = e
    return m


# ---------------------------------------------------------------------------------------------
# Targets. A check returns (figure text, met) from a run's figures (or the real series' figures,
# for the real column) and raises NA (via fig()) when a figure it needs is missing.
# ---------------------------------------------------------------------------------------------

def pct(x, digits=1):
    return f"{x * 100:+.{digits}f}%"


def fig(m, key):
    v = m.get(key)
    if isinstance(v, NA):
        raise v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        raise NA(f"{key} not computed")
    return v


def within(x, lo, hi):
    return lo <= x <= hi


def t_range(key, lo, hi):
    def check(m):
        x = fig(m, key)
        return pct(x), within(x, lo, hi)
    return check


def t_jan(prefix, lo, hi):
    def check(m):
        x = fig(m, prefix + "_jan_return")
        return f"{pct(x)} (to {fig(m, prefix + '_jan_date')})", within(x, lo, hi)
    return check


def t_trough_date(m):
    covers(m, "2024-02-08")
    d = fig(m, "microcap_trough_date")
    return f"{d} ({pct(fig(m, 'microcap_trough_return'))})", "2024-02-02" <= d <= "2024-02-08"


def t_worst_day(m):
    covers(m, "2024-02-07")
    x, d = fig(m, "microcap_worst_day"), fig(m, "microcap_worst_day_date")
    return f"{pct(x)} on {d}", x <= -0.09 and "2024-02-01" <= d <= "2024-02-07"


def t_rebound(m):
    x = fig(m, "microcap_rebound")
    return f"{pct(x)} ({fig(m, 'microcap_trough_date')} to {fig(m, 'microcap_rebound_to')})", x >= 0.15


def t_divergence(m):
    h, mc = fig(m, "hedged_0202_0208"), fig(m, "microcap_0202_0207")
    return f"hedged {pct(h)} (2->8 Feb), microcap {pct(mc)} (2->7 Feb)", h > 0 and mc < 0


def t_basis_first5(m):
    lo, hi = fig(m, "basis_first5_min"), fig(m, "basis_first5_max")
    return f"{fig(m, 'basis_first5')} (%)", lo >= -0.18 and hi <= -0.03


def t_basis_trough(m):
    covers(m, "2024-02-07")
    x, d = fig(m, "basis_trough"), fig(m, "basis_trough_date")
    return f"{pct(x)} on {d}", x <= -0.35 and "2024-01-29" <= d <= "2024-02-07"


def t_basis_recovery(m):
    covers(m, "2024-02-07")   # the trough it recovers from is settled only then
    trough_date = fig(m, "basis_trough_date")
    d, best = m.get("basis_recovered_date"), m.get("basis_best_after_trough")
    if d:
        return f"{d} (trough {trough_date})", True
    covers(m, "2024-02-20")
    text = f"best {pct(best)} after the trough" if isinstance(best, float) and np.isfinite(best) else \
        "no close after the trough by 2024-02-20"
    return f"not by 2024-02-20 ({text}; trough {trough_date})", False


def t_locks(m):
    x = fig(m, "limit_down_max_share")
    return (f"{pct(x)[1:]} ({fig(m, 'limit_down_max_count')} of {fig(m, 'stocks')}) on {fig(m, 'limit_down_max_date')}",
            within(x, 0.10, 0.35))


def t_locked5(m):
    x = fig(m, "microcaps_locked5_share")
    return (f"{pct(x)[1:]} ({fig(m, 'microcaps_locked5_count')} of {fig(m, 'microcaps')}; longest "
            f"{fig(m, 'microcap_longest_lock_days')} days)", x < 0.05)


def t_dma_median(m):
    x = fig(m, "dma_median_max_drawdown")
    return f"{pct(x)} ({fig(m, 'dma_accounts')} accounts)", within(x, -0.60, -0.20)


def t_dma_spread(m):
    s = fig(m, "dma_spread_points")
    return (f"{s:.1f} points (10th {pct(fig(m, 'dma_p10_max_drawdown'))}, 90th {pct(fig(m, 'dma_p90_max_drawdown'))})",
            s >= 25)


def t_dma_wiped(m):
    x = fig(m, "dma_wiped_out_share")
    return f"{pct(x)[1:]} ({fig(m, 'dma_wiped_out')} of {fig(m, 'dma_accounts')})", x <= 0.25


def t_year(check):
    """A calm2023 figure over the whole year: n/a for a run that stops before its last close."""
    def year_check(m):
        covers(m, CALM_LAST_DAY)
        return check(m)
    return year_check


def t_neutral_positive(m):
    x = fig(m, "neutral_positive_share")
    return f"{pct(x)[1:]} of {fig(m, 'neutral_funds')}", x >= 0.90


def t_no_liquidation(m):
    n = fig(m, "dma_liquidated")
    return f"{n} accounts liquidated", n == 0


def t_calm_mdd(m):
    x = fig(m, "microcap_max_drawdown")
    return pct(x), x >= -0.20


class Target:
    """One target: its group, name, what it wants, the real figure (a function of the real series'
    figures, or the published figure as text when the CSV cannot give it) and the check."""

    def __init__(self, group, name, wanted, real, check):
        self.group, self.name, self.wanted, self.real, self.check = group, name, wanted, real, check

    def real_text(self, real_figs):
        """The real figure, and whether it meets the target itself when it comes from the CSV."""
        if isinstance(self.real, str):
            return self.real
        try:
            text, met = self.real(real_figs)
        except (KeyError, NA) as e:
            return f"n/a ({e if isinstance(e, NA) else 'no real data file'})"
        return text if met is None else f"{text} ({'meets it' if met else 'outside it'})"


FEB_TARGETS = [
    Target("microcap index", "January return", "-28% to -14%", t_jan("microcap", -0.28, -0.14),
           t_jan("microcap", -0.28, -0.14)),
    # The real -46.7% is the peak-to-trough fall (the peak was the 4 January close); the
    # trough against the 2023 close is -45.8%. Both are shown.
    Target("microcap index", "start to trough", "-55% to -35%", lambda r: (
        f"{pct(r['microcap_trough_return'])} ({r['microcap_trough_date']}; peak to trough "
        f"{pct(r['microcap_max_drawdown'])})", within(r['microcap_trough_return'], -0.55, -0.35)),
        t_range("microcap_trough_return", -0.55, -0.35)),
    Target("microcap index", "trough date", "2024-02-02 to 2024-02-08", t_trough_date, t_trough_date),
    Target("microcap index", "worst day", "<= -9%, on 2024-02-01 to 2024-02-07", t_worst_day, t_worst_day),
    Target("microcap index", "rebound, trough to 2024-02-29", ">= +15%", t_rebound, t_rebound),
    Target("hedged index", "January return", "-25% to -12%", t_jan("hedged", -0.25, -0.12),
           t_jan("hedged", -0.25, -0.12)),
    Target("hedged index", "max drawdown", "-35% to -20%", t_range("hedged_max_drawdown", -0.35, -0.20),
           t_range("hedged_max_drawdown", -0.35, -0.20)),
    Target("hedged index", "5-8 Feb: hedged index up, microcaps down", "hedged 8 Feb > 2 Feb and microcap 7 Feb < 2 Feb",
           t_divergence, t_divergence),
    Target("basis", "first 5 closes", "each -18% to -3% annualised", "about -6% to -14% (early January)",
           t_basis_first5),
    Target("basis", "trough", "<= -35% on 2024-01-29 to 2024-02-07", "about -58% (5 Feb)", t_basis_trough),
    Target("basis", "back above -15%", "a close after the trough, by 2024-02-20", "yes (mid-February)",
           t_basis_recovery),
    Target("locks", "most stocks limit-down on a day", "10% to 35% of all stocks",
           "over 1,000 of about 5,300 (about 20%) on 5 Feb", t_locks),
    Target("locks", "microcaps locked 5+ days in a row", "< 5% of microcaps", "few", t_locked5),
    Target("products", "DMA max drawdown (median)", "-60% to -20%", "20-80% losses in the week", t_dma_median),
    Target("products", "DMA max drawdown spread (10th-90th percentile)", ">= 25 points", "wide (20-80% losses)",
           t_dma_spread),
    Target("products", "DMA accounts wiped out (drawdown <= -95%)", "<= 25% of accounts", "a minority", t_dma_wiped),
    Target("products", "neutral worst 3 days (median)", "-10% to -3%", "more than -5% in 3 days",
           t_range("neutral_median_worst_3day", -0.10, -0.03)),
    Target("products", "neutral max drawdown (median)", "-15% to -5%", "about -10%",
           t_range("neutral_median_max_drawdown", -0.15, -0.05)),
    Target("products", "index-enhanced worst 5 days (median)", "-30% to -10%", "about -20%",
           t_range("index_enhanced_median_worst_5day", -0.30, -0.10)),
]

CALM_TARGETS = [
    Target("microcap index", "2023 return", "+30% to +70%", t_range("microcap_return", 0.30, 0.70),
           t_year(t_range("microcap_return", 0.30, 0.70))),
    Target("microcap index", "max drawdown", ">= -20%", t_calm_mdd, t_calm_mdd),
    Target("hedged index", "2023 return", "-20% to +10%", t_range("hedged_return", -0.20, 0.10),
           t_year(t_range("hedged_return", -0.20, 0.10))),
    Target("products", "neutral funds with a positive return", ">= 90% of funds", "all positive (domain.md)",
           t_year(t_neutral_positive)),
    Target("products", "neutral return (median)", "+3% to +15%", "positive",
           t_year(t_range("neutral_median_return", 0.03, 0.15))),
    Target("basis", "main contract close basis (median)", "-15% to -2% annualised",
           "about -10% (IM hedging cost in 2023)", t_range("basis_close_median", -0.15, -0.02)),
    Target("products", "no DMA liquidation", "0 accounts", "none", t_no_liquidation),
]


# ---------------------------------------------------------------------------------------------
# Counterfactuals paired by seed
# ---------------------------------------------------------------------------------------------

# name: (what, figure, test of (median counterfactual, median feb2024))
PAIRED_RULES = {
    "no_dma": ("microcap max drawdown at most half of feb2024's", "microcap_max_drawdown", lambda c, b: c / b <= 0.5),
    "dma_cap1x": ("microcap max drawdown at most half of feb2024's", "microcap_max_drawdown",
                  lambda c, b: c / b <= 0.5),
    "regulator_early": ("microcap max drawdown at most three quarters of feb2024's", "microcap_max_drawdown",
                        lambda c, b: c / b <= 0.75),
    "no_national_team": ("hedged-index max drawdown deeper than feb2024's", "hedged_max_drawdown", lambda c, b: c < b),
}


def paired_rows(name, base, cf):
    """Per seed (seed, feb2024 figure, counterfactual figure), the medians and the verdict."""
    what, key, test = PAIRED_RULES.get(name, (None, "microcap_max_drawdown", None))
    by_seed = {}
    for m in base:
        by_seed.setdefault(m["seed"], m)
    pairs, unmatched = [], 0
    for m in cf:
        b = by_seed.get(m["seed"])
        if b is None:
            unmatched += 1
            continue
        bv, cv = b.get(key), m.get(key)
        pairs.append((m["seed"], bv, cv))
    ok = [(s, b, c) for s, b, c in pairs if isinstance(b, float) and isinstance(c, float)
          and np.isfinite(b) and np.isfinite(c)]
    result = {"name": name, "what": what, "key": key, "pairs": pairs, "unmatched": unmatched}
    if not ok:
        result["verdict"] = NA("no counterfactual run has a feb2024 run with the same seed and both figures")
        return result
    mb, mc = float(np.median([b for _, b, _ in ok])), float(np.median([c for _, _, c in ok]))
    result["median_base"], result["median_cf"] = mb, mc
    if test is None:
        result["verdict"] = NA(f"no target for {name} (known: {', '.join(PAIRED_RULES)})")
    elif key == "microcap_max_drawdown" and mb >= 0:
        result["verdict"] = NA("feb2024's median microcap max drawdown is not negative")
    else:
        result["verdict"] = bool(test(mc, mb))
    return result


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

def run_label(i, m):
    """Column name of a run in the tables (the header lines map it to the seed and file)."""
    return f"run {i + 1}"


def evaluate(targets, runs):
    """[(target, [(figure text or None, met or None, n/a reason or None) per run])]."""
    out = []
    for t in targets:
        cells = []
        for m in runs:
            try:
                text, met = t.check(m)
                cells.append((text, met, None))
            except NA as e:
                cells.append((None, None, str(e)))
        out.append((t, cells))
    return out


def verdict_text(cells):
    met = sum(1 for _, ok, _ in cells if ok)
    na = sum(1 for _, _, r in cells if r is not None)
    m = len(cells)
    need = math.ceil(NEEDED_SHARE * m)
    s = f"{met} of {m} runs meet it"
    if na:
        s += f" ({na} n/a)"
    return s + f"; {'holds' if met >= need else 'falls short'} (needs {need} of {m}, issue 16: 7 of 8 seeds)"


def print_text(mode, runs, results, real_figs, paired, side, out):
    w = out.write
    for t, cells in results:
        w(f"\n[{t.group}] {t.name}: target {t.wanted}\n")
        w(f"  {'real':<28} {t.real_text(real_figs)}\n")
        for i, (m, (text, ok, reason)) in enumerate(zip(runs, cells)):
            label = f"seed {m['seed']}"
            if text is None:
                w(f"  {label:<28} n/a ({reason})\n")
            else:
                w(f"  {label:<28} {text}  {'yes' if ok else 'NO'}\n")
        w(f"  -> {verdict_text(cells)}\n")
    if paired:
        w("\n[counterfactuals] paired with the feb2024 runs by seed; medians over the paired seeds\n")
        for p in paired:
            what = p["what"] or "(no target)"
            w(f"  {p['name']}: {what} ({p['key']})\n")
            for seed, b, c in p["pairs"]:
                w(f"    seed {seed:<22} feb2024 {fmt_val(b)}  {p['name']} {fmt_val(c)}{ratio_text(b, c)}\n")
            if p["unmatched"]:
                w(f"    {p['unmatched']} run(s) of {p['name']} have no feb2024 run with the same seed (left out)\n")
            v = p["verdict"]
            if "median_base" in p:
                w(f"    median: feb2024 {pct(p['median_base'])}, {p['name']} {pct(p['median_cf'])}"
                  f"{ratio_text(p['median_base'], p['median_cf'])}\n")
            w(f"    -> {'n/a (' + str(v) + ')' if isinstance(v, NA) else ('met' if v else 'NOT met')}\n")
    print_side_by_side(mode, runs, side, out, markdown=False)


def fmt_val(v):
    if isinstance(v, NA):
        return f"n/a ({v})"
    if isinstance(v, float) and np.isfinite(v):
        return pct(v)
    return "n/a"


def ratio_text(b, c):
    if isinstance(b, float) and isinstance(c, float) and np.isfinite(b) and np.isfinite(c) and b < 0:
        return f"  (ratio {c / b:.2f})"
    return ""


def md_cell(text, ok, reason):
    if text is None:
        return f"n/a ({reason})"
    return f"{text} {'✓' if ok else '✗'}".replace("|", "/")


def print_markdown(mode, runs, results, real_figs, paired, side, out):
    w = out.write
    groups = []
    for r in results:
        if r[0].group not in groups:
            groups.append(r[0].group)
    for g in groups:
        w(f"\n**{g}**\n\n")
        w("| target | wanted | real | " + " | ".join(run_label(i, m) for i, m in enumerate(runs)) + " | runs meeting it |\n")
        w("|---|---|---|" + "---|" * len(runs) + "---|\n")
        for t, cells in results:
            if t.group != g:
                continue
            met = sum(1 for _, ok, _ in cells if ok)
            w(f"| {t.name} | {t.wanted} | {t.real_text(real_figs)} | "
              + " | ".join(md_cell(*c) for c in cells) + f" | {met} of {len(cells)} |\n")
    if paired:
        w("\n**counterfactuals** (paired with feb2024 by seed; medians over the paired seeds)\n\n")
        w("| counterfactual | target | seeds paired | median feb2024 | median counterfactual | ratio | met |\n")
        w("|---|---|---|---|---|---|---|\n")
        for p in paired:
            v = p["verdict"]
            mb, mc = p.get("median_base", math.nan), p.get("median_cf", math.nan)
            ratio = f"{mc / mb:.2f}" if np.isfinite(mb) and np.isfinite(mc) and mb < 0 else "n/a"
            w(f"| {p['name']} | {p['what'] or 'none'} | {len(p['pairs'])} | {fmt_val(mb)} | {fmt_val(mc)} | {ratio} | "
              f"{'n/a (' + str(v) + ')' if isinstance(v, NA) else ('yes' if v else 'no')} |\n")
    print_side_by_side(mode, runs, side, out, markdown=True)


def print_side_by_side(mode, runs, real, out, markdown):
    """Real against simulated daily returns on the key dates, and the correlation of daily returns."""
    if real is None:
        out.write("\n(no real data file: no side-by-side)\n")
        return
    w = out.write
    for name, real_name in (("microcap", "microcap index"), ("hedged", "hedged index vs CSI 1000")):
        rr = real_returns(real, name)
        dates = [d for d in KEY_DATES if d in rr and any(d in m.get(f"_{name}_daily", {}) for m in runs)]
        corr = [m.get(f"{name}_corr_real") for m in runs]
        if not dates and not any(isinstance(c, float) for c in corr):
            continue
        heads = ["date", "real"] + [run_label(i, m) for i, m in enumerate(runs)]
        rows = []
        for d in dates:
            cells = [d, pct(rr[d][1])]
            for m in runs:
                daily = m.get(f"_{name}_daily", {})
                cells.append(pct(daily[d][1]) if d in daily else "")
            rows.append(cells)
        rows.append(["corr. with real", ""] + [f"{c:+.2f}" if isinstance(c, float) else "n/a" for c in corr])
        if markdown:
            w(f"\n**daily returns, {real_name}: real and simulated**\n\n")
            w("| " + " | ".join(heads) + " |\n|" + "---|" * len(heads) + "\n")
            for r in rows:
                w("| " + " | ".join(r) + " |\n")
        else:
            w(f"\n[daily returns] {real_name}: real and simulated (key dates; correlation of all daily returns "
              f"on the dates both have)\n")
            width = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(heads)]
            w("  " + "  ".join(h.rjust(width[j]) for j, h in enumerate(heads)) + "\n")
            for r in rows:
                w("  " + "  ".join(c.rjust(width[j]) for j, c in enumerate(r)) + "\n")


def write_csv(path, runs, results, paired_runs):
    """One row per run (the feb2024/calm runs, then the paired ones): every figure and target."""
    keys = []
    for m in runs + [m for _, ms in paired_runs for m in ms]:
        for k in m:
            if not k.startswith("_") and k not in keys:
                keys.append(k)
    target_cols = [f"meets: {t.group}: {t.name}" for t, _ in results]
    with open(path, "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["role"] + keys + target_cols)

        def val(v):   # full precision; n/a and NaN as empty cells
            if isinstance(v, NA) or v is None or (isinstance(v, (float, np.floating)) and math.isnan(v)):
                return ""
            if isinstance(v, (float, np.floating)):
                return repr(float(v))
            return int(v) if isinstance(v, np.integer) else v
        for i, m in enumerate(runs):
            meets = ["" if c[i][1] is None else int(bool(c[i][1])) for _, c in results]
            wr.writerow(["main"] + [val(m.get(k)) for k in keys] + meets)
        for name, ms in paired_runs:
            for m in ms:
                wr.writerow([name] + [val(m.get(k)) for k in keys] + [""] * len(target_cols))


def detect_mode(logs):
    """calm2023 if every log says so (scenario attribute, or dates in 2023), else feb2024."""
    def calm(L):
        if L["scenario"]:
            return "calm" in L["scenario"]
        return L["dates"] is not None and len(L["dates"]) > 0 and L["dates"][0] < "2024-01-01"
    return CALM if logs and all(calm(L) for L in logs) else FEB


def parse_paired(specs):
    out = []
    for s in specs:
        if "=" not in s:
            raise InputError(f"--paired {s}: expected NAME=RUN.h5|DIR")
        name, path = s.split("=", 1)
        out.append((name, [p for p in path.split(",") if p]))
    return out


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
