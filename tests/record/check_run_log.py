#!/usr/bin/env python3
"""Check that a stampede run log follows schema "stampede-run/2" (docs/hdf5-schema.md).

Reads the file the way users do: h5py for the raw layout, pandas for the event tables, xarray
(engine h5netcdf) for every group, with named dimensions and the group's own coordinates. The
datasets and event tables every log must have come from the schema the writer itself walks, as
`stampede schema` prints it (sim/record/run_log_schema.hpp): the binary is --stampede, $STAMPEDE
or this checkout's build/tools/stampede; --schema reads a file of its output instead.

    python3 tests/record/check_run_log.py RUN.h5 [--allow-incomplete] [--stampede EXE | --schema FILE]

Exits 0 if every check passes; otherwise prints each failure and exits 1 (2 if the file cannot be
opened at all).
"""
import argparse
import json
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import xarray as xr

SCHEMA = "stampede-run/2"
REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TIME_UNITS = "days since 1970-01-01"
ROOT_ATTRS = {  # name -> numpy kind(s) accepted
    "schema": "U", "Conventions": "U", "version": "U", "git_sha": "U", "seed": "u", "seed_text": "S", "threads": "i",
    "scenario": "U",
    "complete": "i", "wall_time_seconds": "f", "created_utc": "U", "steps_per_day": "i",
    "record_step_prices": "i", "invariants_checked": "i", "code_hash": "U", "scenario_hash": "U",
}
# dtype of `stampede schema` -> numpy kind as h5py reads it (O: a string)
DTYPE_KINDS = {"uint8": "u", "int32": "i", "int64": "i", "float64": "f", "string": "O"}
EVENT_FIELDS = [("step", "i"), ("day", "i"), ("agent_id", "i"), ("agent_class", "S"),
                ("instrument", "i"), ("quantity", "i"), ("price", "f"), ("reason", "S")]
XARRAY_GROUPS = ("market/stocks", "market/futures", "market/index", "agents/classes", "agents/daily", "agents/flows",
                 "agents/stocks", "agents/futures")
EVERY_GROUP = ("", "meta", "market", *XARRAY_GROUPS, "market/driver", "agents", "events")

# Filled from the schema by load_schema (the declarations the writer walks, as `stampede schema`
# prints them), so this script holds no copy of the dataset list:
COORDS = {}      # coordinate -> (dtype kind, unlimited)
DATASETS = {}    # dataset path -> (dims, dtype kind: f float, i signed int, u unsigned int, O string)
EVENT_KINDS = []


def default_stampede():
    """The binary to ask for the schema: $STAMPEDE, else this checkout's build/tools/stampede."""
    return os.environ.get("STAMPEDE") or os.path.join(REPO, "build", "tools", "stampede")


def load_schema(stampede=None, schema_json=None):
    """Reads the schema (`stampede schema` of the binary, or a file it wrote) into COORDS, DATASETS
    and EVENT_KINDS. /market/driver has its own dimension, checked by check_driver."""
    if schema_json is None:
        exe = stampede or default_stampede()
        out = subprocess.run([exe, "schema"], capture_output=True, text=True, check=True)
        schema = json.loads(out.stdout)
    else:
        with open(schema_json, encoding="utf-8") as f:
            schema = json.load(f)
    COORDS.clear()
    DATASETS.clear()
    for d in schema["datasets"]:
        kind = DTYPE_KINDS[d["dtype"]]
        if d["path"].startswith(("meta/", "market/driver/")):
            continue
        if d["coordinate"]:
            COORDS[d["path"]] = (kind, d["unlimited"])
        else:
            DATASETS[d["path"]] = (tuple(d["dims"]), kind)
    EVENT_KINDS[:] = [k["name"] for k in schema["event_kinds"]]
    return schema


def declared_event_kinds():
    """The event kinds of the schema, in order: every log has one table per kind."""
    return EVENT_KINDS


def group_dims(group):
    """The dimensions the datasets of `group` use: it must carry a coordinate for each."""
    dims = set()
    for p, (ds_dims, _) in DATASETS.items():
        if p.rpartition("/")[0] == group:
            dims.update(ds_dims)
    return dims


class Checker:
    def __init__(self):
        self.failures = []

    def check(self, ok, message):
        if not ok:
            self.failures.append(message)
        return ok


def kind_of(dtype):
    if h5py.check_string_dtype(dtype) is not None:
        return "O"
    return dtype.kind


