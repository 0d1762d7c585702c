"""The moments a calibration can target: one declaration each (MOMENTS), computed from a run log
read by measures.read_log over a window of dates.

`stampede calibrate` (tools/calibrate.py) fits scenario keys to these, docs/calibrate.md lists
them (tests/report/test_calibrate.py checks that the two lists agree), and the figures of
tools/calibration_check.py that share a name's meaning are tested to equal them on the same log.
Every moment is built from the primitives of measures.py (start level, main contract, NAV per
unit, drawdown), so a rule such as "the main contract is the one with the most open interest" has
one definition.

A window is two ISO dates, first and last trading day included; the moment uses the run's days in
it. The level before the window's first day (the index's start level on the run's first day, else
the previous close) is where returns and drawdowns start, as the run summary's figures do.

Date moments (worst day date, trough date) are numbers too: days since 1970-01-01, the CF `time`
of ensemble.h5, so a target is a date and a tolerance is in calendar days.
"""
import datetime
import math

import numpy as np

from calibration import measures
from calibration.measures import NA

EPOCH = datetime.date(1970, 1, 1)
INDICES = {"microcap": "the microcap index", "hedged": "the hedged (CSI-1000-like) index"}
# The real series each simulated index is compared with (columns of scenarios/data's closes).
REAL_OF = {"microcap": "microcap", "hedged": "hedged"}
# Products whose max drawdowns have quantiles: (moment prefix, agent class, what is measured).
PRODUCTS = {"dma": ("dma_account", "equity"), "neutral": ("neutral_fund", "NAV per unit"),
            "index_enhanced": ("index_enhanced", "NAV per unit")}
QUANTILES = {"p10": 10, "p50": 50, "p90": 90}


class Moment:
    """One moment: its name, unit ('1' for a share or return, 'date'), what it is, the fewest
    trading days its window needs, and fn(log, rows, real) -> float, rows being the log's day rows
    in the window."""

    def __init__(self, name, unit, what, fn, min_days=1):
        self.name, self.unit, self.what, self.fn, self.min_days = name, unit, what, fn, min_days

    @property
    def is_date(self):
        return self.unit == "date"


def date_number(iso):
    """Days since 1970-01-01 of an ISO date (the number a date moment is)."""
    return float((datetime.date.fromisoformat(str(iso)) - EPOCH).days)


def number_date(x):
    return (EPOCH + datetime.timedelta(days=int(round(x)))).isoformat()


def window_rows(L, window):
    """Day rows of the log whose dates are in the window (first, last), or every row for None."""
    dates = L["dates"]
    if dates is None or len(dates) == 0:
        raise NA("no trading day in the log")
    if window is None:
        return np.arange(len(dates))
    first, last = window
    if dates[-1] < last:
        raise NA(f"the run ends on {dates[-1]}, before the window's last day {last}")
    return np.flatnonzero((dates >= first) & (dates <= last))


def index_levels(L, name, rows):
    """Levels of one index over the window: the level before its first day, then each close."""
    measures._need(L, "dates", name + "_close", name + "_start")
    levels = measures.closes_with_start(L[name + "_start"], L[name + "_close"])
    window = levels[rows[0]:rows[-1] + 2]
    if not np.isfinite(window).all():
        raise NA(f"NaN in the {name} index closes")
    return window


def window_return(levels):
    return float(levels[-1] / levels[0] - 1.0)


def daily_returns(L, name, rows):
    levels = index_levels(L, name, rows)
    return levels[1:] / levels[:-1] - 1.0


def excess_kurtosis(r):
    """Fourth central moment over the squared variance, minus 3 (population moments)."""
    d = np.asarray(r, float) - np.mean(r)
    var = np.mean(d ** 2)
    if var <= 0:
        raise NA("constant daily returns")
    return float(np.mean(d ** 4) / var ** 2 - 3.0)


def lag1_autocorrelation(r):
    """Correlation of each day's value with the next day's (over the window's pairs)."""
    r = np.asarray(r, float)
    a, b = r[:-1], r[1:]
    if np.std(a) == 0 or np.std(b) == 0:
        raise NA("constant daily returns")
    return float(np.corrcoef(a, b)[0, 1])


def correlation_with_real(L, name, rows, real):
    """Correlation of the simulated index's daily returns with the real series' on the same dates
    (each return over the same pair of days)."""
    if real is None:
        raise NA("no real series (scenarios/data/china_index_closes_2023_2024.csv unreadable)")
    dates, levels = L["dates"][rows], index_levels(L, name, rows)
    pairs = measures.matched_returns(measures.daily_returns_by_date(dates, levels),
                                     measures.real_returns(real, REAL_OF[name]))
    if len(pairs) < 3:
        raise NA(f"only {len(pairs)} days of the window are in the real series")
    a = np.array(pairs)
    return float(np.corrcoef(a[:, 0], a[:, 1])[0, 1])


def main_basis(L, rows):
    """Close basis (annualised) of the main contract on each day of the window."""
    measures._need(L, "dates", "basis_close")
    basis = L["basis_close"][rows]
    slot = (measures.main_contract_slots(L["oi_close"][rows]) if L["oi_close"] is not None
            else np.zeros(len(rows), int))
    b = basis[np.arange(len(rows)), slot]
    if not np.isfinite(b).any():
        raise NA("no finite basis at a close in the window")
    return b


def limit_down_shares(L, rows):
    measures._need(L, "dates", "limit_down")
    ld = np.asarray(L["limit_down"][rows]).astype(bool)
    return ld.sum(1) / max(ld.shape[1], 1)


