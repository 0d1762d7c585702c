#!/usr/bin/env python3
"""README.md's sample summary is what the default run prints: runs the built-in scenario as the
README's command 1 does and compares every line of the sample block with the summary, except
the machine's (wall time, checkpoints, thread count, run log path). Fails when the README drifts
from the model; `tools/update_readme_sample.sh` refreshes the block.

Usage (from ctest): test_readme_sample.py STAMPEDE_EXE WORKDIR
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(HERE, ".."))
import readme_sample  # noqa: E402
from build_tree import sanitized  # noqa: E402


def main():
    exe = os.path.abspath(sys.argv[1])
    if sanitized(exe):
        print("skipped: the 37-day default run takes too long under a sanitizer (the Release build's test runs it)")
        sys.exit(77)
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    start, end = readme_sample.find_block(text)
    sample = text.split("\n")[start:end]
    assert len(sample) > 10 and any(readme_sample.label(s) == "wall time" for s in sample), sample

    # The comparison itself: a changed figure, a missing or an extra line is a difference; the
    # machine's lines are not.
    def drifted(lines):
        return bool(readme_sample.differences(sample, lines))
    assert not drifted(sample)
    i = next(k for k, s in enumerate(sample) if readme_sample.label(s) == "orders / trades")
    assert drifted(sample[:i] + [sample[i].replace("/", "/ 1")] + sample[i + 1:]), "a changed figure not caught"
    assert drifted(sample[:i] + sample[i + 1:]), "a missing line not caught"
    assert drifted(sample + ["  something new                     1"]), "an extra line not caught"
    machine = [s.replace(" s (", "9 s (") if readme_sample.label(s) == "wall time" else s for s in sample]
    machine[0] = machine[0].replace(" threads", "0 threads").replace(" thread,", "0 threads,")
    assert not drifted(machine), "a machine line counted as drift"

    run = readme_sample.run_default(exe)
    diff = readme_sample.differences(sample, run)
    if diff:
        print("\n".join(diff))
        sys.exit("README.md's sample summary (under Quick start) is not the default run's summary: "
                 "tools/update_readme_sample.sh refreshes it")
    # What the update writes keeps the README's machine lines and is the run's everywhere else.
    new = readme_sample.updated(sample, run, timings=False)
    assert not readme_sample.differences(new, run)
    assert [s for s in new if readme_sample.label(s) == "wall time"] == \
        [s for s in sample if readme_sample.label(s) == "wall time"]
    print("ok")


if __name__ == "__main__":
    main()
