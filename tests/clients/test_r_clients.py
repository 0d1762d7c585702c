#!/usr/bin/env python3
"""R reads every group of a short run's log with hdf5r (CRAN) and rhdf5 (Bioconductor): labels,
dates, the seed (hdf5r as integer64; rhdf5 reads the uint64 as NA, so through seed_text), an
event table. rhdf5's h5read fails on a table with 0 rows ("H5Identifier not valid"): the
documented way checks the length first.

Usage (from ctest): test_r_clients.py STAMPEDE_EXE WORKDIR
"""
import shutil
import subprocess
import sys

from short_run import GROUPS, STOCK, short_run, skip

R_SCRIPT = r'''
path <- commandArgs(trailingOnly = TRUE)[1]
groups <- strsplit(commandArgs(trailingOnly = TRUE)[2], ",")[[1]]
stopifnot_eq <- function(a, b, what) if (!identical(a, b)) stop(paste(what, ":", format(a), "!=", format(b)))
suppressMessages(library(hdf5r))
f <- H5File$new(path, mode = "r")
for (p in groups) invisible(f[[p]]$read())
seed <- h5attr(f, "seed")
stopifnot_eq(format(seed), h5attr(f, "seed_text"), "hdf5r seed")
stopifnot_eq(f[["market/stocks/stock"]]$read()[124], "STOCK", "hdf5r stock")
stopifnot_eq(f[["market/stocks/date"]]$read()[2], "2024-01-03", "hdf5r date")
stopifnot_eq(nrow(f[["events/margin_calls"]]$read()), 0L, "hdf5r empty table")
stopifnot(nrow(f[["events/dma_terms"]]$read()) > 0)
stopifnot_eq(dim(f[["market/stocks/close"]]$read()), c(134L, 2L), "hdf5r close (stock x day)")
f$close_all()
suppressMessages(library(rhdf5))
for (p in groups) invisible(h5read(path, p))
a <- h5readAttributes(path, "/")
stopifnot_eq(a$seed_text, format(seed), "rhdf5 seed_text")
stopifnot_eq(h5read(path, "market/stocks/stock")[124], "STOCK", "rhdf5 stock")
stopifnot_eq(dim(h5read(path, "market/stocks/close")), c(134L, 2L), "rhdf5 close")
ls <- h5ls(path)
rows <- as.integer(ls$dim[ls$group == "/events" & ls$name == "margin_calls"])
stopifnot_eq(rows, 0L, "rhdf5 h5ls length of an empty table")
stopifnot(nrow(h5read(path, "events/dma_terms")) > 0)
cat("ok\n")
'''


def main():
    if shutil.which("Rscript") is None:
        skip("R is not installed (Debian: r-base-core with r-cran-hdf5r and r-bioc-rhdf5; tools/install_deps.sh installs them)")
    for pkg, deb in (("hdf5r", "r-cran-hdf5r"), ("rhdf5", "r-bioc-rhdf5")):
        r = subprocess.run(["Rscript", "-e", f"quit(status = if (requireNamespace('{pkg}', quietly = TRUE)) 0 else 1)"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            skip(f"the R package {pkg} is not installed (Debian: {deb}; tools/install_deps.sh installs it)")
    path = short_run(sys.argv[1], sys.argv[2])
    datasets = ",".join(f"{g}/{n}" if g != "/" else n for g, n in GROUPS.items())
    r = subprocess.run(["Rscript", "-e", R_SCRIPT.replace("STOCK", STOCK), path, datasets], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), f"R failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    print("ok")


if __name__ == "__main__":
    main()
