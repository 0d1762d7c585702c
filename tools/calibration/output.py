"""Printing the calibration check: text, Markdown, the real-beside-simulated daily returns and the
CSV of every figure."""
import csv
import math

import numpy as np

from calibration.measures import *  # noqa: F401,F403
from calibration.targets import *  # noqa: F401,F403

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

