#!/bin/sh
# Regenerates the figures docs/report.md shows: runs the built-in default scenario, writes its
# report, and copies a few of the report's PNGs to docs/figures/.
#
#   tools/doc_figures.sh [STAMPEDE_EXE] [--set key=value ...]
#
# STAMPEDE_EXE defaults to build/tools/stampede. Extra arguments go to `stampede run` (e.g. a
# seed). The run log and the full report go to results/doc_figures.{h5,html}. Run from anywhere;
# paths are relative to the repository root.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
exe=$root/build/tools/stampede
case "${1:-}" in
  ""|-*) ;;
  *) exe=$1; shift ;;
esac
python=/usr/bin/python3
[ -x "$python" ] || python=python3
[ -x "$exe" ] || { echo "doc_figures.sh: no stampede executable at $exe (build first: tools/build.sh)" >&2; exit 2; }

out=$root/results/doc_figures
pngs=$out.png.d
mkdir -p "$root/results" "$root/docs/figures"
rm -rf "$pngs"
"$exe" run -o "$out.h5" "$@"
"$python" "$root/tools/report.py" "$out.h5" -o "$out.html" --png-dir "$pngs"
for fig in indices basis margin selling; do
  cp "$pngs/$fig.png" "$root/docs/figures/report_$fig.png"
done
rm -rf "$pngs"
echo "docs/figures/report_{indices,basis,margin,selling}.png from $out.h5 (report: $out.html)"