def as_text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else value


def check_h5py(c, path, allow_incomplete):
    with h5py.File(path, "r") as f:
        attrs = f.attrs
        for name, kind in ROOT_ATTRS.items():
            if not c.check(name in attrs, f"root attribute '{name}' is missing"):
                continue
            value = attrs[name]
            got = "U" if isinstance(value, str) else "S" if isinstance(value, bytes) else np.asarray(value).dtype.kind
            c.check(got == kind, f"root attribute '{name}' has kind {got!r}, expected {kind!r}")
        if "schema" in attrs:
            c.check(as_text(attrs["schema"]) == SCHEMA, f"schema is {attrs['schema']!r}, expected {SCHEMA!r}")
        complete = int(attrs.get("complete", -1))
        c.check(complete in (0, 1), f"complete is {complete}, expected 0 or 1")
        if not allow_incomplete:
            c.check(complete == 1, "complete is 0: the run did not finish (use --allow-incomplete to accept)")
        if complete == 1:
            c.check(np.isfinite(attrs.get("wall_time_seconds", np.nan)), "complete run without wall_time_seconds")
        if "created_utc" in attrs:
            c.check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", as_text(attrs["created_utc"])) is not None,
                    f"created_utc {attrs['created_utc']!r} is not ISO 8601 UTC")
        record_step_prices = int(attrs.get("record_step_prices", 1)) == 1
        steps_per_day = int(attrs.get("steps_per_day", -1))

        for name in ("scenario_toml", "scenario_resolved", *REGISTRY_FIELDS):
            p = f"meta/{name}"
            if c.check(p in f, f"/{p} is missing"):
                ds = f[p]
                c.check(ds.shape == () and kind_of(ds.dtype) == "O", f"/{p} is not a scalar string dataset")
                if ds.shape == ():
                    c.check(isinstance(ds.asstr()[()], str), f"/{p} does not read back as text")

        sizes = {}
        for name, (kind, unlimited) in COORDS.items():
            if not c.check(name in f and isinstance(f[name], h5py.Dataset), f"coordinate /{name} is missing"):
                continue
            ds = f[name]
            c.check(ds.ndim == 1, f"/{name} is not 1-D")
            c.check(as_text(ds.attrs.get("CLASS", b"")) == "DIMENSION_SCALE", f"/{name} is not a dimension scale")
            c.check(as_text(ds.attrs.get("NAME", b"")) == name, f"/{name} dimension scale NAME is not '{name}'")
            c.check(kind_of(ds.dtype) == kind, f"/{name} has dtype {ds.dtype}, expected kind {kind!r}")
            c.check((ds.maxshape[0] is None) == unlimited,
                    f"/{name} should {'' if unlimited else 'not '}be unlimited (maxshape {ds.maxshape})")
            sizes[name] = ds.shape[0] if ds.ndim == 1 else -1
        if steps_per_day >= 0 and "intraday_step" in sizes:
            c.check(sizes["intraday_step"] == steps_per_day, "intraday_step size differs from steps_per_day")
        if "step" in f and f["step"].size > 1:
            c.check(bool(np.all(np.diff(f["step"][:]) > 0)), "/step is not strictly increasing")
        if "day" in f and f["day"].size > 1:
            c.check(bool(np.all(np.diff(f["day"][:]) > 0)), "/day is not strictly increasing")
        if "day_of_step" in f and f["day_of_step"].size > 1:
            c.check(bool(np.all(np.diff(f["day_of_step"][:]) >= 0)), "/day_of_step decreases")
        if complete == 1 and "day_of_step" in f and "day" in f:
            missing = set(f["day_of_step"][:].tolist()) - set(f["day"][:].tolist())
            c.check(not missing, f"steps of days {sorted(missing)[:5]} have no day row")
        if "date" in f:
            dates = f["date"].asstr()[:]
            bad = [d for d in dates if not re.fullmatch(r"\d{4}-\d\d-\d\d", d)]
            c.check(not bad, f"/date has non-ISO entries, e.g. {bad[:3]}")

        for p, (dims, kind) in DATASETS.items():
            if p == "market/stocks/last_price" and not record_step_prices and p in f:
                c.check(f[p].id.get_storage_size() == 0, "/market/stocks/last_price has data although record_step_prices = 0")
            if not c.check(p in f, f"/{p} is missing"):
                continue
            ds = f[p]
            c.check(kind_of(ds.dtype) == kind, f"/{p} has dtype {ds.dtype}, expected kind {kind!r}")
            if not c.check(ds.ndim == len(dims), f"/{p} has rank {ds.ndim}, expected {len(dims)} {dims}"):
                continue
            expected = tuple(sizes.get(d, -1) for d in dims)
            c.check(ds.shape == expected, f"/{p} has shape {ds.shape}, expected {expected} from {dims}")
            group = p.rpartition("/")[0]
            for axis, dim in enumerate(dims):
                scales = [s.name for s in ds.dims[axis].values()]
                own = f"/{group}/{dim}" if group else f"/{dim}"
                c.check(scales == [own], f"/{p} axis {axis} has scales {scales}, expected ['{own}'] (its group's copy)")
            if dims[0] in ("step", "day"):
                c.check(ds.chunks is not None and ds.maxshape[0] is None, f"/{p} is not chunked and unlimited")

        check_agents(c, f, sizes)
        check_attribution(c, f)
        check_liquidity(c, f)
        check_driver(c, f)
        check_group_coordinates(c, f, record_step_prices)
        for name in ("stock", "futures_slot", "agent_class", "agent", "segment"):
            p = f"{name}_chars"
            if c.check(p in f, f"/{p} is missing (the /{name} labels as characters, for Octave)") and name in f:
                rows = [bytes(r).rstrip(b"\0").decode("utf-8") for r in f[p][()].view(np.uint8).reshape(f[p].shape)]
                c.check(rows == list(f[name].asstr()[:]), f"/{p} differs from /{name}")
        if "seed_text" in attrs and "seed" in attrs:
            c.check(int(attrs["seed_text"]) == int(attrs["seed"]), "seed_text differs from seed")
        if "time" in f and "date" in f and f["time"].size:
            c.check(f["time"].attrs.get("units") == TIME_UNITS, f"/time units are {f['time'].attrs.get('units')!r}")
            as_dates = (np.datetime64("1970-01-01") + f["time"][:].astype("timedelta64[D]")).astype(str)
            c.check(list(as_dates) == list(f["date"].asstr()[:]), "/time does not give the dates of /date")

        def every_dataset(name, obj):
            if isinstance(obj, h5py.Dataset):
                for a in ("units", "long_name"):
                    c.check(a in obj.attrs, f"/{name} has no '{a}' attribute")
        f.visititems(every_dataset)

        if c.check("events" in f and isinstance(f["events"], h5py.Group), "/events group is missing"):
            kinds = declared_event_kinds()
            for kind in kinds:
                c.check(kind in f["events"], f"/events/{kind} is missing (every log has every declared table)")
            for kind, ds in f["events"].items():
                c.check(kind in kinds, f"/events/{kind} is not a declared event kind (sim/record/event_kinds.def)")
                check_events(c, kind, ds, sizes)
                check_event_columns(c, f, kind, ds)
        check_registries(c, f)
        return record_step_prices


