#!/usr/bin/env python3
"""tools/report.py's figures one by one, on a small stressed run: every figure id renders (an
embedded PNG, a caption, a row in docs/report.md's figure table); a log lacking a dataset gives that
figure a note, never a failed report; `--fig-dir DIR --format svg` writes DIR/<id>.svg and
DIR/<id>.csv for every figure, the CSVs holding the data plotted (checked against the log);
`--format pdf` writes PDFs, `--png-dir` still writes PNGs; the basis panel plots the main contract
the engine recorded (/market/futures/main_slot: most open interest at the close, the rule of
calibration.measures), and a log without that record gets the same contracts from the open
interest; a leverage spike is clipped on the classes panel and kept in its CSV; an agent class has one
colour in every figure and no two classes share one.

Usage (from ctest): test_report_figures.py STAMPEDE_EXE WORKDIR
"""
import csv
import os
import re
import shutil
import sys
import time
import xml.etree.ElementTree as ET

import h5py
import numpy as np

from run_helpers import PY, run, set_args
from test_report import FIGURES, SMALL, embedded_pngs

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
REPORT = os.path.join(ROOT, "tools", "report.py")
sys.path.insert(0, os.path.join(ROOT, "tools"))
from calibration.measures import last_step_of_days, main_contract_slots  # noqa: E402

# Datasets deleted one at a time -> the figure that must turn into a note (and the note's words).
LACKING = [("agents/flows", "flows", "No flows by class"),
           ("agents/futures", "futures_positions", "No futures positions by class"),
           ("market/stocks/value", "mispricing", "No closes or fundamental values"),
           ("market/stocks/bid_depth_2pct", "depth", "No order-book liquidity"),
           ("events", "events", "No event tables"),
           ("market/futures", "basis", "No futures series"),
           ("agents/classes", "classes", "No agent classes")]


def report(*args, expect=0):
    return run([PY, REPORT, *args], expect)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, f"{path} has no rows"
    return rows


def col(rows, name):
    return np.array([float(r[name]) if r[name] not in ("", "nan") else np.nan for r in rows])


def check_csv_data(d, log):
    """The CSVs hold what the log says (a few figures checked against the log directly)."""
    with h5py.File(log, "r") as f:
        days = list(f["date"].asstr()[:])
        n_days, n_stocks = len(days), len(f["stock"])
        # basis: the main contract's annualised basis at each close, in percent
        rows = last_step_of_days(f["day_of_step"][:], f["day"][:])
        b = f["market/futures/basis_annualised"][:][rows]
        slot = main_contract_slots(f["market/futures/open_interest"][:][rows].astype(float))
        if "market/futures/main_slot" in f:   # the engine's record of it follows the same rule
            assert list(f["market/futures/main_slot"][:]) == list(slot)
        got = read_csv(f"{d}/basis.csv")
        assert [r["date"] for r in got] == days
        assert np.allclose(col(got, "basis_annualised_pct"), 100 * b[np.arange(n_days), slot], equal_nan=True)
        assert [int(r["slot"]) for r in got] == list(slot)
        codes = f["market/futures/code"].asstr()[:]
        assert [r["contract"] for r in got] == [codes[i][s] for i, s in enumerate(slot)]
        # limits: stocks closing limit-down, summed over segments
        got = read_csv(f"{d}/limits.csv")
        down = sum(col(got, k) for k in got[0] if k.startswith("limit_down_"))
        assert np.array_equal(down, f["market/stocks/limit_down"][:].sum(1))
        # heatmap: one row per stock and day, the limit-down flags of the log
        got = read_csv(f"{d}/heatmap.csv")
        assert len(got) == n_days * n_stocks
        assert sum(int(r["limit_down"]) for r in got) == int(f["market/stocks/limit_down"][:].sum())
        close = f["market/stocks/close"][:]
        assert np.allclose(col(got, "return")[n_stocks:2 * n_stocks], close[1] / close[0] - 1)
        # flows: every (day, class, segment) with the log's values
        got = read_csv(f"{d}/flows.csv")
        assert np.isclose(col(got, "bought_yuan").sum(), f["agents/flows/buy"][:].sum())
        assert np.isclose(col(got, "sold_forced_yuan").sum(), f["agents/flows/sell_forced"][:].sum())
        # futures positions: long - short per class and slot
        got = read_csv(f"{d}/futures_positions.csv")
        assert np.array_equal(col(got, "net"), (f["agents/futures/long"][:] - f["agents/futures/short"][:]).ravel())
        # mispricing: the median microcap's close / value - 1 on the last day
        seg = f["market/stocks/segment"][:]
        names = list(f["segment"].asstr()[:])
        micro = seg == names.index("microcap")
        mis = 100 * (close[-1, micro] / f["market/stocks/value"][-1, micro] - 1)
        assert np.isclose(col(read_csv(f"{d}/mispricing.csv"), "microcap_median_pct")[-1], np.median(mis))
        # events: the knock-ins and liquidations started of the log
        got = read_csv(f"{d}/events.csv")
        ki = [r for r in got if r["kind"] == "knock_ins"]
        assert sum(int(r["count"]) for r in ki) == len(f["events/knock_ins"])
        liq = f["events/liquidations"]["reason"]
        starts = int(np.char.startswith(liq, b"start_").sum())
        assert sum(int(r["count"]) for r in got if r["kind"] == "liquidations") == starts
        # depth: per step of the crash window, locked counts never above the recorded stocks
        got = read_csv(f"{d}/depth.csv")
        recorded = int(f["market/stocks/liquidity_recorded"][:].sum())
        locked = sum(col(got, k) for k in got[0] if k.endswith("_locked_limit_down"))
        assert locked.max() <= recorded and locked.max() > 0, "the stress run locks no stock"
        # intraday: one row per step of the worst day
        got = read_csv(f"{d}/intraday.csv")
        assert len(got) == int(f.attrs["steps_per_day"])


