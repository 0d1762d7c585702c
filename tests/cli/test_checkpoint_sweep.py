#!/usr/bin/env python3
"""A resumed sweep continues its unfinished runs from their checkpoints (issue 21, item 3): a sweep
killed by SIGKILL (its first run right after day 3's checkpoint) and run again says it resumes that
run after day 3, and every run log equals an uninterrupted sweep's bit for bit.

Usage (from ctest): test_checkpoint_sweep.py STAMPEDE_EXE WORKDIR
"""
import os
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_checkpoint_resume as t  # noqa: E402


def test_sweep_resume(exe, work):
    """A sweep killed by SIGKILL (its first run right after day 3's checkpoint) and run again
    continues that run from its checkpoint: every log equals the uninterrupted sweep's."""
    def sweep(d, kill_after=None, expect=0):
        env = dict(os.environ)
        env.pop("STAMPEDE_TEST_KILL_AFTER_DAY", None)
        if kill_after is not None:
            env["STAMPEDE_TEST_KILL_AFTER_DAY"] = str(kill_after)
        r = subprocess.run([exe, "sweep", "--grid", "dma.leverage=3,4", "-j", "1", "-o", d, *t.WORLD], capture_output=True,
                           text=True, env=env, timeout=300)
        assert r.returncode == expect, f"sweep exit {r.returncode}, expected {expect}\n{r.stderr}"
        return r
    clean, killed = os.path.join(work, "sweep_clean"), os.path.join(work, "sweep_killed")
    for d in (clean, killed):
        shutil.rmtree(d, ignore_errors=True)
    sweep(clean)
    sweep(killed, kill_after=3, expect=-signal.SIGKILL)
    r = sweep(killed)
    assert "after day 3 of" in r.stderr, r.stderr
    logs = sorted(n for n in os.listdir(clean) if n.startswith("run_") and n.endswith(".h5"))
    assert len(logs) == 2, logs
    for n in logs:
        diff = t.differences(os.path.join(clean, n), os.path.join(killed, n))
        assert not diff, f"sweep run {n} differs after the resumed sweep:\n  " + "\n  ".join(diff[:20])


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    test_sweep_resume(exe, work)
    print("ok")


if __name__ == "__main__":
    main()