# The registries in /meta (docs/hdf5-schema.md, "/meta"): table -> the fields of each record.
REGISTRY_FIELDS = {
    "event_kinds": ("name", "label", "quantity_units", "price_units", "doc"),
    "agent_classes": ("name", "label", "section", "doc"),
    "summary_metrics": ("name", "units", "label", "doc"),
}


def read_registry(f, table):
    """The records of /meta/<table> (a JSON array of objects), or None when the log has no such table."""
    p = f"meta/{table}"
    return json.loads(f[p].asstr()[()]) if p in f else None


def check_registries(c, f):
    """/meta/event_kinds, agent_classes and summary_metrics: JSON arrays of records with every field,
    names unique, one record per /events table, per agent_class (in its order) and per summary_
    attribute; labels of the built-in classes and kinds are more than their names' copies."""
    tables = {}
    for table, fields in REGISTRY_FIELDS.items():
        if f"meta/{table}" not in f:
            continue   # reported with /meta's other datasets
        try:
            records = read_registry(f, table)
        except ValueError as e:
            c.check(False, f"/meta/{table} is not JSON ({e})")
            continue
        if not c.check(isinstance(records, list), f"/meta/{table} is not a JSON array"):
            continue
        for r in records:
            c.check(isinstance(r, dict) and list(r) == list(fields) and all(isinstance(r[k], str) for k in fields),
                    f"/meta/{table}: record {r!r} does not have the text fields {list(fields)}")
        names = [r.get("name") for r in records if isinstance(r, dict)]
        c.check(len(names) == len(set(names)), f"/meta/{table} names some entry twice")
        c.check(all(isinstance(r, dict) and r.get("name") and r.get("label") for r in records),
                f"/meta/{table} has an entry without a name or a label")
        tables[table] = names
    if "event_kinds" in tables and "events" in f:
        c.check(tables["event_kinds"] == list(declared_event_kinds()),
                "/meta/event_kinds does not list the declared event kinds in order")
    if "agent_classes" in tables and "agent_class" in f:
        c.check(tables["agent_classes"] == list(f["agent_class"].asstr()[:]),
                "/meta/agent_classes does not list the classes of /agent_class in order")
    if "summary_metrics" in tables:
        attrs = [k[len("summary_"):] for k in f.attrs if k.startswith("summary_")]
        c.check(all(a in tables["summary_metrics"] for a in attrs),
                f"summary_ attributes without a record in /meta/summary_metrics: "
                f"{[a for a in attrs if a not in tables['summary_metrics']]}")


