#!/usr/bin/env python3
"""tools/report.py on small real run logs: every figure drawn and decodable, the summary table and
scenario there, logs with missing parts and unfinished runs reported gracefully, compare mode, and
exit status 2 for inputs that are not run logs. Also checks the run summary's agent measures
(summary_dma_*, summary_margin_calls, ...) against the events in the same log.

Usage (from ctest): test_report.py STAMPEDE_EXE WORKDIR
"""
import base64
import json
import os
import re
import shutil
import struct
import sys
import time

import h5py
import numpy as np

from run_helpers import PY, run, set_args

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, "..", "..", "tools", "report.py")

# Small and fast, with every agent class present; DMA accounts at 8x with margin lines just below
# their starting ratio, so margin calls and liquidations happen within three days.
SMALL = {"days": 3, "session.step_minutes": 5, "stocks.microcaps": 60, "stocks.index_constituents": 30,
         "stocks.large_caps": 4, "indices.microcap_members": 40, "noise_traders.count": 2000,
         "retail.count": 2000, "snowball.issuers": 1, "snowball.notes_per_issuer": 100,
         "snowball.maturity_months": 3, "dma.accounts": 20, "neutral_funds.count": 8,
         "index_enhanced.count": 4, "dma.leverage": 8, "dma.warning_ratio": 0.99,
         "dma.liquidation_ratio": 0.97, "dma.cure_ratio": 0.995, "dma.grace_steps": 3}
FIGURES = ["indices", "events", "basis", "limits", "heatmap", "mispricing", "depth", "intraday", "classes", "agent_nav",
           "flows", "futures_positions", "margin", "selling", "returns", "autocorrelation"]
