#!/usr/bin/env python3
"""GNU Octave reads a short run's log through its netCDF package (octave-netcdf; Octave 7 has no
h5read): numbers from every market and agent group, the labels from their character copies
(/stock_chars, ...: the package reads no string variable), dates from the numeric CF `time`, the
seed from the fixed-length seed_text, the events from /event_columns (the /events compounds are
beyond netCDF-C). Not readable there: `/meta` and the units / long_name attributes
(variable-length strings; ncdump shows them).

Usage (from ctest): test_octave_client.py STAMPEDE_EXE WORKDIR
"""
import shutil
import subprocess
import sys

from short_run import STOCK, short_run, skip

OCTAVE_SCRIPT = r'''
pkg load netcdf
p = "PATH";
check = @(ok, what) assert(ok, what);
close = ncread(p, "/market/stocks/close");                    % stock x day
check(isequal(size(close), [134 2]), "close is stock x day");
check(all(close(:) > 0), "close prices");
codes = ncread(p, "/stock_chars")';                          % one code a row, NUL-padded
check(strcmp(deblank(char(codes(124, :))), "STOCK"), "stock code from /stock_chars");
t = ncread(p, "/market/stocks/time");
check(strcmp(datestr(datenum(1970, 1, 1) + double(t(2)), "yyyy-mm-dd"), "2024-01-03"), "date from time");
seed = ncreadatt(p, "/", "seed_text");
check(ischar(seed) && numel(seed) > 0, "seed_text");
for v = {"/market/index/hedged_close", "/market/futures/settlement", "/market/driver/close", ...
         "/agents/classes/leverage", "/agents/daily/nav", "/agents/flows/buy"}
  x = ncread(p, v{1});
  check(numel(x) > 0, v{1});
end
why = ncread(p, "/event_columns/dma_terms/reason")';          % an event table, field by field
check(strncmp(deblank(char(why(1, :))), "broker", 6), "dma_terms reason from /event_columns");
lev = ncread(p, "/event_columns/dma_terms/price");
check(numel(lev) == size(why, 1), "dma_terms rows");
classes = ncread(p, "/agent_class_chars")';
printf("classes %d\n", size(classes, 1));                   % compared with h5py's count below
printf("ok %s\n", seed);
'''


def main():
    if shutil.which("octave-cli") is None:
        skip("GNU Octave is not installed (Debian: octave and octave-netcdf; tools/install_deps.sh installs them)")
    r = subprocess.run(["octave-cli", "--eval", "pkg load netcdf"], capture_output=True, text=True)
    if r.returncode != 0:
        skip("Octave's netcdf package is not installed (Debian: octave-netcdf; tools/install_deps.sh installs it)")
    path = short_run(sys.argv[1], sys.argv[2])
    script = OCTAVE_SCRIPT.replace("PATH", path).replace("STOCK", STOCK)
    r = subprocess.run(["octave-cli", "--norc", "--eval", script], capture_output=True, text=True)
    assert "ok " in r.stdout, f"Octave failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    import h5py
    with h5py.File(path, "r") as f:
        seed = f.attrs["seed"]
        classes = len(f["agent_class"])
    assert r.stdout.split("ok ")[1].strip() == str(int(seed)), r.stdout
    assert f"classes {classes}\n" in r.stdout, f"Octave read another number of agent classes than h5py ({classes}):\n{r.stdout}"
    print("ok")


if __name__ == "__main__":
    main()