def check_group_coordinates(c, f, record_step_prices):
    """Every group carries its own copy of the coordinates of the dimensions it uses (netCDF
    readers look there), equal to the root's; day groups also date and time, step groups day_of_step."""
    for group in XARRAY_GROUPS:
        dims = group_dims(group)
        extra = (["date", "time"] if "day" in dims else []) + (["day_of_step"] if "step" in dims else [])
        for name in sorted(dims) + extra:
            p = f"{group}/{name}"
            if not c.check(p in f, f"/{p} is missing (the group's copy of /{name})"):
                continue
            mine, root = f[p], f[name]
            if name in dims:
                c.check(as_text(mine.attrs.get("CLASS", b"")) == "DIMENSION_SCALE", f"/{p} is not a dimension scale")
            same = (list(mine.asstr()[:]) == list(root.asstr()[:])) if kind_of(root.dtype) == "O" else \
                np.array_equal(mine[:], root[:])
            c.check(same, f"/{p} differs from /{name}")


def check_driver(c, f):
    """/market/driver: the real path that drove the market factor (zero rows without a driver),
    on its own dimension scale driver_day (in the group), one row per trading day of the run."""
    if not c.check("market/driver" in f, "/market/driver is missing"):
        return
    g = f["market/driver"]
    for a in ("source", "column", "base_date", "base_close"):
        c.check(a in g.attrs, f"/market/driver has no attribute '{a}'")
    if not c.check("driver_day" in g, "/market/driver/driver_day is missing"):
        return
    n = g["driver_day"].shape[0]
    for name, kind in (("date", "O"), ("close", "f"), ("log_return", "f")):
        if not c.check(name in g, f"/market/driver/{name} is missing"):
            return
        ds = g[name]
        c.check(kind_of(ds.dtype) == kind, f"/market/driver/{name} has dtype {ds.dtype}, expected kind {kind!r}")
        c.check(ds.shape == (n,), f"/market/driver/{name} has shape {ds.shape}, expected ({n},)")
        scales = [s.name for s in ds.dims[0].values()]
        c.check(scales == ["/market/driver/driver_day"], f"/market/driver/{name} has scales {scales}")
    if n == 0:
        return
    run_dates = f["date"].asstr()[:]
    driver_dates = g["date"].asstr()[:]
    c.check(list(driver_dates[:len(run_dates)]) == list(run_dates), "/market/driver/date differs from /date")
    close = g["close"][:]
    prev = np.concatenate([[float(g.attrs.get("base_close", np.nan))], close[:-1]])
    c.check(np.allclose(np.log(close / prev), g["log_return"][:], rtol=0, atol=1e-12),
            "/market/driver/log_return is not the log change of close")


