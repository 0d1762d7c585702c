#!/usr/bin/env bash
# Installs what stampede needs from Debian 12 packages, and nothing else. Idempotent: packages
# already present are not touched, and apt is not called at all when nothing is missing.
set -euo pipefail

packages=(
  build-essential cmake git pkg-config
  # tools/lint.sh (CI): clang-format and clang-tidy on the lines a change touches
  clang-format clang-tidy
  libtbb-dev libboost-random-dev libhdf5-dev hdf5-tools
  catch2 libcli11-dev libtoml11-dev libfmt-dev libbenchmark-dev
  python3-h5py python3-numpy python3-pandas python3-matplotlib python3-xarray python3-h5netcdf
  # the run log's other readers, tested in tests/clients: netCDF-C (Python and ncdump), R, Octave
  python3-netcdf4 netcdf-bin r-cran-hdf5r r-bioc-rhdf5 octave octave-netcdf
  libopenmpi-dev openmpi-bin
  # the Python module (python/, docs/python.md) and its tests
  pybind11-dev python3-dev python3-pytest
  # tests/report/test_report_browser.py, test_report_ensemble_browser.py: the HTML reports rendered
  # and screenshot in headless Chromium
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present" >&2
  exit 0
fi

echo "install_deps: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install_deps: done" >&2
