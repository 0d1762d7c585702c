#!/usr/bin/env bash
# Sweep throughput on 1 core against 2 cores: the same sweep of small runs, pinned with taskset,
# best of N repetitions each (fresh output directory every time). Prints runs/min and the speed-up.
#   tools/bench/sweep_bench.sh [build/tools/stampede] [repetitions]
set -euo pipefail
exe=${1:-build/tools/stampede}
reps=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

small=(--set days=5 --set session.step_minutes=15 --set stocks.microcaps=60 --set stocks.index_constituents=30
       --set stocks.large_caps=4 --set indices.microcap_members=30 --set noise_traders.count=500 --set retail.count=500
       --set neutral_funds.count=10 --set dma.accounts=20 --set snowball.issuers=1 --set snowball.notes_per_issuer=50
       --set snowball.maturity_months=3)
grid=(--grid dma.leverage=2:5:1 --grid dma.liquidation_ratio=0.3,0.5 --replicates 3)   # 24 runs

best() {   # best wall seconds of $reps sweeps: cpus jobs
  local b=""
  for ((i = 0; i < reps; i++)); do
    rm -rf "$work/out"
    local t0 t1
    t0=$(date +%s.%N)
    taskset -c "$1" "$exe" sweep "${small[@]}" "${grid[@]}" -j "$2" -o "$work/out" -q >/dev/null
    t1=$(date +%s.%N)
    local t
    t=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$b" ] || (($(echo "$t < $b" | bc -l))); then b=$t; fi
  done
  echo "$b"
}

runs=24
t1=$(best 0 1)
t2=$(best 0,1 2)
printf "1 core  (-j 1): %6.2f s  %6.1f runs/min\n" "$t1" "$(echo "$runs * 60 / $t1" | bc -l)"
printf "2 cores (-j 2): %6.2f s  %6.1f runs/min\n" "$t2" "$(echo "$runs * 60 / $t2" | bc -l)"
printf "speed-up: %.2fx\n" "$(echo "$t1 / $t2" | bc -l)"