CMP_FIGURES = ["cmp_indices", "cmp_basis", "cmp_limits", "cmp_nav"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sets(**over):
    return set_args({**SMALL, **over})


def report(*args, expect=0):
    return run([PY, REPORT, *args], expect)


def png_size(data):
    """(width, height) from a PNG's IHDR chunk; asserts the signature."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def embedded_pngs(page):
    """{figure id: PNG bytes} for every <img id="fig-..."> with a data URI."""
    out = {}
    for fid, b64 in re.findall(r'<img id="fig-([\w-]+)"[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page):
        out[fid] = base64.b64decode(b64, validate=True)
    return out


def check_pngs(pngs, ids, where):
    assert sorted(pngs) == sorted(ids), f"{where}: figures {sorted(pngs)}, expected {sorted(ids)}"
    for fid, data in pngs.items():
        w, h = png_size(data)
        assert w >= 400 and h >= 200 and len(data) > 5000, f"{where}: figure {fid} is {w}x{h}, {len(data)} bytes"
        try:   # decode the pixels too, when matplotlib can
            import io
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.image as mpimg
            img = mpimg.imread(io.BytesIO(data), format="png")
            assert img.shape[0] == h and img.shape[1] == w
            assert float(np.std(img)) > 0.01, f"{where}: figure {fid} is blank"
        except ImportError:
            pass


def check_summary_attrs(path):
    """The agent measures of the run summary agree with the events and rows of the same log."""
    with h5py.File(path, "r") as f:
        a = f.attrs
        for name in ("dma_accounts", "dma_accounts_liquidated", "dma_liquidated_share", "dma_accounts_margin_called",
                     "margin_calls", "broker_shortfall", "broker_shortfall_accounts", "dma_median_return",
                     "dma_median_max_drawdown", "neutral_funds", "neutral_median_return",
                     "neutral_median_max_drawdown", "neutral_median_worst_3day"):
            assert f"summary_{name}" in a, f"summary_{name} missing from {path}"
        classes = list(f["agent_class"].asstr()[:])
        daily = f["agents/daily/agent_class"][:]
        assert a["summary_dma_accounts"] == np.sum(daily == classes.index("dma_account"))
        assert a["summary_neutral_funds"] == np.sum(daily == classes.index("neutral_fund"))
        ev = f["events"]
        calls = ev["margin_calls"][:] if "margin_calls" in ev else np.zeros(0, ev["liquidations"].dtype)
        warn = calls[calls["reason"] == b"warning"]
        assert a["summary_margin_calls"] == len(warn)
        assert a["summary_dma_accounts_margin_called"] == len(set(warn["agent_id"]))
        liq = ev["liquidations"][:]
        starts = liq[np.char.startswith(liq["reason"], b"start_")]
        assert a["summary_dma_accounts_liquidated"] == len(set(starts["agent_id"])) > 0, "no liquidation in the stress run"
        assert abs(a["summary_dma_liquidated_share"] - len(set(starts["agent_id"])) / a["summary_dma_accounts"]) < 1e-12
        short = ev["broker_shortfalls"][:] if "broker_shortfalls" in ev else None
        expect = 0.0 if short is None else float(short["price"].sum())
        assert abs(a["summary_broker_shortfall_realised"] - expect) <= 1e-6 * max(1.0, expect)
        # Marked to market at the last close: the negative equity of every DMA account.
        names = list(f["agent_class"].asstr()[:])
        dma = f["agents/daily/agent_class"][:] == names.index("dma_account")
        last = f["agents/daily/equity"][-1][dma]
        marked = float(-last[last < 0].sum())
        assert abs(a["summary_broker_shortfall"] - marked) <= 1e-6 * max(1.0, marked)
        assert a["summary_broker_shortfall_accounts"] == int((last < 0).sum())
        assert a["summary_broker_shortfall_peak"] >= a["summary_broker_shortfall"]
        assert -1.0 <= a["summary_dma_median_max_drawdown"] <= 0.0
        assert -1.0 <= a["summary_neutral_median_max_drawdown"] <= 0.0
        assert a["summary_neutral_median_worst_3day"] >= a["summary_neutral_median_max_drawdown"] - 1e-12


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)
    t0 = time.time()

    # Two small runs: a stressed one with DMA accounts, and one without DMA accounts (other seed).
    r = run([exe, "run", "-q", "-o", "a.h5", "--threads", "2", *sets()])
    assert "DMA accounts liquidated" in r.stdout and "neutral funds" in r.stdout, r.stdout
    run([exe, "run", "-q", "-o", "b.h5", "--threads", "2", "--seed", "7", *sets(**{"dma.accounts": 0})])
    check_summary_attrs("a.h5")
    with h5py.File("b.h5", "r") as f:
        assert f.attrs["summary_dma_accounts"] == 0 and np.isnan(f.attrs["summary_dma_median_return"])

    # --help
    assert "compare" in report("--help").stdout
    assert "--labels" in report("compare", "--help").stdout

    # The report of the stressed run: every figure, embedded and in --png-dir.
    r = report("a.h5", "-o", "out/a.html", "--png-dir", "png")
    assert f"{len(FIGURES)} of {len(FIGURES)} figures" in r.stdout, r.stdout
    page = open("out/a.html", encoding="utf-8").read()
    assert page.count("data:image/png;base64,") == len(FIGURES)
    check_pngs(embedded_pngs(page), FIGURES, "a.html")
    for fid in FIGURES:
        with open(f"png/{fid}.png", "rb") as fh:
            assert fh.read() == embedded_pngs(page)[fid], f"png/{fid}.png differs from the embedded figure"
        assert f'<figure id="{fid}">' in page
    assert "<figcaption>" in page and page.count("<figcaption>") == len(FIGURES)
    for needle in ("summary_microcap_max_drawdown", "summary_dma_accounts_liquidated", "DMA accounts liquidated",
                   "neutral fund worst 3-day NAV change (median)", "excess kurtosis", "[dma]",
                   "--set dma.leverage=8", "liquidations", "margin_calls"):
        assert needle in page, f"{needle!r} not in the report"
    assert "did not finish" not in page
    assert not re.search(r'(src|href)="(https?:|//|file:)', page), "the page loads something from outside"
    # Labels come from the log's registries (/meta/summary_metrics, /meta/event_kinds): one changed
    # in the file shows in the report. A log without them (written before them) falls back to names.
    shutil.copy("a.h5", "relabelled.h5")
    with h5py.File("relabelled.h5", "r+") as f:
        for table, name in (("summary_metrics", "trades"), ("event_kinds", "margin_calls")):
            records = json.loads(f[f"meta/{table}"].asstr()[()])
            assert any(rec["name"] == name for rec in records), f"{name} not in /meta/{table}"
            for rec in records:
                rec["label"] = f"LABEL-{name}" if rec["name"] == name else rec["label"]
            del f[f"meta/{table}"]
            f[f"meta/{table}"] = json.dumps(records)
    report("relabelled.h5", "-o", "relabelled.html")
    page = open("relabelled.html", encoding="utf-8").read()
    assert "LABEL-trades" in page and "LABEL-margin_calls" in page, "the report does not read labels from the log"
    shutil.copy("a.h5", "unlabelled.h5")
    with h5py.File("unlabelled.h5", "r+") as f:
        for table in ("event_kinds", "agent_classes", "summary_metrics"):
            del f[f"meta/{table}"]
    report("unlabelled.h5", "-o", "unlabelled.html")
    page = open("unlabelled.html", encoding="utf-8").read()
    assert "DMA accounts liquidated" in page and "margin_calls" in page
    check_pngs(embedded_pngs(page), FIGURES, "unlabelled.html")

    # Default output name: next to the run log.
    report("b.h5")
    assert os.path.exists("b.html")
    page_b = open("b.html", encoding="utf-8").read()
    assert "n/a" in page_b, "medians of a class that is absent should read n/a"

    # A log with parts missing (no agents, no futures, no events) from a run that stopped early.
    shutil.copy("a.h5", "partial.h5")
    with h5py.File("partial.h5", "r+") as f:
        for path in ("agents", "market/futures", "events"):
            del f[path]
        f.attrs["complete"] = 0
        for k in [k for k in f.attrs if k.startswith("summary_")]:
            del f.attrs[k]
    r = report("partial.h5", "-o", "partial.html")
    page = open("partial.html", encoding="utf-8").read()
    assert "did not finish" in page and "No summary attributes" in page
    assert "No futures series" in page and "No agent classes" in page
    assert "No event tables" in page and "No flows by class" in page and "No futures positions by class" in page
    check_pngs(embedded_pngs(page), ["indices", "limits", "heatmap", "mispricing", "depth", "intraday", "returns",
                                     "autocorrelation"], "partial.html")

    # Compare mode.
    r = report("compare", "a.h5", "b.h5", "--labels", "stress", "no_dma", "-o", "cmp.html", "--png-dir", "cmp")
    page = open("cmp.html", encoding="utf-8").read()
    check_pngs(embedded_pngs(page), CMP_FIGURES, "cmp.html")
    for needle in ("stress", "no_dma", "DMA accounts liquidated", "Scenario differences", "accounts"):
        assert needle in page, f"{needle!r} not in the comparison"
    assert all(os.path.exists(f"cmp/{fid}.png") for fid in CMP_FIGURES)
    report("compare", "a.h5", "b.h5", "--labels", "one", "-o", "x.html", expect=2)

    # Inputs that are not run logs: one line naming the file, exit 2, nothing written.
    with open("notes.txt", "w") as fh:
        fh.write("not hdf5\n")
    with h5py.File("other.h5", "w") as f:
        f.attrs["schema"] = "something-else/1"
        f["x"] = np.arange(3)
    for args, name in ((["missing.h5"], "missing.h5"), (["notes.txt"], "notes.txt"), (["other.h5"], "other.h5"),
                       (["compare", "a.h5", "other.h5"], "other.h5"), (["."], ".")):
        r = report(*args, "-o", "bad.html", expect=2)
        assert name in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert not os.path.exists("bad.html")
    report(expect=2)   # no argument: usage, exit 2

    print(f"ok ({time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
