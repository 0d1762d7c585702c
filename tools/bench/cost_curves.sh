#!/usr/bin/env bash
# Cost curves of the reference workload (scenarios/bench_large.toml): wall time, CPU time and
# peak memory against the number of stocks, of retail traders and of trading days, with the run
# log off (bench_run --scenario). Writes one CSV row per run, with the machine's load average
# at the start of the run next to it, then plots the CSV (tools/bench/plot_cost_curves.py).
#
#   tools/bench/cost_curves.sh [BENCH_RUN] [OUT.csv] [PNG]
#
# Environment (defaults in brackets):
#   STOCKS="250 500 1000 2000 4000"  STOCK_DAYS=1      stocks axis (bench_large's split: half
#                                                      microcaps, 45% constituents, 5% large caps)
#   TRADERS="10000 30000 100000 300000 1000000"  TRADER_DAYS=1
#   DAYS=20                                            days axis: ONE run of DAYS days, timed after
#                                                      each day (bench_run --per-day)
#   THREADS=2
# Short runs are enough to show how the stocks and traders axes grow; their absolute figures
# understate a day: the first day is the cheapest (about two thirds of a later day's stepping
# on bench_large, docs/archive/benchmarks-history.md "Cost curves"), and setup is reported apart (setup_s).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bench=${1:-$root/build/tools/bench_run}
out=${2:-cost_curves.csv}
png=${3:-$root/docs/figures/cost_curves.png}
scenario=$root/scenarios/bench_large.toml
threads=${THREADS:-2}

echo "axis,value,days,threads,steps,setup_s,step_s,wall_s,cpu_s,steps_per_s,peak_rss_mib,load1" >"$out"

load1() { cut -d' ' -f1 /proc/loadavg; }

# run AXIS VALUE DAYS --set ... : one bench_run, one CSV row
run() {
  local axis=$1 value=$2 days=$3
  shift 3
  local load
  load=$(load1)
  local res
  res=$("$bench" --scenario "$scenario" --threads "$threads" --set "days=$days" "$@")
  get() { sed -n "s/^$1=//p" <<<"$res"; }
  echo "$axis,$value,$days,$threads,$(get steps),$(get setup_s),$(get step_s),$(get wall_s),$(get cpu_s),$(get steps_per_s),$(get peak_rss_mib),$load" >>"$out"
  echo "  $axis=$value days=$days: wall $(get wall_s) s (setup $(get setup_s) s), cpu $(get cpu_s) s, peak $(get peak_rss_mib) MiB, load $load" >&2
}

for n in ${STOCKS:-250 500 1000 2000 4000}; do
  micro=$((n / 2)) large=$((n / 20))
  run stocks "$n" "${STOCK_DAYS:-1}" --set "stocks.microcaps=$micro" --set "stocks.large_caps=$large" \
    --set "stocks.index_constituents=$((n - micro - large))" \
    --set "indices.microcap_members=$((micro * 2 / 5 > 0 ? micro * 2 / 5 : 1))"
done

for t in ${TRADERS:-10000 30000 100000 300000 1000000}; do
  run traders "$t" "${TRADER_DAYS:-1}" --set "retail.count=$t"
done

# Days: one run, timed after every day.
days=${DAYS:-20}
load=$(load1)
"$bench" --scenario "$scenario" --threads "$threads" --set "days=$days" --per-day >"$out.days.txt"
peak=$(sed -n 's/^peak_rss_mib=//p' "$out.days.txt")
setup=$(sed -n 's/^setup_s=//p' "$out.days.txt")
awk -v t="$threads" -v load="$load" -v setup="$setup" '$1 == "day" {
  printf "days,%d,%d,%s,,%s,%.3f,%s,,,%s,%s\n", $2, $2, t, setup, $4 - setup, $4, $6, load }' "$out.days.txt" >>"$out"
echo "  days 1..$days in one run: see $out.days.txt (peak $peak MiB)" >&2

/usr/bin/python3 "$here/plot_cost_curves.py" "$out" "$png"
