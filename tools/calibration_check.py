#!/usr/bin/python3
"""Checks run logs of the feb2024 scenario (or, with --calm, of calm2023) against the calibration
targets of docs/calibration.md.

    tools/calibration_check.py RUN.h5|SWEEP_DIR ... [--baseline RUN.h5|SWEEP_DIR ...] [--csv OUT]
    tools/calibration_check.py --calm RUN.h5|SWEEP_DIR ...

Each argument is a run log or a sweep directory (every run_*.h5 in it). One line per run with the
measured figures, then each target with how many runs meet it. With --baseline (the no_dma runs,
paired by seed when the seeds match), also the ratio of microcap drawdowns. Exit status 0 whatever
the outcome (this is a report, not a test); 2 on unreadable input.
"""
import argparse
import datetime as dt
import glob
import os
import sys

import h5py
import numpy as np


def run_files(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(glob.glob(os.path.join(p, "run_*.h5")))
        else:
            files.append(p)
    return files


def main_contract_basis(f):
    """Annualised basis of the main contract per step: the front, or the next one when the front
    expires within 7 calendar days (annualising over a day or two means nothing)."""
    b = f["market/futures/basis_annualised"][:]
    days = f["day"][:]
    dates = [dt.date.fromisoformat(x) for x in f["date"].asstr()[:]]
    code = f["market/futures/code"].asstr()[:, 0]
    slot = np.zeros(len(days), int)
    for d in range(len(days)):
        for e in range(d, len(days)):
            if code[e] != code[d]:
                slot[d] = 1 if (dates[e] - dates[d]).days <= 7 else 0
                break
    day_of = np.searchsorted(days, f["day_of_step"][:])
    return b[np.arange(b.shape[0]), slot[day_of]], day_of


def measure(path):
    with h5py.File(path, "r") as f:
        if f.attrs.get("schema") != "stampede-run/1":
            raise ValueError("not a stampede run log")
        m0 = float(f["market/index/microcap"][0])
        mc = np.concatenate([[m0], f["market/index/microcap_close"][:]])
        mret = mc[1:] / mc[:-1] - 1
        seg = f["market/stocks/segment"][:]
        micro = seg == 0
        ld = f["market/stocks/limit_down"][:][:, micro].sum(1)
        basis, day_of = main_contract_basis(f)
        close_basis = np.array([basis[day_of == d][-1] for d in range(len(mret))])
        classes = list(f["agent_class"].asstr()[:])
        ac = f["agents/daily/agent_class"][:]
        nav = f["agents/daily/nav"][:]
        out = {
            "seed": int(f.attrs["seed"]),
            "complete": int(f.attrs["complete"]),
            "microcap_trough": mc.min() / m0 - 1,
            "microcap_end_vs_trough": mc[-1] / mc.min() - 1,
            "microcap_worst_day": mret.min(),
            "worst_day": f["date"].asstr()[int(mret.argmin())],
            "limit_down_share_worst_day": ld[int(mret.argmin())] / max(1, micro.sum()),
            "max_limit_down_share": ld.max() / max(1, micro.sum()),
            "deepest_basis_step": float(np.nanmin(basis)),
            "deepest_basis_close": float(np.nanmin(close_basis)),
            "median_basis_close": float(np.nanmedian(close_basis)),
            "microcap_return": mc[-1] / m0 - 1,
            "hedged_return": float(f["market/index/hedged_close"][-1] / f["market/index/hedged"][0] - 1),
        }
        for name, key in (("dma_account", "dma"), ("neutral_fund", "neutral")):
            sel = ac == classes.index(name) if name in classes else np.zeros(len(ac), bool)
            if sel.any():
                x = nav[:, sel]
                out[key + "_median_return_at_worst"] = float(np.nanmedian(np.nanmin(x, 0) / x[0] - 1))
                with np.errstate(invalid="ignore", divide="ignore"):
                    r3 = x[3:] / x[:-3] - 1 if len(x) > 3 else np.full((1, x.shape[1]), np.nan)
                out[key + "_median_worst_3day"] = float(np.nanmedian(np.nanmin(r3, 0)))
        # The engine's own figures, when the log has them, count redemptions paid out as flows,
        # not losses (see summary_* in docs/hdf5-schema.md).
        for attr, key in (("summary_dma_median_max_drawdown", "dma_median_return_at_worst"),
                          ("summary_neutral_median_worst_3day", "neutral_median_worst_3day"),
                          ("summary_neutral_median_max_drawdown", "neutral_median_return_at_worst"),
                          ("summary_dma_median_return", "dma_median_return"),
                          ("summary_neutral_median_return", "neutral_median_return")):
            if attr in f.attrs and np.isfinite(f.attrs[attr]):
                out[key] = float(f.attrs[attr])
        ev = f["events"]
        out["dma_accounts_liquidated"] = len(set(ev["liquidations"]["agent_id"])) if "liquidations" in ev else 0
        out["dma_accounts"] = int((ac == classes.index("dma_account")).sum()) if "dma_account" in classes else 0
    return out


TARGETS = [
    ("microcap index down 20% or more, start to trough", lambda m: m["microcap_trough"] <= -0.20),
    ("microcap worst day -10% or worse", lambda m: m["microcap_worst_day"] <= -0.10),
    ("main futures contract at -25% annualised or deeper (any step)", lambda m: m["deepest_basis_step"] <= -0.25),
    ("median DMA account loses 20% or more", lambda m: m.get("dma_median_return_at_worst", 0) <= -0.20),
    ("DMA liquidations", lambda m: m["dma_accounts_liquidated"] > 0),
    ("median neutral fund loses 5% or more in 3 days", lambda m: m.get("neutral_median_worst_3day", 0) <= -0.05),
    ("20% or more of microcaps limit-down on the worst day", lambda m: m["limit_down_share_worst_day"] >= 0.20),
]

# calm2023 (domain.md: "neutral products were all positive; a calm scenario must show positive
# neutral returns and a mild discount").
CALM_TARGETS = [
    ("microcaps beat the hedged index", lambda m: m["microcap_return"] > m["hedged_return"]),
    ("median neutral fund return positive", lambda m: m.get("neutral_median_return", -1) > 0),
    ("median DMA account return positive", lambda m: m.get("dma_median_return", -1) > 0),
    ("no DMA liquidation", lambda m: m["dma_accounts_liquidated"] == 0),
    ("mild discount: median close basis of the main contract between -10% and 0 annualised",
     lambda m: -0.10 <= m["median_basis_close"] <= 0),
    ("no stampede: no day with 10% or more of microcaps limit-down", lambda m: m["max_limit_down_share"] < 0.10),
]


def fmt(x):
    return f"{x:+.3f}" if isinstance(x, float) else str(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+", help="run logs or sweep directories")
    ap.add_argument("--baseline", nargs="*", default=[], help="no_dma run logs or sweep directories")
    ap.add_argument("--csv", help="also write the per-run figures to this CSV file")
    ap.add_argument("--calm", action="store_true", help="check the calm2023 targets instead of feb2024's")
    a = ap.parse_args()
    try:
        runs = [(p, measure(p)) for p in run_files(a.runs)]
        base = [(p, measure(p)) for p in run_files(a.baseline)]
    except (OSError, ValueError, KeyError) as e:
        print(f"calibration_check: {e}", file=sys.stderr)
        return 2
    if not runs:
        print("calibration_check: no run logs found", file=sys.stderr)
        return 2
    keys = list(runs[0][1].keys())
    print("run " + " ".join(keys))
    for p, m in runs:
        print(os.path.basename(p), " ".join(fmt(m.get(k, "")) for k in keys))
    print()
    for label, test in (CALM_TARGETS if a.calm else TARGETS):
        print(f"{sum(bool(test(m)) for _, m in runs)}/{len(runs)}  {label}")
    if base:
        by_seed = {m["seed"]: m for _, m in base}
        ratios = [by_seed[m["seed"]]["microcap_trough"] / m["microcap_trough"] for _, m in runs
                  if m["seed"] in by_seed and m["microcap_trough"] < 0]
        if ratios:
            ok = sum(r <= 0.5 for r in ratios)
            print(f"{ok}/{len(ratios)}  no_dma microcap drawdown at most half of feb2024's (paired by seed; ratios "
                  + ", ".join(f"{r:.2f}" for r in ratios) + ")")
    if a.csv:
        import csv
        with open(a.csv, "w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["file"] + keys)
            for p, m in runs + base:
                w.writerow([p] + [m.get(k, "") for k in keys])
    return 0


if __name__ == "__main__":
    sys.exit(main())
