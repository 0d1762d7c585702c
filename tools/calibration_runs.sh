#!/usr/bin/env bash
# Regenerates the fidelity tables of docs/calibration.md in one command: feb2024, its four paired
# counterfactuals and calm2023, each on the fixed seeds 1..N (tools/seed_runs.sh), then
# tools/calibration_check.py over them (Markdown). About 25 minutes on 2 cores for 8 seeds.
#     tools/calibration_runs.sh [-o DIR] [--seeds N] [-j J] [--skip-calm] [--skip-counterfactuals]
set -euo pipefail
cd "$(dirname "$0")/.."
out=calibration seeds=8 jobs=2 calm=1 counterfactuals=1
while [ $# -gt 0 ]; do
  case $1 in
    -o) out=${2:?}; shift 2 ;;
    --seeds) seeds=${2:?}; shift 2 ;;
    -j) jobs=${2:?}; shift 2 ;;
    --skip-calm) calm=0; shift ;;
    --skip-counterfactuals) counterfactuals=0; shift ;;
    -h|--help) sed -n 2,6p "$0"; exit 0 ;;
    *) echo "calibration_runs: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
py=/usr/bin/python3
cfs=(no_dma dma_cap1x regulator_early no_national_team)
runs=(feb2024)
[ "$counterfactuals" = 1 ] && runs+=("${cfs[@]}")
[ "$calm" = 1 ] && runs+=(calm2023)
for name in "${runs[@]}"; do
  echo "calibration_runs: $name on seeds 1..$seeds" >&2
  tools/seed_runs.sh "scenarios/$name.toml" "$out/$name" --seeds "$seeds" -j "$jobs" >&2
done
paired=()
if [ "$counterfactuals" = 1 ]; then
  for name in "${cfs[@]}"; do paired+=(--paired "$name=$out/$name"); done
fi
{
  echo "## feb2024, seeds 1-$seeds"
  echo
  echo '```'
  echo "tools/calibration_runs.sh -o $out --seeds $seeds"
  echo '```'
  echo
  "$py" tools/calibration_check.py "$out/feb2024" "${paired[@]}" --markdown --csv "$out/feb2024.csv"
  if [ "$calm" = 1 ]; then
    echo
    echo "## calm2023, seeds 1-$seeds"
    echo
    "$py" tools/calibration_check.py --calm "$out/calm2023" --markdown --csv "$out/calm2023.csv"
  fi
} | tee "$out/calibration.md"