def check_agents(c, f, sizes):
    """Cross-checks of /agents beyond dims and dtypes."""
    seg = f.get("market/stocks/segment")
    if seg is not None and "segment" in sizes and "flag_meanings" in seg.attrs:
        meanings = as_text(seg.attrs["flag_meanings"]).split()
        names = [n.replace(" ", "_") for n in f["segment"].asstr()[:]]
        c.check(names == meanings, f"/segment {names} differs from /market/stocks/segment flag_meanings {meanings}")
    cls = f.get("agents/daily/agent_class")
    if cls is not None and "agent_class" in sizes:
        values = cls[:]
        c.check(bool(np.all((values >= 0) & (values < sizes["agent_class"]))),
                "/agents/daily/agent_class has values outside 0 .. agent_class - 1")
        meanings = as_text(cls.attrs.get("flag_meanings", "")).split()
        c.check(len(meanings) == sizes["agent_class"], "/agents/daily/agent_class flag_meanings do not name every class")
    for p in ("agents/daily/agent_class", "agents/daily/state"):
        ds = f.get(p)
        if ds is None:
            continue
        c.check("flag_meanings" in ds.attrs, f"/{p} has no flag_meanings")
        if "flag_values" in ds.attrs:
            fv = np.asarray(ds.attrs["flag_values"])
            c.check(fv.dtype == ds.dtype, f"/{p} flag_values dtype {fv.dtype} differs from the dataset's {ds.dtype}")
            c.check(len(fv) == len(as_text(ds.attrs["flag_meanings"]).split()),
                    f"/{p} flag_values and flag_meanings differ in length")
    for name in (p.rpartition("/")[2] for p in DATASETS if p.startswith("agents/flows/")):
        ds = f.get(f"agents/flows/{name}")
        if ds is not None and ds.size:
            values = ds[:]
            c.check(bool(np.all(np.isnan(values) | (values >= 0))), f"/agents/flows/{name} has negative values")


def check_attribution(c, f):
    """/agents/stocks and /agents/futures add up: every share bought was sold by someone, each day's
    volume of a stock is what the classes bought, and the classes plus the passive float hold every
    share outstanding; futures longs and shorts of the classes match."""
    g = f.get("agents/stocks")
    if g is None or not all(k in g for k in ("bought_voluntary", "bought_forced", "sold_voluntary", "sold_forced",
                                               "holdings", "unclassed_holdings")):
        return
    bought = (g["bought_voluntary"][:] + g["bought_forced"][:]).sum(axis=1)
    sold = (g["sold_voluntary"][:] + g["sold_forced"][:]).sum(axis=1)
    c.check(np.array_equal(bought, sold), "/agents/stocks: shares bought and sold by all classes differ")
    if f["agents/stocks/holdings"].shape[1] > 0 and "market/stocks/volume" in f:
        c.check(np.array_equal(bought, f["market/stocks/volume"][:]), "/agents/stocks: shares bought differ from /market/stocks/volume")
        held = g["holdings"][:].sum(axis=1) + g["unclassed_holdings"][:]
        c.check(bool(np.all(held == f["market/stocks/shares_outstanding"][:][None, :])),
                "/agents/stocks: holdings plus unclassed_holdings differ from shares_outstanding")
    fut = f.get("agents/futures")
    if fut is not None and "long" in fut and "short" in fut:
        c.check(np.array_equal(fut["long"][:].sum(axis=1), fut["short"][:].sum(axis=1)),
                "/agents/futures: long and short contracts of all classes differ")


def check_liquidity(c, f):
    """Order-book liquidity: only the stocks marked in liquidity_recorded hold values, bids below asks."""
    g = f.get("market/stocks")
    if g is None or "liquidity_recorded" not in g or "best_bid" not in g:
        return
    recorded = g["liquidity_recorded"][:].astype(bool)
    if not recorded.any():
        for name in ("best_bid", "best_ask", "spread", "limit_down_queue"):
            c.check(g[name].id.get_storage_size() == 0, f"/market/stocks/{name} has data although no stock is recorded")
        return
    bid, ask, spread = g["best_bid"][:], g["best_ask"][:], g["spread"][:]
    c.check(bool(np.all(bid[:, ~recorded] == -1)), "/market/stocks/best_bid: a stock not recorded has values")
    b, a, sp = bid[:, recorded], ask[:, recorded], spread[:, recorded]
    both = (b > 0) & (a > 0)
    c.check(bool(np.all(sp[both] == (a - b)[both])), "/market/stocks/spread differs from best_ask - best_bid")
    c.check(bool(np.all(sp[~both] == 0)), "/market/stocks/spread is not 0 where a side is empty")
    c.check(bool(np.all(a[both] > b[both])), "/market/stocks: a best bid at or above the best ask")
    for side in ("bid", "ask"):
        d1, d2 = g[f"{side}_depth_1pct"][:][:, recorded], g[f"{side}_depth_2pct"][:][:, recorded]
        c.check(bool(np.all((d1 >= 0) & (d1 <= d2))), f"/market/stocks/{side}_depth_1pct is negative or above the 2% depth")


