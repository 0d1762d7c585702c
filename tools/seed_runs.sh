#!/usr/bin/env bash
# Runs one scenario on the fixed seeds 1..N (`stampede run --seed K`), J at a time, one thread
# each, into DIR/run_seed<K>.h5: the seeds issue 16's fidelity targets are judged on, which a
# sweep (whose run seeds are derived from a base seed) cannot give. tools/calibration_check.py
# reads DIR like a sweep directory.
#     tools/seed_runs.sh SCENARIO.toml DIR [--seeds N] [-j J] [--set KEY=VALUE ...]
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: tools/seed_runs.sh SCENARIO.toml DIR [--seeds N] [-j J] [--set KEY=VALUE ...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
scenario=$1 dir=$2
shift 2
seeds=8 jobs=2 sets=()
while [ $# -gt 0 ]; do
  case $1 in
    --seeds) seeds=${2:?}; shift 2 ;;
    -j) jobs=${2:?}; shift 2 ;;
    --set) sets+=(--set "${2:?}"); shift 2 ;;
    *) usage ;;
  esac
done
[ -f "$scenario" ] || { echo "seed_runs: no such scenario file: $scenario" >&2; exit 2; }
exe=build/tools/stampede
[ -x "$exe" ] || { echo "seed_runs: $exe not built (tools/build.sh)" >&2; exit 2; }
"$exe" check "$scenario" "${sets[@]}" >/dev/null   # bad input: every problem, before anything runs
mkdir -p "$dir"
export exe scenario dir
seq 1 "$seeds" | xargs -P "$jobs" -I{} sh -c '
  "$exe" run "$scenario" --seed {} --threads 1 -q -o "$dir/run_seed{}.h5" "$@" > "$dir/run_seed{}.txt" 2>&1 \
    && echo "seed {}: done" || { echo "seed {}: FAILED (see $dir/run_seed{}.txt)"; exit 255; }' _ "${sets[@]}"