# The figures that draw agent classes, by module: (module name, function name).
CLASS_FIGURES = [("figures_run", "fig_classes"), ("figures_run", "fig_agent_nav"), ("figures_run", "fig_selling"),
                 ("figures_agents", "fig_flows"), ("figures_agents", "fig_futures_positions")]


def check_class_colours(log):
    """An agent class has one colour in every figure that draws classes, and no two classes share one
    (matplotlib's cycle has ten colours; a run has eleven classes). Read from each figure's legends."""
    import importlib
    from matplotlib.colors import to_hex
    from reporting.load import Run
    run_ = Run(log)
    by_label = {run_.class_label(n): n for n in run_.classes}   # legends show the log's labels
    assert all(label != n for label, n in by_label.items()), f"classes without a label in the log: {by_label}"
    colours = {}   # class -> {figure: colour}
    for module_name, fn in CLASS_FIGURES:
        module = importlib.import_module(f"reporting.{module_name}")
        drawn, render = [], module.render
        module.render = lambda fig: drawn.append(fig) or render(fig)   # keep the figure to read its legends
        try:
            getattr(module, fn)(run_)
        finally:
            module.render = render
        assert drawn, f"{fn} drew nothing on the test run"
        for ax in drawn[0].axes:
            legend = ax.get_legend()
            if legend is None:
                continue
            handles = getattr(legend, "legend_handles", None) or legend.legendHandles   # matplotlib >= 3.7 / 3.6
            for handle, text in zip(handles, legend.get_texts()):
                name = by_label.get(re.sub(r"^forced: | \(\d+\)$", "", text.get_text()))
                if name in run_.classes:
                    c = handle.get_color() if hasattr(handle, "get_color") else handle.get_facecolor()
                    colours.setdefault(name, {})[f"{fn}/{ax.get_ylabel()}"] = to_hex(c, keep_alpha=False)
    assert len(colours) >= 10, f"only {sorted(colours)} drawn with a legend"
    for name, where in colours.items():
        assert len(set(where.values())) == 1, f"{name} changes colour between figures: {where}"
    shared = {}
    for name, where in colours.items():
        shared.setdefault(next(iter(where.values())), []).append(name)
    assert all(len(v) == 1 for v in shared.values()), f"classes sharing a colour: {shared}"


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)
    t0 = time.time()
    run([exe, "run", "-q", "-o", "a.h5", "--threads", "2", *set_args(SMALL)])

    # Every figure id renders, with its caption; every id is in docs/report.md's figure table.
    report("a.h5", "-o", "a.html", "--fig-dir", "svg", "--format", "svg")
    page = open("a.html", encoding="utf-8").read()
    pngs = embedded_pngs(page)
    assert sorted(pngs) == sorted(FIGURES), sorted(pngs)
    for fid in FIGURES:
        block = page[page.index(f'<figure id="{fid}">'):]
        block = block[:block.index("</figure>")]
        assert "<figcaption>" in block and 'class="note"' not in block, f"{fid}: {block[:300]}"
    doc = open(os.path.join(ROOT, "docs", "report.md"), encoding="utf-8").read()
    for fid in FIGURES:
        assert re.search(rf"^\| `{fid}` \|", doc, re.M), f"figure {fid} is not in docs/report.md's table"

    # --format svg: DIR/<id>.svg (an SVG document) and DIR/<id>.csv for every figure, no PNG.
    for fid in FIGURES:
        root = ET.parse(f"svg/{fid}.svg").getroot()
        assert root.tag.endswith("svg"), f"svg/{fid}.svg is not an SVG document"
        assert os.path.getsize(f"svg/{fid}.svg") > 5000
        rows = read_csv(f"svg/{fid}.csv")
        assert len(rows[0]) >= 2, f"svg/{fid}.csv has one column"
    assert not [n for n in os.listdir("svg") if n.endswith(".png")]
    check_csv_data("svg", "a.h5")
    check_class_colours("a.h5")

    # --format pdf, and the old --png-dir name.
    report("a.h5", "-o", "b.html", "--fig-dir", "pdf", "--format", "pdf")
    for fid in FIGURES:
        with open(f"pdf/{fid}.pdf", "rb") as fh:
            assert fh.read(5) == b"%PDF-", f"pdf/{fid}.pdf"
    report("a.h5", "-o", "c.html", "--png-dir", "png")
    assert sorted(n for n in os.listdir("png") if n.endswith(".png")) == sorted(f"{fid}.png" for fid in FIGURES)
    assert sorted(n for n in os.listdir("png") if n.endswith(".csv")) == sorted(f"{fid}.csv" for fid in FIGURES)
    r = report("a.h5", "--format", "gif", expect=2)
    assert "gif" in r.stderr and "Traceback" not in r.stderr
    # compare mode writes its CSVs too
    report("compare", "a.h5", "a.h5", "--labels", "x", "y", "-o", "cmp.html", "--fig-dir", "cmp", "--format", "svg")
    for fid in ("cmp_indices", "cmp_basis", "cmp_limits", "cmp_nav"):
        assert os.path.exists(f"cmp/{fid}.svg") and read_csv(f"cmp/{fid}.csv")

    # A log written before /market/futures/main_slot: the report finds the main contract from the
    # open interest, the same contracts as the engine recorded.
    shutil.copy("a.h5", "no_main_slot.h5")
    with h5py.File("no_main_slot.h5", "r+") as f:
        del f["market/futures/main_slot"]
    report("no_main_slot.h5", "-o", "no_main_slot.html", "--fig-dir", "no_main_slot")
    assert read_csv("no_main_slot/basis.csv") == read_csv("svg/basis.csv")

    # A leverage spike (a class whose equity nears zero): the panel's log axis is clipped, the CSV keeps the value.
    shutil.copy("a.h5", "spike.h5")
    with h5py.File("spike.h5", "r+") as f:
        lev = f["agents/classes/leverage"][:]
        dma = list(f["agent_class"].asstr()[:]).index("dma_account")
        lev[len(lev) // 2, dma] = 3012.0
        f["agents/classes/leverage"][...] = lev
    report("spike.h5", "-o", "spike.html", "--fig-dir", "spike")
    page = open("spike.html", encoding="utf-8").read()
    assert "log axis clipped" in page and "classes" in embedded_pngs(page)
    assert np.nanmax(col(read_csv("spike/classes.csv"), "leverage_dma_account")) == 3012.0

    # A log lacking a dataset: that figure is a note, the report still succeeds with the others.
    for path, fid, words in LACKING:
        name = "lack_" + path.replace("/", "_") + ".h5"
        shutil.copy("a.h5", name)
        with h5py.File(name, "r+") as f:
            del f[path]
        r = report(name, "-o", name + ".html", "--fig-dir", "lack", "--format", "svg")
        page = open(name + ".html", encoding="utf-8").read()
        block = page[page.index(f'<figure id="{fid}">'):]
        block = block[:block.index("</figure>")]
        assert 'class="note"' in block and words in block, f"{path} deleted: {fid} says {block[:400]}"
        assert "could not be drawn" not in page and "Traceback" not in r.stderr, (path, r.stderr)
        assert fid not in embedded_pngs(page)
    print(f"ok ({time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
