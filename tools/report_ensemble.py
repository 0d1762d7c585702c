"""The report of an ensemble or sweep directory, for `tools/report.py DIR` (docs/report.md).

An ensemble directory (`stampede ensemble`, with DIR/ensemble.h5): fan charts (median line and
10-90% band over the seeds) of every scenario overlaid, for the microcap and hedged indices (with
the real microcap index and CSI 1000 where the dates overlap scenarios/data/), the main contract's
basis, limit-down counts and the agent classes' NAV; then the paired-difference table, all read
from ensemble.h5 as `stampede ensemble` wrote it (nothing is recomputed here).

A sweep or batch directory (DIR/plan.csv and run logs): the same fan charts with one band per
parameter point, computed here from the run logs (the main contract by
calibration.measures.main_contract_slots, the rule the C++ summary follows); no paired table, as
a sweep's runs get seeds derived per point and so are not paired.

Runs of different lengths or calendars cannot be set side by side day by day: they are refused
with one line naming each group's days (InputError, exit 2).
"""
import csv
import math
import os

import h5py
import numpy as np

from calibration.measures import REAL_CSV, last_step_of_days, load_real, main_contract_slots
from reporting.load import read_registry

ENSEMBLE_FILE = "ensemble.h5"
ENSEMBLE_SCHEMA = "stampede-ensemble/1"
QUANTILES = (0.1, 0.5, 0.9)
# A sweep directory has no ensemble.h5: its daily series are computed here, with these titles (an
# ensemble's variables and titles are those its file lists: daily_variables and each long_name).
SWEEP_TITLES = {"microcap_close": "Microcap index close", "hedged_close": "Hedged index (CSI 1000-like) close",
                "basis_main_annualised": "Annualised basis of the main contract (most open interest) at the close",
                "limit_down_count": "Stocks closing at their lower price limit"}
# Index variables and the column of the real index closes set beside them.
REAL_COLUMN = {"microcap_close": "microcap", "hedged_close": "hedged"}
MAX_CLASS_PANELS = 10


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


# ----------------------------------------------------------------------------------------------
# Reading: one dict per directory, the same shape for ensembles and sweeps
#   groups [G] labels; dates [D]; daily {name: [G, N, D]}; bands {name: [G, 3, D]};
#   classes [C]; class_nav_band [G, 3, D, C]; paired: None or the paired table's arrays


def class_labels(f):
    """{class: label} of an open run log or ensemble.h5 (/meta/agent_classes); {} in files written
    before it (their classes are titled by name)."""
    return {name: r.get("label") or name for name, r in read_registry(f, "agent_classes").items()}


def read_ensemble(path, R):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise R.InputError(f"{path}: not a readable HDF5 file ({e})") from None
    with f:
        schema = _text(f.attrs.get("schema", ""))
        if schema != ENSEMBLE_SCHEMA:
            raise R.InputError(f"{path}: not an ensemble summary (schema {schema!r}, expected {ENSEMBLE_SCHEMA!r})")
        names = _text(f.attrs["daily_variables"]).split()
        E = {"kind": "ensemble", "path": path,
             "groups": list(f["scenario"].asstr()[:]), "seeds": [int(s) for s in f["seed"][:]],
             "dates": list(f["date"].asstr()[:]), "classes": list(f["agent_class"].asstr()[:]),
             "baseline": _text(f.attrs["baseline"]), "complete": int(f.attrs["complete"]),
             "runs_ok": int(f.attrs["runs_ok"]), "runs_planned": int(f.attrs["runs_planned"]),
             "confidence": float(f.attrs["bootstrap_confidence"])}
        E["bands"] = {n: f[n + "_band"][()] for n in names if n != "class_nav"}
        E["titles"] = {n: _text(f[n].attrs.get("long_name", n)) for n in E["bands"]}
        E["class_nav_band"] = f["class_nav_band"][()]
        E["metrics"] = list(f["metric"].asstr()[:])
        # the labels the code declares (absent in files written before them: the report's own)
        E["metric_labels"] = dict(zip(E["metrics"], f["metric_label"].asstr()[:])) if "metric_label" in f else {}
        E["class_labels"] = class_labels(f)
        E["paired"] = {k: f[k][()] for k in ("metric_band", "paired_median", "paired_low", "paired_high",
                                              "paired_sign_share", "paired_seeds")}
    return E


