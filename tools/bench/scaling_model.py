#!/usr/bin/python3
"""Strong-scaling model of one run from two `bench_run --phases` measurements (issue 22, item 3).

    build/tools/bench_run --scenario S --set days=D --threads 1 --phases > t1.txt
    build/tools/bench_run --scenario S --set days=D --threads 2 --phases > t2.txt
    tools/bench/scaling_model.py t1.txt t2.txt [--cores 8 32 64] [--run-cpu-s X]

Each phase of a step is taken to be a serial part plus a part that divides over threads (Amdahl):
t(N) = t1 * ((1 - p) + p / N). Two points give p per phase: p = 2 * (1 - t2 / t1), clipped to
[0, 1]. The prediction for N cores is the sum of the phases' t(N). It is an upper bound on the
speed-up: it assumes the parallel part keeps scaling, where on a large server memory bandwidth per
core (the phases are cache-miss bound: decide, match and settle pull cold account and book lines)
and NUMA will bend it first. Say so beside any figure it gives.

Ensembles, sweeps and calibrations run whole runs side by side (one thread each, `-j N`, or one
Slurm task each), so their throughput is cores / (CPU seconds of one run), which the same
measurement gives (the 1-thread run's stepping time), times an efficiency the machine sets (shared
memory bandwidth; on this 2-vCPU VM two independent processes get 1.2-1.46x, see BENCHMARKS.md).
"""
import argparse
import sys


def read_phases(path):
    values = {}
    with open(path) as f:
        for line in f:
            key, sep, value = line.strip().partition("=")
            if sep:
                values[key] = value
    for need in ("threads", "step_s"):
        if need not in values:
            sys.exit(f"{path}: no '{need}=' line; give the output of bench_run --phases")
    phases = {k[len("phase_"):-len("_s")]: float(v) for k, v in values.items() if k.startswith("phase_") and k.endswith("_s")}
    if not phases:
        sys.exit(f"{path}: no phase_*_s lines; run bench_run with --phases")
    return int(values["threads"]), float(values["step_s"]), phases, values


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("one_thread", help="bench_run --phases output at --threads 1")
    ap.add_argument("two_threads", help="the same run at --threads 2")
    ap.add_argument("--cores", type=int, nargs="+", default=[8, 32, 64], help="core counts to predict (default 8 32 64)")
    ap.add_argument("--efficiency", type=float, default=0.8,
                    help="runs side by side: throughput per core relative to one run alone (default 0.8)")
    args = ap.parse_args()

    n1, step1, ph1, v1 = read_phases(args.one_thread)
    n2, step2, ph2, v2 = read_phases(args.two_threads)
    if (n1, n2) != (1, 2):
        sys.exit(f"expected a 1-thread and a 2-thread measurement, got threads={n1} and threads={n2}")
    if v1.get("steps") != v2.get("steps") or v1.get("scenario") != v2.get("scenario"):
        sys.exit("the two measurements are not of the same scenario and length")

    print(f"scenario {v1.get('scenario')}, {v1.get('steps')} steps; stepping {step1:.2f} s at 1 thread, "
          f"{step2:.2f} s at 2 (speed-up {step1 / step2:.2f}x)")
    header = f"{'phase':<18}{'1 thr s':>9}{'2 thr s':>9}{'parallel':>9}" + "".join(f"{f'{c} cores':>10}" for c in args.cores)
    print(header)
    totals = {c: 0.0 for c in args.cores}
    for name in sorted(ph1, key=lambda k: -ph1[k]):
        t1, t2 = ph1[name], ph2.get(name, 0.0)
        p = min(1.0, max(0.0, 2.0 * (1.0 - t2 / t1))) if t1 > 0 else 0.0
        row = f"{name:<18}{t1:>9.2f}{t2:>9.2f}{p:>9.2f}"
        for c in args.cores:
            tc = t1 * ((1.0 - p) + p / c)
            totals[c] += tc
            row += f"{tc:>10.2f}"
        print(row)
    phase_sum = sum(ph1.values())
    print(f"{'all phases':<18}{phase_sum:>9.2f}{sum(ph2.values()):>9.2f}{'':>9}" + "".join(f"{totals[c]:>10.2f}" for c in args.cores))
    print("predicted speed-up over 1 thread (upper bound: memory bandwidth per core not modelled): " +
          ", ".join(f"{c} cores {phase_sum / totals[c]:.1f}x" for c in args.cores))

    run_cpu = step1 + float(v1.get("setup_s", 0.0))
    print(f"runs of this length side by side (ensembles, sweeps, calibration; one thread a run): {run_cpu:.1f} CPU-s a run, "
          f"efficiency {args.efficiency:.2f}: " +
          ", ".join(f"{c} cores {3600.0 * c * args.efficiency / run_cpu:,.0f} runs/hour" for c in args.cores))


if __name__ == "__main__":
    main()
