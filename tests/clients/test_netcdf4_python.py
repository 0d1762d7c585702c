#!/usr/bin/env python3
"""netCDF4-python and xarray's netcdf4 engine (both on netCDF-C, Debian's python3-netcdf4) open
every group of a short run's log with its dimensions, coordinates, labels and the seed. netCDF-C
has no type for the event tables (compounds with fixed-length strings): it reads their rows from
/event_columns.

Usage (from ctest): test_netcdf4_python.py STAMPEDE_EXE WORKDIR
"""
import sys

import numpy as np

from short_run import GROUPS, STOCK, short_run, skip

try:
    import netCDF4
except ImportError:
    skip("netCDF4-python is not installed (Debian: python3-netcdf4; tools/install_deps.sh installs it)")
import xarray as xr


def main():
    path = short_run(sys.argv[1], sys.argv[2])
    with netCDF4.Dataset(path) as nc:
        assert int(nc.getncattr("seed")) == int(nc.getncattr("seed_text"))
        assert nc.getncattr("schema") == "stampede-run/2"
        for group, name in GROUPS.items():
            g = nc if group == "/" else nc[group]
            if group == "events":   # netCDF-C skips the compound tables: the same rows field by field
                assert f"{name}_row" in nc.dimensions, list(nc.dimensions)
                terms = nc[f"event_columns/{name}"]
                assert terms["reason"].dimensions == (f"{name}_row", "event_reason_strlen")
                assert str(netCDF4.chartostring(terms["reason"][0])).startswith("broker")
                assert len(nc["event_columns/margin_calls/step"][:]) == 0
                continue
            assert name in g.variables, (group, name, list(g.variables))
            for d in g.variables[name].dimensions:
                assert d in g.dimensions or d in nc.dimensions, (group, name, d)
        stocks = nc["market/stocks"]
        assert stocks["close"].dimensions == ("day", "stock") and {"day", "stock"} <= set(stocks.dimensions)
        assert stocks["stock"][123] == STOCK
        dates = netCDF4.num2date(stocks["time"][:], stocks["time"].units)
        assert str(dates[1])[:10] == "2024-01-03", dates
    for group, name in GROUPS.items():
        if group == "events":
            continue
        with xr.open_dataset(path, engine="netcdf4", group=None if group == "/" else group) as ds:
            assert name in ds, (group, name)
            if "time" in ds.coords:
                assert np.issubdtype(ds["time"].dtype, np.datetime64)
    with xr.open_dataset(path, engine="netcdf4", group="market/stocks") as ds:
        assert float(ds["close"].sel(stock=STOCK)[1]) > 0
    print("ok")


if __name__ == "__main__":
    main()