def _plan_groups(d, R):
    """{label: [run log paths]} of a sweep or batch directory, by parameter point (plan.csv)."""
    plan = os.path.join(d, "plan.csv")
    try:
        with open(plan, newline="") as fh:
            rows = list(csv.reader(fh))
    except OSError:
        raise R.InputError(f"{d}: a directory that is neither an ensemble ({ENSEMBLE_FILE}) nor a sweep or "
                           "batch (plan.csv): give a run log, an ensemble or a sweep directory") from None
    head = rows[0] if rows else []
    if len(head) < 4 or head[:2] != ["index", "run_id"] or head[-2:] != ["replicate", "seed"]:
        raise R.InputError(f"{plan}: not a sweep plan (header index,run_id,...,replicate,seed expected)")
    groups = {}
    for row in rows[1:]:
        label = ", ".join(f"{k}={v}" for k, v in zip(head[2:-2], row[2:-2]) if v != "") or "runs"
        log = os.path.join(d, f"run_{row[1]}.h5")
        groups.setdefault(label, [])
        if os.path.exists(log):
            groups[label].append(log)
    return groups


def _daily_of_log(path):
    """The daily series of one complete run log, as the ensemble summary takes them."""
    with h5py.File(path, "r") as f:
        if int(f.attrs.get("complete", 0)) != 1:
            return None
        days, dos = f["day"][()], f["day_of_step"][()]
        rows = last_step_of_days(dos, days)
        ok = rows >= 0
        at = np.maximum(rows, 0)
        basis = f["market/futures/basis_annualised"][()]
        oi = f["market/futures/open_interest"][()]
        main = np.full(len(days), np.nan)
        if len(basis):
            slot = main_contract_slots(oi[at])
            main = np.where(ok, basis[at, slot], np.nan)
        nav = f["agents/classes/nav"][()]
        return {"dates": list(f["date"].asstr()[:]), "classes": list(f["agent_class"].asstr()[:]),
                "class_labels": class_labels(f),
                "microcap_close": f["market/index/microcap_close"][()].astype(float),
                "hedged_close": f["market/index/hedged_close"][()].astype(float),
                "basis_main_annualised": main,
                "limit_down_count": f["market/stocks/limit_down"][()].sum(axis=1).astype(float),
                "class_nav": np.where(ok[:, None], nav[at], np.nan) if nav.size else np.zeros((len(days), 0))}


def read_sweep(d, R):
    groups = _plan_groups(d, R)
    runs = {g: [r for r in (_daily_of_log(p) for p in paths) if r is not None] for g, paths in groups.items()}
    runs = {g: rs for g, rs in runs.items() if rs}
    if not runs:
        raise R.InputError(f"{d}: no complete run log yet")
    check_same_days({g: rs[0]["dates"] for g, rs in runs.items()} |
                    {f"{g} (run {k + 1})": r["dates"] for g, rs in runs.items() for k, r in enumerate(rs)}, d, R)
    classes, names = [], {}
    for rs in runs.values():
        for r in rs:
            classes += [c for c in r["classes"] if c not in classes]
            names = r["class_labels"] | names   # the first run that labels a class
    labels = list(runs)
    dates = runs[labels[0]][0]["dates"]
    E = {"kind": "sweep", "path": d, "groups": labels, "dates": dates, "classes": classes, "class_labels": names,
         "paired": None,
         "runs": [len(runs[g]) for g in labels], "bands": {}, "titles": SWEEP_TITLES}
    for n in SWEEP_TITLES:
        E["bands"][n] = np.stack([np.nanquantile(np.stack([r[n] for r in runs[g]]), QUANTILES, axis=0) for g in labels])
    nav = np.full((len(labels), len(QUANTILES), len(dates), len(classes)), np.nan)
    for gi, g in enumerate(labels):
        for ci, c in enumerate(classes):
            paths = [r["class_nav"][:, r["classes"].index(c)] for r in runs[g] if c in r["classes"]]
            if paths:
                nav[gi, :, :, ci] = np.nanquantile(np.stack(paths), QUANTILES, axis=0)
    E["class_nav_band"] = nav
    return E


def describe_days(dates):
    return f"{len(dates)} trading days from {dates[0]} to {dates[-1]}" if len(dates) else "no trading day"


def check_same_days(dates_by_label, where, R):
    """InputError when the labelled runs do not share their trading days (lengths or calendars)."""
    items = list(dates_by_label.items())
    if all(list(d) == list(items[0][1]) for _, d in items):
        return
    seen, parts = set(), []
    for label, d in items:
        text = describe_days(list(d))
        if text not in seen:
            seen.add(text)
            parts.append(f"{label}: {text}")
    raise R.InputError(f"{where}: runs of different lengths or calendars cannot be set side by side day by day ("
                       + "; ".join(parts) + "): report them separately")


