"""What a stampede run log measures for the calibration targets of issue 16: reading logs and the
real index closes, and every figure a target needs (tools/calibration_check.py defines them)."""
import csv
import glob
import math
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # tools/
REAL_CSV = os.path.normpath(os.path.join(HERE, "..", "scenarios", "data", "china_index_closes_2023_2024.csv"))
# /2 added coordinates to every group and the empty event tables; what is read here is in both.
SCHEMAS = ("stampede-run/1", "stampede-run/2")

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
    if schema not in SCHEMAS:
        raise InputError(f"{path}: not a stampede run log (schema {schema!r}, expected one of {', '.join(SCHEMAS)})")
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
