"""Pure functions of index levels, NAVs and the log's step and contract arrays, shared by the
calibration check, the moments and the report (unit-tested in tests/report/test_calibration_check.py)."""
import math

import numpy as np


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
