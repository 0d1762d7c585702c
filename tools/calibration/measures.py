"""What a stampede run log measures for the calibration targets of issue 16: the real index closes,
and every figure a target needs (tools/calibration_check.py defines them). Logs are read by
calibration/run_logs.py."""
import csv
import math
import os

import numpy as np

# Re-exported: the tools reach the log reader, the errors and the pure series functions through
# this module (calibration/run_logs.py, errors.py, series.py hold them).
from calibration.errors import NA, InputError  # noqa: F401
from calibration.run_logs import SCHEMAS, read_log, run_files  # noqa: F401
from calibration.series import (closes_with_start, last_step_of_days, longest_true_run,  # noqa: F401
                                main_contract_slots, max_drawdown, per_unit_nav, worst_k_return)

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # tools/
REAL_CSV = os.path.normpath(os.path.join(HERE, "..", "scenarios", "data", "china_index_closes_2023_2024.csv"))

FEB = "feb2024"
CALM = "calm2023"
# The calendar window each scenario's targets are about (the real figures are taken over it too).
WINDOW = {FEB: ("2024-01-01", "2024-02-29"), CALM: ("2023-01-01", "2023-12-31")}
# Issue 16: each target "on at least 7 of seeds 1-8".
NEEDED_SHARE = 7 / 8
CALM_LAST_DAY = "2023-12-29"   # the last trading day of 2023
KEY_DATES = ["2024-01-22", "2024-01-31", "2024-02-02", "2024-02-05", "2024-02-06", "2024-02-07", "2024-02-08",
             "2024-02-29"]



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


# Figure helpers the measures and the targets share.

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