def product_drawdowns(L, prefix, rows):
    """Max drawdown over the window of each agent of a product class (DMA: equity; funds: NAV per
    unit, redemptions not counted as losses), from its close on the window's first day."""
    cls, _ = PRODUCTS[prefix]
    cols = measures.class_columns(L, cls)
    if prefix == "dma":
        measures._need(L, "equity")
        paths = np.asarray(L["equity"], float)[rows][:, cols]
    else:
        measures._need(L, "nav")
        nav = np.asarray(L["nav"], float)[:, cols]
        req = measures.requested_by_day(L, cols)
        paths = np.stack([measures.per_unit_nav(nav[rows, j], req[rows, j]) for j in range(len(cols))], axis=1)
    dd = np.array([measures.max_drawdown(paths[:, j]) for j in range(paths.shape[1])])
    if not np.isfinite(dd).any():
        raise NA(f"no {cls} with a drawdown in the window")
    return dd


def _declare():
    out = []
    for idx, what in INDICES.items():
        out += [
            Moment(f"{idx}_return", "1", f"return of {what} over the window: the last day's close against the "
                   "level before the first day",
                   lambda L, rows, real, idx=idx: window_return(index_levels(L, idx, rows))),
            Moment(f"{idx}_max_drawdown", "1", f"max drawdown of {what} over the window (from the level before its "
                   "first day; negative)",
                   lambda L, rows, real, idx=idx: measures.max_drawdown(index_levels(L, idx, rows))),
            Moment(f"{idx}_worst_day", "1", f"lowest daily close-to-close return of {what} in the window",
                   lambda L, rows, real, idx=idx: float(np.min(daily_returns(L, idx, rows)))),
            Moment(f"{idx}_worst_day_date", "date", f"date of that worst day of {what} (the first, if tied)",
                   lambda L, rows, real, idx=idx: date_number(L["dates"][rows][int(np.argmin(daily_returns(L, idx, rows)))])),
            Moment(f"{idx}_excess_kurtosis", "1", f"excess kurtosis of {what}'s daily returns in the window "
                   "(population moments: m4 / m2^2 - 3)",
                   lambda L, rows, real, idx=idx: excess_kurtosis(daily_returns(L, idx, rows)), min_days=4),
            Moment(f"{idx}_autocorr_lag1", "1", f"lag-1 autocorrelation of {what}'s daily returns in the window",
                   lambda L, rows, real, idx=idx: lag1_autocorrelation(daily_returns(L, idx, rows)), min_days=4),
            Moment(f"{idx}_abs_autocorr_lag1", "1", f"lag-1 autocorrelation of {what}'s absolute daily returns "
                   "(volatility clustering)",
                   lambda L, rows, real, idx=idx: lag1_autocorrelation(np.abs(daily_returns(L, idx, rows))), min_days=4),
            Moment(f"{idx}_corr_real", "1", f"correlation of {what}'s daily returns with the real "
                   f"{'microcap index' if idx == 'microcap' else 'CSI 1000'} (scenarios/data) on the same dates",
                   lambda L, rows, real, idx=idx: correlation_with_real(L, idx, rows, real), min_days=3),
        ]
    out += [
        Moment("basis_mean", "1", "mean annualised close basis of the main contract (most open interest at the "
               "day's last step; ties: the front) over the window's days",
               lambda L, rows, real: float(np.nanmean(main_basis(L, rows)))),
        Moment("basis_trough", "1", "lowest annualised close basis of the main contract in the window",
               lambda L, rows, real: float(np.nanmin(main_basis(L, rows)))),
        Moment("basis_trough_date", "date", "date of that lowest close basis (the first, if tied)",
               lambda L, rows, real: date_number(L["dates"][rows][int(np.nanargmin(main_basis(L, rows)))])),
        Moment("limit_down_share_max", "1", "highest share of all stocks closing limit-down on a day of the window",
               lambda L, rows, real: float(np.max(limit_down_shares(L, rows)))),
        Moment("limit_down_share_mean", "1", "share of all stocks closing limit-down, averaged over the window's days",
               lambda L, rows, real: float(np.mean(limit_down_shares(L, rows)))),
    ]
    for prefix, (cls, what) in PRODUCTS.items():
        for q, p in QUANTILES.items():
            out.append(Moment(f"{prefix}_max_drawdown_{q}", "1",
                              f"{p}th percentile over the {cls} agents of their max drawdown ({what}) in the window",
                              lambda L, rows, real, prefix=prefix, p=p:
                              float(np.nanpercentile(product_drawdowns(L, prefix, rows), p)), min_days=2))
    return {m.name: m for m in out}


MOMENTS = _declare()


def compute(L, name, window, real):
    """One moment of one run log: a float, or NA with the reason."""
    m = MOMENTS[name]
    rows = window_rows(L, window)
    if len(rows) < m.min_days:
        raise NA(f"{len(rows)} trading day(s) in the window, {name} needs {m.min_days}")
    try:
        x = m.fn(L, rows, real)
    except (ValueError, IndexError, KeyError, TypeError, ZeroDivisionError) as e:
        raise NA(f"unexpected data in the log: {type(e).__name__}: {e}")
    if x is None or (isinstance(x, float) and math.isnan(x)):
        raise NA(f"{name} is NaN in this run")
    return float(x)


def format_value(name, x):
    """A moment's value as text: a date for date moments, else a number with 5 significant digits."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return number_date(x) if MOMENTS[name].is_date else f"{x:.5g}"
