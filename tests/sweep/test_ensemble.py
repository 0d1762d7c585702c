#!/usr/bin/env python3
"""stampede ensemble on a small world: paired runs identical to `stampede run --seed K`, the
summary in xarray with named axes, bands and bootstrap intervals that hold together, resume, Slurm
shards + merge (and MPI when built with it) giving the same summary, bad input refused with
nothing written, and tools/report.py on the directory.

Usage (from ctest): test_ensemble.py STAMPEDE_EXE WORKDIR
"""
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import time
import warnings

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
from test_sweep import mtimes, run, small_overrides  # noqa: E402
from calibration import measures  # noqa: E402

SCENARIOS = [os.path.join(ROOT, "scenarios", "feb2024.toml"), os.path.join(ROOT, "scenarios", "no_dma.toml")]
SEEDS = 3
# Datasets a paired run must share bit for bit with the single run of the same seed.
KEY_DATASETS = ("market/index/microcap_close", "market/index/hedged_close", "market/stocks/close",
                "market/futures/basis_annualised", "market/futures/open_interest", "agents/classes/nav",
                "events/liquidations", "events/margin_calls")


def summary_contents(path):
    """Every dataset and root attribute of an ensemble summary, for exact comparison."""
    out = {}
    with h5py.File(path, "r") as f:
        for k, v in f.attrs.items():
            out["@" + k] = v
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def same_summary(a, b, what):
    # Byte for byte: no timestamps, the same runs in the same order (the contents are compared too,
    # so a failure names the dataset).
    ca, cb = summary_contents(a), summary_contents(b)
    assert ca.keys() == cb.keys(), (what, ca.keys() ^ cb.keys())
    for k in ca:
        x, y = np.asarray(ca[k]), np.asarray(cb[k])
        same = np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(x, y)
        assert same, f"{what}: {k} differs"
    assert filecmp.cmp(a, b, shallow=False), f"{what}: {a} and {b} differ in bytes"


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)
    t0 = time.time()
    sets = dict(small_overrides(exe), days="3")
    base = [a for k, v in sets.items() for a in ("--set", f"{k}={v}")]
    ens = ["ensemble", *SCENARIOS, "--seeds", str(SEEDS), *base, "-q"]

    # Bad input: every problem on its own line, exit 2, nothing written.
    r = run(exe, "ensemble", "nosuch.toml", SCENARIOS[0], "--seeds", "0", *base, "-o", "bad", check=False)
    assert r.returncode == 2, r
    assert "nosuch.toml" in r.stderr and "--seeds 0" in r.stderr, r.stderr
    assert all(line.startswith("error: ") for line in r.stderr.splitlines()), r.stderr
    calm = os.path.join(ROOT, "scenarios", "calm2023.toml")
    r = run(exe, "ensemble", SCENARIOS[0], calm, "--seed-list", "1,1", "-o", "bad", check=False)
    assert r.returncode == 2 and "calm2023.toml" in r.stderr and "trading days" in r.stderr, r.stderr
    assert "given twice" in r.stderr, r.stderr
    r = run(exe, "ensemble", SCENARIOS[0], "-o", "bad", check=False)
    assert r.returncode == 2 and "--seeds N" in r.stderr, r.stderr
    assert not os.path.exists("bad"), "bad input created the output directory"

    # The ensemble: 2 scenarios x 3 seeds on 2 workers.
    r = run(exe, *ens, "-j", "2", "-o", "e")
    assert "6 runs (6 ok, 0 failed; 6 run now, 0 already complete)" in r.stdout, r.stdout
    assert "paired difference to the baseline feb2024" in r.stdout and "microcap_max_drawdown" in r.stdout, r.stdout
    assert os.path.exists("e/summary.h5") and os.path.exists("e/ensemble.h5")

    # Paired runs are `stampede run SCENARIO --seed K` bit for bit.
    with h5py.File("e/ensemble.h5", "r") as f:
        run_ids = f["run_id"].asstr()[()]
    for s, k in ((0, 2), (1, 3)):
        run(exe, "run", SCENARIOS[s], "--seed", str(k), *base, "--threads", "1", "-q", "-o", f"single_{s}_{k}.h5")
        with h5py.File(f"single_{s}_{k}.h5", "r") as single, h5py.File(f"e/run_{run_ids[s, k - 1]}.h5", "r") as paired:
            assert int(paired.attrs["seed"]) == k
            for name in KEY_DATASETS:
                x, y = single[name][()], paired[name][()]
                assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), (s, k, name)
            for a in (a for a in single.attrs if a.startswith("summary_")):
                assert single.attrs[a] == paired.attrs[a] or (np.isnan(single.attrs[a]) and np.isnan(paired.attrs[a])), a

    # The summary in xarray: named axes, coordinates, dates as datetime64.
    import xarray as xr
    ds = xr.open_dataset("e/ensemble.h5", engine="h5netcdf")
    assert ds["microcap_close"].dims == ("scenario", "seed", "day"), ds["microcap_close"].dims
    assert ds["microcap_close_band"].dims == ("scenario", "quantile", "day")
    assert ds["class_nav_band"].dims == ("scenario", "quantile", "day", "agent_class")
    assert ds["paired_median"].dims == ("scenario", "metric")
    assert list(ds["scenario"].values) == ["feb2024", "no_dma"] and list(ds["seed"].values) == [1, 2, 3]
    assert list(ds["quantile"].values) == [0.1, 0.5, 0.9] and ds.sizes["day"] == 3
    assert np.issubdtype(ds["time"].dtype, np.datetime64), ds["time"].dtype
    assert ds.attrs["baseline"] == "feb2024" and ds.attrs["complete"] == 1
    one = ds["hedged_close"].sel(scenario="no_dma", seed=2)   # labelled selection works as opened
    assert one.shape == (3,) and np.isfinite(one).all()
    # The calls docs/ensemble.md shows.
    assert ds["microcap_close_band"].sel(scenario="no_dma", quantile=0.5).dims == ("day",)
    assert ds["paired_median"].sel(metric="microcap_max_drawdown").dims == ("scenario",)
    # Each metric's label and units, as the run logs' /meta/summary_metrics give them.
    with h5py.File("e/run_" + str(ds["run_id"].values[0, 0]) + ".h5", "r") as f:
        declared = {r["name"]: r for r in json.loads(f["meta/summary_metrics"].asstr()[()])}
    for m, label, units in zip(ds["metric"].values, ds["metric_label"].values, ds["metric_units"].values):
        assert (label, units) == (declared[m]["label"], declared[m]["units"]), m
    # Each agent class's row, as the run logs' /meta/agent_classes give it (the report's panel titles).
    with h5py.File("e/run_" + str(ds["run_id"].values[0, 0]) + ".h5", "r") as f:
        in_log = json.loads(f["meta/agent_classes"].asstr()[()])
    with h5py.File("e/ensemble.h5", "r") as f:
        in_ensemble = json.loads(f["meta/agent_classes"].asstr()[()])
    assert [r["name"] for r in in_ensemble] == list(ds["agent_class"].values), in_ensemble
    assert all(r in in_ensemble for r in in_log), (in_log, in_ensemble)
    assert {"name": "dma_account", "label": "DMA accounts"}.items() <= next(
        r for r in in_ensemble if r["name"] == "dma_account").items(), in_ensemble
    assert ds["microcap_close"].sel(seed=3).swap_dims(day="time").dims == ("scenario", "time")

    # Bands: ordered, and numpy's quantiles of the per-seed values.
    for v in [n for n in ds.data_vars if n.endswith("_band")]:
        q = ds[v].transpose("quantile", ...).values
        ok = np.isfinite(q).all(axis=0)
        assert (q[0][ok] <= q[1][ok]).all() and (q[1][ok] <= q[2][ok]).all(), v
    raw = ds["limit_down_count"].values
    assert np.allclose(ds["limit_down_count_band"].values, np.moveaxis(np.nanquantile(raw, [0.1, 0.5, 0.9], axis=1), 0, 1))

    # Paired differences: per seed, median of them, the bootstrap interval holds the median.
    val = ds["metric_value"].values
    diff = val[1] - val[0]
    assert np.allclose(ds["paired_difference"].values[1], diff, equal_nan=True)
    med, lo, hi = (ds[k].values[1] for k in ("paired_median", "paired_low", "paired_high"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN columns: metrics of a class no_dma lacks
        assert np.allclose(med, np.nanmedian(diff, axis=0), equal_nan=True)
    ok = np.isfinite(med)
    assert ok.sum() > 10 and (lo[ok] <= med[ok]).all() and (med[ok] <= hi[ok]).all()
    assert (ds["paired_seeds"].values[1] == np.where(ok, SEEDS, 0)).all()   # NaN metrics: no DMA in no_dma
    share = ds["paired_sign_share"].values[1][ok]
    assert ((share >= 0.5 - 1e-12) | (med[ok] == 0)).all() and (share <= 1).all()
    ds.close()
    try:   # netCDF-C reads it too (Debian: python3-netcdf4)
        import netCDF4  # noqa: F401
        with xr.open_dataset("e/ensemble.h5", engine="netcdf4") as nc:
            assert nc["class_nav"].dims == ("scenario", "seed", "day", "agent_class")
    except ImportError:
        print("netCDF4 engine not tested: python3-netcdf4 is not installed")

    # The main contract's basis is calibration_check's (tools/calibration/measures.py).
    L = measures.read_log(f"e/run_{run_ids[0, 0]}.h5")
    want = L["basis_close"][np.arange(len(L["dates"])), measures.main_contract_slots(L["oi_close"])]
    with h5py.File("e/ensemble.h5", "r") as f:
        assert np.array_equal(f["basis_main_annualised"][0, 0], want, equal_nan=True)

    # Resume: nothing is rerun, the summary is the same; one more seed runs only the new runs.
    shutil.copytree("e", "e_ref")
    before = mtimes("e")
    r = run(exe, *ens, "-o", "e", "-j", "2", check=True)
    assert "6 runs (6 ok, 0 failed; 0 run now, 6 already complete)" in r.stdout, r.stdout
    assert mtimes("e") == before, "a complete run was rerun"
    same_summary("e/ensemble.h5", "e_ref/ensemble.h5", "resumed ensemble")
    shutil.copytree("e", "e4")
    r = run(exe, "ensemble", *SCENARIOS, "--seeds", "4", *base, "-q", "-o", "e4", "-j", "2")
    assert "8 runs (8 ok, 0 failed; 2 run now, 6 already complete)" in r.stdout, r.stdout

    # Slurm shards + merge give the same summary.
    r = run(exe, *ens, "--shard", "0/2", "-o", "s")
    assert "shard 0/2" in r.stdout and not os.path.exists("s/ensemble.h5"), r.stdout
    run(exe, *ens, "--shard", "1/2", "-o", "s")
    r = run(exe, "merge", "s")
    assert "6 ok, 0 failed, 0 missing" in r.stdout and "paired difference" in r.stdout, r.stdout
    same_summary("s/ensemble.h5", "e_ref/ensemble.h5", "shards + merge")

    # MPI: two ranks share the runs; rank 0 writes the same summary.
    mpirun = shutil.which("mpirun")
    if mpirun and "MPI sweeps: on" in run(exe, "--version").stdout:
        cmd = [mpirun, "-n", "2", "--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
        env = dict(os.environ)
        if "LSAN_OPTIONS" in env or "ASAN_OPTIONS" in env:
            env["LSAN_OPTIONS"] = (env.get("LSAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
        r = subprocess.run(cmd + [exe, *ens, "-o", "mpi"], capture_output=True, text=True, timeout=120, env=env)
        assert r.returncode == 0, f"mpirun: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
        same_summary("mpi/ensemble.h5", "e_ref/ensemble.h5", "mpirun -n 2")
    else:
        print("MPI route not tested: " + ("this stampede was built without MPI" if mpirun else "mpirun not found"))

    # The report: fan charts, the paired table, the real data where the dates overlap.
    py, report = "/usr/bin/python3", os.path.join(ROOT, "tools", "report.py")
    r = subprocess.run([py, report, "e", "-o", "e.html", "--png-dir", "png"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    page = open("e.html", encoding="utf-8").read()
    for needle in ('id="paired"', 'id="fan_microcap_close"', 'id="fan_hedged_close"', 'id="fan_basis_main_annualised"',
                   'id="fan_limit_down_count"', 'id="fan_class_nav"', "real microcap index", "no_dma &minus; feb2024"):
        assert needle in page, needle
    assert "broker shortfall, peak (yuan)" in page, "the paired table does not use ensemble.h5's metric labels"
    assert re.search(r"Panels: [^<]*market-neutral funds", page), "the class panels are not titled by their labels"
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 5, "five fan charts expected"
    # A sweep directory: a band per parameter point, no paired table (its seeds are not paired).
    run(exe, "sweep", SCENARIOS[0], *base, "--grid", "dma.leverage=2,4", "--replicates", "2", "-o", "sp", "-q", "-j", "2")
    r = subprocess.run([py, report, "sp"], capture_output=True, text=True)
    assert r.returncode == 0 and "wrote sp/report.html (5 of 5 figures)" in r.stdout, (r.stdout, r.stderr)
    page = open("sp/report.html", encoding="utf-8").read()
    assert "dma.leverage=2" in page and "not paired" in page and 'id="paired"' not in page
    # A sweep whose runs differ in length is refused, naming the days; so is compare.
    run(exe, "sweep", SCENARIOS[0], *base, "--grid", "days=2,3", "-o", "sw", "-q", "-j", "2")
    r = subprocess.run([py, report, "sw", "-o", "sw.html"], capture_output=True, text=True)
    assert r.returncode == 2 and "different lengths or calendars" in r.stderr and "2 trading days" in r.stderr, r.stderr
    assert not os.path.exists("sw.html")
    logs = sorted(f for f in os.listdir("sw") if f.endswith(".h5") and f.startswith("run_"))
    args = [py, report, "compare", *[os.path.join("sw", x) for x in logs], "-o", "cmp.html"]
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 2 and "different lengths or calendars" in r.stderr and not os.path.exists("cmp.html"), r.stderr
    r = subprocess.run(args + ["--allow-different-days"], capture_output=True, text=True)
    assert r.returncode == 0 and "warning" in r.stderr and "do not share their trading days" in open("cmp.html").read()

    print(f"ensemble tests passed in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
