#!/usr/bin/env python3
"""h5py, pandas and xarray (engine h5netcdf) open every group of a short run's log: labels, dates
as datetime64, the seed, an empty event table and a full one.

Usage (from ctest): test_python_clients.py STAMPEDE_EXE WORKDIR
"""
import sys

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from short_run import GROUPS, STOCK, short_run


def main():
    path = short_run(sys.argv[1], sys.argv[2])
    with h5py.File(path, "r") as f:
        for group, name in GROUPS.items():
            assert f[group][name].size >= 0
        seed = int(f.attrs["seed"])
        assert seed == int(f.attrs["seed_text"]), (f.attrs["seed"], f.attrs["seed_text"])
        assert f["market/stocks/stock"].asstr()[123] == STOCK
        calls = pd.DataFrame(f["events/margin_calls"][:])       # empty in a short calm run, columns all the same
        terms = pd.DataFrame(f["events/dma_terms"][:])
        assert list(calls.columns) == list(terms.columns) and len(terms) > 0 and len(calls) == 0
        close = pd.DataFrame(f["market/stocks/close"][:], index=pd.to_datetime(f["date"].asstr()[:]),
                             columns=f["stock"].asstr()[:])
        assert close.loc["2024-01-03", STOCK] > 0

    for group, name in GROUPS.items():
        ds = xr.open_dataset(path, engine="h5netcdf", group=None if group == "/" else group)
        with ds:
            assert name in ds, (group, name, list(ds))
            for d in ds[name].dims:   # every axis labelled from the group itself, events excepted
                assert d in ds.indexes or d.endswith("_row"), (group, name, d)
            if "time" in ds.coords:
                assert np.issubdtype(ds["time"].dtype, np.datetime64), (group, ds["time"].dtype)
    stocks = xr.open_dataset(path, engine="h5netcdf", group="market/stocks")
    assert float(stocks["close"].sel(stock=STOCK).swap_dims(day="time").sel(time="2024-01-03")) > 0
    root = xr.open_dataset(path, engine="h5netcdf")
    assert int(root.attrs["seed"]) == seed and root.attrs["Conventions"] == "CF-1.8"
    print("ok")


if __name__ == "__main__":
    main()
