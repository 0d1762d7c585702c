#!/usr/bin/env python3
"""`stampede check --diff` prints only the keys that differ, first from the defaults (what a key is
when no file sets it), then from the scenario's base file, each with the other value, and says which.

Usage (from ctest): test_check_diff.py STAMPEDE_EXE WORKDIR
"""
import os
import re
import subprocess
import sys


def check(exe, *args):
    r = subprocess.run([exe, "check", *args], capture_output=True, text=True)
    assert r.returncode == 0, f"check {args}: exit {r.returncode}\n{r.stderr}"
    return r.stdout


def sections(text):
    """{'defaults': {key: (value, other)}, 'base': {...}} from check --diff's output."""
    out, current = {}, None
    for line in text.splitlines():
        if line.startswith("#"):
            current = "defaults" if "from the defaults" in line else "base" if "from its base" in line else None
            if current:
                out[current] = {}
            continue
        m = re.fullmatch(r"(\S+) = (.*?)\s+# (default|base): (.*)", line)
        if m and current:
            out[current][m.group(1)] = (m.group(2), m.group(4))
    return out


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    base = os.path.join(work, "base.toml")
    with open(base, "w") as f:
        f.write('name = "base"\ndays = 7\n[stocks]\nmicrocaps = 300\n')
    child = os.path.join(work, "child.toml")
    with open(child, "w") as f:
        f.write('base = "base.toml"\nname = "child"\n[stocks]\nmicrocaps = 250\n[noise_traders]\ncount = 1234\n')

    text = check(exe, child, "--diff", "--set", "seed=99")
    s = sections(text)
    assert set(s) == {"defaults", "base"}, text
    d, b = s["defaults"], s["base"]
    # against the defaults: everything the file, its base and --set change, nothing else
    assert set(d) == {"name", "days", "seed", "stocks.microcaps", "noise_traders.count"}, text
    assert d["days"][0] == "7" and d["stocks.microcaps"][0] == "250" and d["seed"][0] == "99", d
    # against the base file: only what this file and --set change, with the base's value
    assert set(b) == {"name", "seed", "stocks.microcaps", "noise_traders.count"}, text
    assert b["stocks.microcaps"] == ("250", "300") and b["name"] == ('"child"', '"base"'), b
    assert "base.toml" in text and "--set seed=99" in text, text
    assert "[stocks]" not in text, "--diff printed the whole resolved scenario"

    # a file without a base says so; the full resolved listing is unchanged without --diff
    text = check(exe, base, "--diff")
    assert "no base" in text and "from its base" not in text, text
    assert set(sections(text)["defaults"]) == {"name", "days", "stocks.microcaps"}, text
    full = check(exe, base)
    assert "[stocks]" in full and "microcaps = 300" in full, full
    print("ok")


if __name__ == "__main__":
    main()