# ----------------------------------------------------------------------------------------------
# Figures


def _fan(ax, x, band, color, label):
    ok = np.isfinite(band[1])
    if not ok.any():
        return False
    ax.fill_between(x, band[0], band[2], where=np.isfinite(band[0]) & np.isfinite(band[2]), color=color, alpha=0.18,
                    lw=0)
    ax.plot(x, band[1], color=color, lw=1.6, label=label)
    return True


def fan_figures(E, R):
    plt, colors = R.plt, R.COLORS
    dates = E["dates"]
    x = np.arange(len(dates))
    pdates = R.pd.to_datetime(dates)
    real = load_real(REAL_CSV)
    figs = []
    for name, title in E["titles"].items():
        fid = "fan_" + name
        title = title[:1].upper() + title[1:]
        band = E["bands"].get(name)
        if band is None or not np.isfinite(band[:, 1]).any():
            figs.append(R.Figure(fid, title, "", note="No values of this series in the runs."))
            continue
        scale = 100.0 if name.startswith("basis") else 1.0
        fig, ax = plt.subplots(figsize=(10, 4.2))
        for g, label in enumerate(E["groups"]):
            _fan(ax, x, scale * band[g], colors[g % 10], label)
        caption = (f"Median (line) and 10-90% band over the seeds of every {'scenario' if E['kind'] == 'ensemble' else 'parameter point'}"
                   " at each close.")
        if name in REAL_COLUMN and real is not None:
            drawn = _real_overlay(ax, real, REAL_COLUMN[name], dates, band[0, 1])
            if drawn:
                caption += (f" Dashed: the real {drawn} (scenarios/data/china_index_closes_2023_2024.csv) over the "
                            "same dates, normalised to the first such day and scaled to the first group's median "
                            "there.")
        if name.startswith("basis"):
            ax.axhline(0, color="k", lw=0.6)
            ax.set_ylabel("% a year")
        ax.set_title(title)
        ax.legend(fontsize="small")
        R.day_axis(ax, pdates, closes=True)
        fig.tight_layout()
        figs.append(R.Figure(fid, title, caption, png=R.render(fig)))
    figs.append(_class_figure(E, R, x, pdates))
    return figs


def _real_overlay(ax, real, column, dates, sim_median):
    where = {d: i for i, d in enumerate(real["dates"])}
    rows = [(k, where[d]) for k, d in enumerate(dates) if d in where]
    if not rows:
        return None
    k0, r0 = rows[0]
    if not np.isfinite(sim_median[k0]):
        return None
    xs = [k for k, _ in rows]
    ys = [real[column][r] / real[column][r0] * sim_median[k0] for _, r in rows]
    name = "microcap index" if column == "microcap" else "CSI 1000"
    ax.plot(xs, ys, color="k", ls="--", lw=1.2, label=f"real {name}")
    return name


def _class_figure(E, R, x, pdates):
    plt, colors = R.plt, R.COLORS
    nav = E["class_nav_band"]
    med = nav[:, 1]
    have = [c for c in range(len(E["classes"])) if (np.isfinite(med[..., c]) & (med[..., c] != 0)).any()]
    have = have[:MAX_CLASS_PANELS]   # classes whose investors hold no capital (noise traders) are left out
    title = "NAV by agent class"
    if not have:
        return R.Figure("fan_class_nav", title, "", note="No agent class NAV in these runs.")
    cols = 2
    rows = math.ceil(len(have) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(10, 2.8 * rows), squeeze=False)
    titles = [E["class_labels"].get(E["classes"][c]) or E["classes"][c] for c in have]
    for ax, c, class_title in zip(axes.flat, have, titles):
        for g, label in enumerate(E["groups"]):
            _fan(ax, x, nav[g, :, :, c] / 1e6, colors[g % 10], label)
        ax.set_title(class_title, fontsize="medium")
        ax.set_ylabel("million yuan")
        R.day_axis(ax, pdates, closes=True)
    for ax in list(axes.flat)[len(have):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize="small")
    fig.tight_layout()
    return R.Figure("fan_class_nav", title, "Each class's total NAV at the close: median and 10-90% band over the seeds "
                    "(classes with no NAV left out; a scenario without the class draws nothing in its panel). "
                    f"Panels: {', '.join(titles)}.", png=R.render(fig))