def check_event_columns(c, f, kind, table):
    """/event_columns/<kind>/<field>: the rows of /events/<kind> one field per dataset (netCDF-C
    and Octave read no compound), text as NUL-padded characters, on the same dimension."""
    g = f"event_columns/{kind}"
    if not c.check(g in f, f"/{g} is missing (the columns of /events/{kind})"):
        return
    rows = table[()]
    for name, _ in EVENT_FIELDS:
        p = f"{g}/{name}"
        if not c.check(p in f, f"/{p} is missing"):
            continue
        col = f[p][()]
        c.check(col.shape[0] == len(rows), f"/{p} has {col.shape[0]} rows, /events/{kind} {len(rows)}")
        if col.shape[0] != len(rows) or not len(rows):
            continue
        if col.ndim == 2:   # characters
            col = np.array([bytes(r) for r in col.view(np.uint8)])
            want = np.array([bytes(v).ljust(col.dtype.itemsize, b"\0") for v in rows[name]])
            c.check(bool(np.all(col == want)), f"/{p} differs from /events/{kind} field {name}")
        else:
            c.check(np.array_equal(col, rows[name]), f"/{p} differs from /events/{kind} field {name}")
        scales = [s.name for s in f[p].dims[0].values()]
        c.check(scales == [f"/{kind}_row"], f"/{p} has scales {scales}, expected ['/{kind}_row']")


def check_events(c, kind, ds, sizes):
    p = f"/events/{kind}"
    if not c.check(isinstance(ds, h5py.Dataset) and ds.dtype.names is not None, f"{p} is not a compound dataset"):
        return
    scales = [s.name for s in ds.dims[0].values()]
    c.check(scales == [f"/{kind}_row"], f"{p} has scales {scales}, expected ['/{kind}_row'] (its netCDF dimension)")
    if f"{kind}_row" in ds.file:
        c.check(ds.file[f"{kind}_row"].shape == ds.shape, f"/{kind}_row and {p} differ in length")
    names = list(ds.dtype.names)
    c.check(names == [n for n, _ in EVENT_FIELDS], f"{p} fields are {names}")
    for n, k in EVENT_FIELDS:
        if n in ds.dtype.names:
            c.check(ds.dtype[n].kind == k, f"{p} field {n} has dtype {ds.dtype[n]}, expected kind {k!r}")
    c.check(ds.ndim == 1 and ds.maxshape == (None,), f"{p} is not 1-D unlimited")
    try:
        df = pd.DataFrame(ds[:])
    except Exception as e:  # noqa: BLE001 - report any failure to convert
        c.check(False, f"{p} does not convert to a pandas DataFrame: {e}")
        return
    c.check(list(df.columns) == [n for n, _ in EVENT_FIELDS], f"{p} DataFrame columns are {list(df.columns)}")
    c.check(len(df) == ds.shape[0], f"{p} DataFrame has {len(df)} rows, dataset {ds.shape[0]}")
    if len(df):
        try:
            df["agent_class"].str.decode("utf-8")
            df["reason"].str.decode("utf-8")
        except Exception as e:  # noqa: BLE001
            c.check(False, f"{p} text fields are not UTF-8: {e}")
        c.check(bool((df["step"].diff().dropna() >= 0).all()), f"{p} steps go backwards")


