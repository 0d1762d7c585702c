#!/usr/bin/env python3
"""File inputs are read only when they are regular files of a bounded size (issue 21, item 5):
`check /dev/zero`, a FIFO, `base = "/dev/zero"`, a market-driver CSV on /dev/zero, `replay
/dev/zero` and an oversized scenario each fail at once with one clear line, exit 2, instead of
reading until memory runs out (or blocking). A number out of range is echoed as written
(issue 21, item 6), not as the 64-bit integer it was clamped to, and a line too long to parse in
reasonable time is refused naming it.

Usage (from ctest): test_input_guards.py STAMPEDE_EXE WORKDIR
"""
import os
import subprocess
import sys
import time


def refused(exe, args, *needles, code=2):
    t0 = time.monotonic()
    r = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
    secs = time.monotonic() - t0
    assert r.returncode == code, f"{args}: exit {r.returncode}, expected {code}\n{r.stderr}"
    errors = [l for l in r.stderr.splitlines() if l.startswith("error: ")]
    assert errors, r.stderr
    for n in needles:
        assert any(n in l for l in errors), f"{args}: {n!r} not in\n{r.stderr}"
    assert secs < 10, f"{args}: {secs:.1f} s, not at once"
    print(f"{' '.join(args)[:60]}: {secs:.2f} s: {errors[0][:200]}")


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(work, exist_ok=True)
    os.chdir(work)

    refused(exe, ["check", "/dev/zero"], "/dev/zero", "not a regular file")
    refused(exe, ["run", "/dev/zero"], "/dev/zero", "not a regular file")
    fifo = "fifo.toml"
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    refused(exe, ["check", fifo], "fifo.toml", "not a regular file")   # would block on open

    with open("on_zero.toml", "w") as f:
        f.write('base = "/dev/zero"\n')
    refused(exe, ["check", "on_zero.toml"], "/dev/zero", "not a regular file")

    with open("big.toml", "w") as f:
        f.write('name = "big"\n')
        line = "# " + "x" * 98 + "\n"
        f.write(line * (5 * 1024 * 1024 // len(line)))
    refused(exe, ["check", "big.toml"], "big.toml", "bytes; at most 4 MiB")

    with open("driver_zero.toml", "w") as f:
        f.write('name = "driver_zero"\n[fundamentals]\nmarket_driver = "/dev/zero"\n')
    refused(exe, ["check", "driver_zero.toml"], "market_driver", "/dev/zero", "not a regular file")

    refused(exe, ["replay", "/dev/zero"], "/dev/zero", "not a regular file")

    # Out of range: echoed as written, in a file and in --set.
    with open("huge.toml", "w") as f:
        f.write('name = "huge"\ndays = 99999999999999999999\n')
    refused(exe, ["check", "huge.toml"], "99999999999999999999 is out of range")
    refused(exe, ["check", "huge.toml", "--set", "days=12345678901234567890123"], "12345678901234567890123 is out of range")
    r = subprocess.run([exe, "check", "huge.toml"], capture_output=True, text=True)
    assert "9223372036854775807" not in r.stderr, r.stderr

    # A very long line (here 20,000 holidays on one line) is refused at once, naming the line;
    # the same list written over several lines is read (toml11's parse of one long line is
    # quadratic in its length: about a minute of CPU for this one).
    import datetime
    dates = [f'"{datetime.date(2000, 1, 1) + datetime.timedelta(days=i)}"' for i in range(20000)]
    with open("one_line.toml", "w") as f:
        f.write('name = "one_line"\nholidays = [' + ", ".join(dates) + "]\n")
    refused(exe, ["check", "one_line.toml"], "one_line.toml:2:", "longer than 20000 bytes", "several lines")
    with open("many_lines.toml", "w") as f:
        f.write('name = "many_lines"\nholidays = [\n' + "".join(f"  {d},\n" for d in dates) + "]\n")
    t0 = time.monotonic()
    r = subprocess.run([exe, "check", "many_lines.toml"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "2000-01-01" in r.stdout, r.stderr
    print(f"a 20000-date list over lines: read in {time.monotonic() - t0:.2f} s")
    print("ok")


if __name__ == "__main__":
    main()
