#!/usr/bin/env python3
"""The README's sample summary (the block under "Quick start" that starts with "stampede run '")
against a real run of the default scenario, run as the README's command 1 runs it.

    tools/readme_sample.py check  [--stampede build/tools/stampede] [--readme README.md]
    tools/readme_sample.py update [--stampede build/tools/stampede] [--readme README.md] [--timings]

`check` runs the default scenario and compares every line of the block with the run's summary,
except those that depend on the machine: the wall time, the checkpoints (their count follows
their cost), the thread count in the first line, and the run log's path (the README's run writes
results/feb2024.h5). Exit 0 when they agree, 1 with a diff when they do not.
`update` (tools/update_readme_sample.sh) writes the run's summary into the block. The wall-time and
checkpoints lines stay as they are unless --timings is given: take those on a quiet machine.
"""
import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
MACHINE_LINES = ("wall time", "checkpoints", "run log")   # labels of the lines a machine changes
README_LOG = "results/feb2024.h5"                          # where the README's command writes its log


class SampleError(Exception):
    """The README has no sample block, or the run failed: one line, exit code 2."""


def find_block(text):
    """(start, end) line indices of the sample block's lines (between its ``` fences)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("```") and i + 1 < len(lines) and lines[i + 1].startswith("stampede run '"):
            for j in range(i + 1, len(lines)):
                if lines[j].startswith("```"):
                    return i + 1, j
    raise SampleError("README.md has no sample summary block (a ``` block whose first line starts with \"stampede run '\")")


def label(line):
    """A summary line's label: 'wall time' for '  wall time    16.5 s ...'; '' for the first line."""
    return re.split(r"\s{2,}", line.strip(), maxsplit=1)[0] if line.startswith("  ") else ""


def comparable(lines):
    """The lines the same on every machine: machine lines dropped, the first line's thread count masked."""
    out = []
    for line in lines:
        if label(line) in MACHINE_LINES:
            continue
        out.append(re.sub(r"\b\d+ threads?\b", "N threads", line) if line.startswith("stampede run '") else line)
    return out


def run_default(stampede):
    """The summary of `stampede run` (the README's command 1), its log written to a temporary file."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "feb2024.h5")
        r = subprocess.run([stampede, "run", "-o", log], capture_output=True, text=True, cwd=ROOT)
        if r.returncode != 0:
            last = (r.stderr.strip().splitlines() or ["no message"])[-1]
            raise SampleError(f"{stampede} run exited {r.returncode}: {last}")
    lines = r.stdout.rstrip("\n").split("\n")
    return [re.sub(r"^(  run log\s+).*$", lambda m: m.group(1) + README_LOG, line) for line in lines]


def differences(readme_lines, run_lines):
    """A unified diff of the comparable lines; empty when the README's sample is the run's."""
    return list(difflib.unified_diff(comparable(readme_lines), comparable(run_lines), "README.md", "stampede run",
                                     lineterm="", n=1))


def updated(readme_lines, run_lines, timings):
    """The run's lines, keeping the README's machine lines unless timings."""
    if timings:
        return run_lines
    kept = {label(line): line for line in readme_lines if label(line) in ("wall time", "checkpoints")}
    return [kept.get(label(line), line) for line in run_lines]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=("check", "update"))
    ap.add_argument("--stampede", default=os.path.join(ROOT, "build", "tools", "stampede"))
    ap.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    ap.add_argument("--timings", action="store_true", help="update: also the wall-time and checkpoints lines")
    a = ap.parse_args()
    try:
        if not os.access(a.stampede, os.X_OK):
            raise SampleError(f"{a.stampede}: no stampede binary (build first: tools/build.sh)")
        with open(a.readme, encoding="utf-8") as f:
            text = f.read()
        start, end = find_block(text)
        lines = text.split("\n")
        run_lines = run_default(a.stampede)
    except (SampleError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if a.command == "check":
        diff = differences(lines[start:end], run_lines)
        if diff:
            print("\n".join(diff))
            print(f"{a.readme}: the sample summary is not the default run's (tools/update_readme_sample.sh "
                  "refreshes it)", file=sys.stderr)
            return 1
        print(f"{a.readme}: the sample summary is the default run's")
        return 0
    new = lines[:start] + updated(lines[start:end], run_lines, a.timings) + lines[end:]
    if new == lines:
        print(f"{a.readme}: sample summary already up to date")
        return 0
    with open(a.readme, "w", encoding="utf-8") as f:
        f.write("\n".join(new))
    print(f"{a.readme}: sample summary updated ({'with' if a.timings else 'without'} the wall time and checkpoints)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