def check_xarray(c, path, record_step_prices):
    """Every group opens in xarray (h5netcdf) without phony_dims, each axis of every variable is
    labelled by a coordinate of the group itself, and dates decode to datetime64."""
    expected_groups = {g: {} for g in XARRAY_GROUPS}
    for p, (dims, _) in DATASETS.items():
        group, _, name = p.rpartition("/")
        if group in expected_groups:
            expected_groups[group][name] = dims
    for group in (*EVERY_GROUP, *(f"event_columns/{k}" for k in declared_event_kinds())):
        try:
            xr.open_dataset(path, engine="h5netcdf", group=group or None).close()
        except Exception as e:  # noqa: BLE001
            c.check(False, f"xarray cannot open group /{group}: {type(e).__name__}: {e}")
    try:
        root = xr.open_dataset(path, engine="h5netcdf")
    except Exception as e:  # noqa: BLE001
        c.check(False, f"xarray cannot open the root group: {e}")
        return
    with root:
        for name in COORDS:
            c.check(name in root.coords and root[name].dims == (name,), f"xarray root: no index coordinate '{name}'")
        if "stock" in root.coords and root.sizes.get("stock", 0):
            c.check(isinstance(root["stock"].values[0], str), "xarray root: stock names do not decode as str")
        if "date" in root and root.sizes.get("day", 0):
            c.check(isinstance(root["date"].values[0], str), "xarray root: dates do not decode as str")
        if "time" in root and root.sizes.get("day", 0):
            c.check(np.issubdtype(root["time"].dtype, np.datetime64), f"xarray root: time decodes as {root['time'].dtype}")
        for group, variables in expected_groups.items():
            try:
                ds = xr.open_dataset(path, engine="h5netcdf", group=group)
            except Exception as e:  # noqa: BLE001
                c.check(False, f"xarray cannot open group {group}: {e}")
                continue
            with ds:
                for d in ds.dims:
                    c.check(d in ds.indexes, f"xarray {group}: dimension '{d}' has no coordinate in the group")
                for name, dims in variables.items():
                    if not c.check(name in ds, f"xarray {group}: variable '{name}' missing"):
                        continue
                    c.check(ds[name].dims == dims, f"xarray {group}/{name}: dims {ds[name].dims}, expected {dims}")
                    for d in dims:
                        c.check(ds.sizes.get(d) == root.sizes.get(d), f"xarray {group}: size of '{d}' differs from root")
                    c.check("units" in ds[name].attrs and "long_name" in ds[name].attrs,
                            f"xarray {group}/{name}: units or long_name missing")
                    if dims[0] == "day":
                        c.check("time" in ds[name].coords and np.issubdtype(ds[name]["time"].dtype, np.datetime64),
                                f"xarray {group}/{name}: no datetime64 'time' coordinate")
                if "close" in ds and ds.sizes.get("stock", 0) and ds.sizes.get("day", 0):
                    try:
                        ds["close"].sel(stock=str(ds["stock"].values[0]))
                    except Exception as e:  # noqa: BLE001
                        c.check(False, f"xarray {group}: close.sel(stock=...) fails: {e}")
        try:
            with xr.open_dataset(path, engine="h5netcdf", group="events") as ev:
                for kind in declared_event_kinds():
                    c.check(kind in ev and ev[kind].dims == (f"{kind}_row",),
                            f"xarray events: no variable '{kind}' on dimension '{kind}_row'")
        except Exception as e:  # noqa: BLE001
            c.check(False, f"xarray cannot open group events without phony_dims: {e}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="run log (.h5)")
    parser.add_argument("--allow-incomplete", action="store_true", help="accept complete = 0 (an aborted run)")
    parser.add_argument("--stampede", help="the binary whose `stampede schema` to check against (default: $STAMPEDE, "
                                           "else build/tools/stampede of this checkout)")
    parser.add_argument("--schema", help="a file holding `stampede schema` output, instead of running the binary")
    parser.add_argument("--extra-event-kind", action="append", default=[],
                        help="an event kind the log may have beyond the schema's (a test header's own)")
    args = parser.parse_args(argv)
    try:
        load_schema(args.stampede, args.schema)
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError) as e:
        print(f"check_run_log: cannot read the schema ({e}); pass --stampede EXE or --schema FILE", file=sys.stderr)
        return 2
    EVENT_KINDS.extend(args.extra_event_kind)
    c = Checker()
    try:
        h5py.File(args.path, "r").close()
    except Exception as e:  # noqa: BLE001
        print(f"check_run_log: cannot open {args.path}: {e}", file=sys.stderr)
        return 2
    record_step_prices = True
    try:
        record_step_prices = check_h5py(c, args.path, args.allow_incomplete)
    except Exception as e:  # noqa: BLE001 - a malformed file must fail the check, not crash it
        c.check(False, f"h5py checks stopped: {type(e).__name__}: {e}")
    try:
        check_xarray(c, args.path, record_step_prices)
    except Exception as e:  # noqa: BLE001
        c.check(False, f"xarray checks stopped: {type(e).__name__}: {e}")
    if c.failures:
        print(f"check_run_log: {args.path} does not follow {SCHEMA} ({len(c.failures)} problems):", file=sys.stderr)
        for m in c.failures:
            print(f"  - {m}", file=sys.stderr)
        return 1
    print(f"check_run_log: {args.path} follows {SCHEMA}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
