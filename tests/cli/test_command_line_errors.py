#!/usr/bin/env python3
"""Mistakes on the command line itself (a mistyped command or option, a missing scenario file, a
missing or extra argument) get the project's one-line error: 'error: ...' naming the word that was
wrong, a suggestion where one is near, exit code 2, no run log, and none of CLI11's own wording.

Usage (from ctest): test_command_line_errors.py STAMPEDE_EXE WORKDIR
"""
import os
import subprocess
import sys

CLI11_WORDING = ("Run with --help for more information", "The following argument", "File does not exist",
                 "A subcommand is required", "not in range", "1 required", "missing (", "ould not convert",
                 "Value ", "0.000000", "INT:", "FLOAT")


def expect_one_line_error(exe, args, *needles, cwd=None):
    r = subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd)
    assert r.returncode == 2, f"{args}: exit {r.returncode}, expected 2\nstderr: {r.stderr}"
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), f"{args}: not one 'error:' line:\n{r.stderr}"
    for n in needles:
        assert n in lines[0], f"{args}: {n!r} not in {lines[0]!r}"
    for w in CLI11_WORDING:
        assert w not in r.stderr, f"{args}: CLI11's wording {w!r} in {lines[0]!r}"
    return lines[0]


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "never.h5")

    # unknown command, with the nearest command suggested and the list of commands
    expect_one_line_error(exe, ["rnu"], "'rnu' is not a stampede command", "did you mean 'run'?", "check, replay")
    expect_one_line_error(exe, ["chek", "scenarios/x.toml"], "did you mean 'check'?")
    line = expect_one_line_error(exe, ["frobnicate"], "'frobnicate' is not a stampede command")
    assert "did you mean" not in line, line   # nothing near: no guess
    expect_one_line_error(exe, [], "no command given", "run, check")

    # unknown option, named with its command, the nearest option suggested
    expect_one_line_error(exe, ["run", "--sed", "3", "-o", out], "stampede run: unknown option '--sed'",
                          "did you mean '--seed'?")
    expect_one_line_error(exe, ["run", "-o", out, "--thread=2"], "unknown option '--thread'", "'--threads'")
    expect_one_line_error(exe, ["check", "x.toml", "--dif"], "stampede check: unknown option '--dif'", "'--diff'")
    expect_one_line_error(exe, ["sweep", "--gird", "days=1:2"], "stampede sweep: unknown option '--gird'", "'--grid'")
    expect_one_line_error(exe, ["--verison"], "unknown option '--verison'", "'--version'")
    assert not os.path.exists(out), "a command-line mistake left a run log"

    # a missing scenario file: the loader's words (file named), not CLI11's
    missing = os.path.join(work, "missing.toml")
    expect_one_line_error(exe, ["run", missing, "-o", out], "missing.toml", "no such file")
    expect_one_line_error(exe, ["check", missing], "missing.toml", "no such file")
    assert not os.path.exists(out)

    # missing and extra arguments, bad values: still one line, with the command's help named
    expect_one_line_error(exe, ["check"], "stampede check:", "scenario is required")
    expect_one_line_error(exe, ["run", "a.toml", "b.toml"], "stampede run: unexpected argument 'b.toml'")
    expect_one_line_error(exe, ["run", "--threads", "x"], "stampede run:", "--threads")

    # a missing or bad option value: the option and what it takes, in words
    expect_one_line_error(exe, ["run", "--seed"], "stampede run: --seed needs a value: a whole number of 0 or more")
    expect_one_line_error(exe, ["run", "--set"], "--set needs a value: KEY=VALUE")
    expect_one_line_error(exe, ["run", "-o"], "stampede run: --output needs a value")
    expect_one_line_error(exe, ["run", "--threads", "x"], "--threads 'x' is not a whole number from 0 to 1024")
    expect_one_line_error(exe, ["run", "--threads", "5000"], "--threads '5000' is not a whole number from 0 to 1024")
    expect_one_line_error(exe, ["run", "--seed", "-5"], "--seed '-5' is not a whole number of 0 or more")
    expect_one_line_error(exe, ["run", "--seed", "1.5"], "--seed '1.5' is not a whole number of 0 or more")
    expect_one_line_error(exe, ["replay", "x.csv", "--lot", "0"], "stampede replay: --lot '0' is not a number above 0")
    expect_one_line_error(exe, ["replay", "x.csv", "--limit-pct", "200"],
                          "--limit-pct '200' is not a number from 0 to 99.99")
    line = expect_one_line_error(exe, ["run", "-x"], "stampede run: unknown option '-x'")
    assert "did you mean" not in line, line   # a one-letter option is near every other: no guess

    # what is right still works: negative numbers are values, short flags combine, --opt=value
    r = subprocess.run([exe, "run", "--threads", "-1"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown option" not in r.stderr and "threads" in r.stderr, r.stderr
    for args in (["--help"], ["run", "--help"], ["check", "--help"], ["--version"]):
        r = subprocess.run([exe, *args], capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout, f"{args}: {r.returncode} {r.stderr}"
    print("ok")


if __name__ == "__main__":
    main()
