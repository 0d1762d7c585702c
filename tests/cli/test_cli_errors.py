#!/usr/bin/env python3
"""Bad input gets a clear error naming the file, key or line, exit code 2, and no run log.

Usage (from ctest): test_cli_errors.py STAMPEDE_EXE WORKDIR
"""
import os
import subprocess
import sys


def stampede(exe, *args):
    return subprocess.run([exe, *args], capture_output=True, text=True)


def expect_error(exe, args, *needles):
    r = stampede(exe, *args)
    assert r.returncode == 2, f"{args}: exit {r.returncode}, expected 2\nstderr: {r.stderr}"
    for n in needles:
        assert n in r.stderr, f"{args}: {n!r} not in stderr:\n{r.stderr}"


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "should_not_exist.h5")

    # scenario files
    bad = os.path.join(work, "bad.toml")
    with open(bad, "w") as f:
        f.write('name = "bad"\ndays = -3\n[stocks]\nmicrocap = 5\n[noise_traders]\ncount = "many"\n')
    expect_error(exe, ["run", bad, "-o", out], "bad.toml:2", "days", "bad.toml:4", "stocks.microcap",
                 "microcaps", "bad.toml:6", "noise_traders.count")
    assert not os.path.exists(out), "an invalid scenario left a run log behind"
    expect_error(exe, ["check", bad], "bad.toml:2")
    syntax = os.path.join(work, "syntax.toml")
    with open(syntax, "w") as f:
        f.write("days = 3\n[stocks\n")
    expect_error(exe, ["check", syntax], "syntax.toml")
    expect_error(exe, ["run", os.path.join(work, "missing.toml")], "missing.toml")

    # overrides
    expect_error(exe, ["run", "-o", out, "--set", "dayz=3"], "dayz", "days")
    expect_error(exe, ["run", "-o", out, "--set", "days"], "days")
    expect_error(exe, ["run", "-o", out, "--set", "stocks.microcaps=1.5"], "stocks.microcaps")
    expect_error(exe, ["run", "-o", out, "--threads", "-1"], "threads")
    # The market driver: a target refused, a run longer than the real data, a file with a gap.
    expect_error(exe, ["run", "-o", out, "--set", "fundamentals.market_driver_column=microcap"], "calibration target")
    expect_error(exe, ["run", "-o", out, "--set", "days=40"], "china_index_closes_2023_2024.csv", "2024-03-01")
    gap = os.path.join(work, "gap.csv")
    with open(gap, "w") as f:
        f.write("date,csi300\n2023-12-29,3431.1\n2024-01-02,3386.4\n2024-01-04,3347.1\n")
    gappy = os.path.join(work, "gappy.toml")
    with open(gappy, "w") as f:
        f.write('days = 3\n[fundamentals]\nmarket_driver = "gap.csv"\n')
    expect_error(exe, ["run", gappy, "-o", out], "gap.csv", "2024-01-03", "no row")
    assert not os.path.exists(out), "a run log was written for bad input"
    assert not os.path.exists(out)

    # The scenario name is the run log's file stem under results/, never a path (run from WORKDIR,
    # so a name that escaped would land in or above it), and an empty file is not the defaults.
    for name in ("/tmp/stampede_victim", "../escaped", ""):
        r = subprocess.run([exe, "run", "--set", f"name={name}", "--set", "days=1"], capture_output=True, text=True,
                           cwd=work)
        assert r.returncode == 2 and "key 'name'" in r.stderr, f"name={name!r}: exit {r.returncode}\n{r.stderr}"
    assert not os.path.exists("/tmp/stampede_victim.h5") and not os.path.exists(os.path.join(work, "..", "escaped.h5"))
    assert not os.path.exists(os.path.join(work, "results", ".h5"))
    empty = os.path.join(work, "empty.toml")
    with open(empty, "w") as f:
        f.write("# nothing but a comment\n")
    expect_error(exe, ["run", empty, "-o", out], "empty.toml: no keys")
    assert not os.path.exists(out)

    # More threads than cores only slows a run: capped at the cores with a warning, the run's figures
    # the same; --oversubscribe keeps the count.
    cores = os.cpu_count() or 1
    tiny = ["--set", "days=1", "--set", "session.step_minutes=30", "--set", "stocks.microcaps=20",
            "--set", "stocks.index_constituents=10", "--set", "stocks.large_caps=2", "-q"]
    capped = stampede(exe, "run", "-o", os.path.join(work, "capped.h5"), "--threads", str(cores + 7), *tiny)
    assert capped.returncode == 0, capped.stderr
    assert f"--threads {cores + 7} is more than this machine's {cores} cores; using {cores}" in capped.stderr, capped.stderr
    assert f"{cores} threads" in capped.stdout, capped.stdout
    forced = stampede(exe, "run", "-o", os.path.join(work, "forced.h5"), "--threads", str(cores + 1), "--oversubscribe", *tiny)
    assert forced.returncode == 0 and "more than this machine" not in forced.stderr, forced.stderr
    assert f"{cores + 1} threads" in forced.stdout, forced.stdout

    # replay CSV
    csv = os.path.join(work, "orders.csv")
    with open(csv, "w") as f:
        f.write("id,side,type,price,quantity\n1,buy,limit,10.00,100\n2,sell,limt,10.00,100\n")
    expect_error(exe, ["replay", csv], "orders.csv:3", "type", "limt")
    with open(csv, "w") as f:
        f.write("id,side,price,quantity\n1,buy,10.00,100\n")
    expect_error(exe, ["replay", csv], "orders.csv", "type")

    # good input still works, and check prints every key resolved
    good = os.path.join(work, "good.toml")
    with open(good, "w") as f:
        f.write('name = "good"\ndays = 2\n')
    r = stampede(exe, "check", good)
    assert r.returncode == 0, r.stderr
    assert "days = 2" in r.stdout and "[noise_traders]" in r.stdout, r.stdout
    for cmd in (["--help"], ["run", "--help"], ["check", "--help"], ["replay", "--help"]):
        r = stampede(exe, *cmd)
        assert r.returncode == 0 and "Usage" in r.stdout, f"{cmd}: {r.returncode} {r.stdout[:200]}"
    print("ok")


if __name__ == "__main__":
    main()