# ----------------------------------------------------------------------------------------------
# The paired table and the page


def paired_table(E, R):
    """The summary metrics, one column per scenario: its median [10%, 90%] over the seeds and, below it for every
    scenario but the baseline, the paired difference to the baseline. One column per scenario (not three) keeps
    feb2024 and its five counterfactuals within the page; more scenarios scroll inside the table's own box."""
    P = E["paired"]
    if P is None:
        return ('<p class="note">A sweep\'s runs get seeds derived per parameter point, so they are not paired: '
                "run `stampede ensemble` for paired differences with intervals.</p>")
    groups, metrics, base = E["groups"], E["metrics"], E["groups"][0]
    conf = f"{100 * E['confidence']:g}%"
    intro = (f"<p>Each cell: the scenario's median [10%, 90%] over the seeds; below it, in grey, the paired "
             f"difference to the baseline {R.esc(base)} (the scenario minus {R.esc(base)} on the same seed): its "
             f"median [{conf} bootstrap interval] and the seeds whose difference has that sign.</p>")
    head = f'<th>{R.esc(base)}<br><span class="diff">baseline</span></th>'
    head += "".join(f'<th>{R.esc(g)}<br><span class="diff">{R.esc(g)} &minus; {R.esc(base)}</span></th>'
                    for g in groups[1:])
    band = P["metric_band"]   # [scenario, quantile, metric]
    trs = []
    for m, name in enumerate(metrics):
        f = lambda v: R.fmt_metric(name, float(v))   # noqa: E731
        d = lambda v: R.fmt_metric(name.replace("share", "return"), float(v))   # differences carry a sign  # noqa: E731
        cells = []
        for g in range(len(groups)):
            cell = f"{R.esc(f(band[g, 1, m]))} [{R.esc(f(band[g, 0, m]))}, {R.esc(f(band[g, 2, m]))}]"
            if g:
                n = int(P["paired_seeds"][g, m])
                share = P["paired_sign_share"][g, m]
                agree = int(round(share * n)) if n and np.isfinite(share) else 0
                cell += (f'<br><span class="diff">{R.esc(d(P["paired_median"][g, m]))} '
                         f'[{R.esc(d(P["paired_low"][g, m]))}, {R.esc(d(P["paired_high"][g, m]))}], {agree}/{n}</span>')
            cells.append(f'<td class="num">{cell}</td>')
        label = E["metric_labels"].get(name) or R.METRIC_LABELS.get(name, name.replace("_", " "))
        trs.append(f"<tr><td>{R.esc(label)}</td>{''.join(cells)}</tr>")
    return (intro + f'<div class="scroll"><table id="paired"><tr><th>measure</th>{head}</tr>\n' + "\n".join(trs)
            + "</table></div>")


def directory_html(d, png_dir, R):
    """(page, figures) of an ensemble or sweep directory; InputError if it is neither."""
    ens = os.path.join(d, ENSEMBLE_FILE)
    R._load_plotting()
    E = read_ensemble(ens, R) if os.path.exists(ens) else read_sweep(d, R)
    figures = fan_figures(E, R)
    what = "ensemble" if E["kind"] == "ensemble" else "sweep"
    title = f"stampede {what}: " + ", ".join(E["groups"])
    body = [f"<h1>{R.esc(title)}</h1>"]
    if E["kind"] == "ensemble":
        seeds = E["seeds"]
        body.append(f"<p>{len(E['groups'])} scenarios on the same {len(seeds)} seeds ({seeds[0]} to {seeds[-1]}), "
                    f"{describe_days(E['dates'])}; baseline {R.esc(E['baseline'])}. "
                    f"{E['runs_ok']} of {E['runs_planned']} runs complete.</p>" if seeds else "<p>No seeds.</p>")
        if not E["complete"]:
            body.append('<p class="warn">Some runs are missing or failed: the bands and differences are over the '
                        "runs present.</p>")
    else:
        counts = sorted(set(E["runs"]))
        each = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
        body.append(f"<p>{len(E['groups'])} parameter points, {each} complete runs each, "
                    f"{describe_days(E['dates'])}.</p>")
    body.append('<h2 id="paired-differences">Summary metrics and paired differences</h2>')
    body.append(paired_table(E, R))
    body.append('<h2 id="figures">Fan charts</h2>')
    body.extend(R.figure_html(f, png_dir) for f in figures)
    return R.page(title, "\n".join(body)), figures
