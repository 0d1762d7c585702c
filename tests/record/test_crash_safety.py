#!/usr/bin/env python3
"""A run killed with SIGKILL at any moment leaves a run log that h5py opens, with complete = 0 and
every completed day, identical to the same days of an uninterrupted run.

Runs one small scenario to completion as the reference, then starts it again and again and kills
it (kill -9) at random moments spread over its run time, including its last, busiest part; every
file left behind is opened with h5py and read in full (every dataset, every event table).

Usage (from ctest): test_crash_safety.py STAMPEDE_EXE WORKDIR [KILLS]
"""
import os
import random
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

# Heavy on the log (per-step prices of many stocks, 5-minute steps) and light on agents, so much of
# the run time is spent writing and flushing: the moments a kill is most likely to corrupt a file.
SCENARIO = ["--set", "days=12", "--set", "session.step_minutes=5", "--set", "stocks.microcaps=600",
            "--set", "stocks.index_constituents=100", "--set", "stocks.large_caps=10",
            "--set", "indices.microcap_members=100", "--set", "noise_traders.count=200",
            "--set", "retail.count=200", "--set", "neutral_funds.count=2", "--set", "dma.accounts=2",
            "--set", "index_enhanced.count=0", "--set", "snowball.notes_per_issuer=20",
            "--threads", "1"]
DAY_DATASETS = ["day", "date", "market/stocks/close", "market/stocks/volume", "market/index/hedged_close",
                "market/futures/settlement", "agents/flows/buy"]


def read_everything(f):
    """Reads every dataset in full: a damaged chunk or B-tree raises here."""
    names = []
    f.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
    for name in names:
        f[name][()]
    return names


def check_file(path, ref, label):
    with h5py.File(path, "r") as f:
        complete = int(f.attrs["complete"])
        read_everything(f)
        days = f["day"].shape[0]
        steps = f["step"].shape[0]
        spd = int(f.attrs["steps_per_day"])
        if complete == 1:
            assert days == ref["days"], f"{label}: complete file with {days} days"
        # Every day written is whole and equal to the reference run's.
        assert steps == days * spd, f"{label}: {steps} steps for {days} days of {spd} steps"
        for name in DAY_DATASETS:
            got = f[name][()]
            want = ref[name][:days]
            assert got.shape[0] == days, f"{label}: {name} has {got.shape[0]} rows, /day {days}"
            if got.dtype.kind == "f":
                assert np.array_equal(got, want, equal_nan=True), f"{label}: {name} differs from the reference run"
            else:
                assert np.array_equal(got, want), f"{label}: {name} differs from the reference run"
        assert np.array_equal(f["market/stocks/last_price"][()], ref["last_price"][:steps]), f"{label}: last_price differs"
        for kind in f["events"]:
            rows = f["events"][kind][()]
            if len(rows):
                assert rows["day"].max() < days, f"{label}: events/{kind} has rows of a day not written"
        return complete, days


def wait_for_file(path, proc):
    """Polls until `path` exists; returns the time it was seen."""
    while not os.path.exists(path):
        assert proc.poll() is None or os.path.exists(path), f"the run ended without a log: {proc.returncode}"
        time.sleep(0.0005)
    return time.monotonic()


def main():
    exe, work = sys.argv[1], sys.argv[2]
    kills = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    os.makedirs(work, exist_ok=True)
    rng = random.Random(int(os.environ.get("STAMPEDE_CRASH_SEED", "20240205")))

    ref_path = os.path.join(work, "reference.h5")
    if os.path.exists(ref_path):
        os.remove(ref_path)
    t0 = time.monotonic()
    p = subprocess.Popen([exe, "run", "-q", "-o", ref_path, *SCENARIO], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    created = wait_for_file(ref_path, p) - t0
    _, stderr = p.communicate()
    run_time = time.monotonic() - t0
    assert p.returncode == 0, f"reference run failed: {stderr}"
    with h5py.File(ref_path, "r") as f:
        ref = {name: f[name][()] for name in DAY_DATASETS}
        ref["last_price"] = f["market/stocks/last_price"][()]
        ref["days"] = f["day"].shape[0]
        assert f.attrs["complete"] == 1

    seen_days, outcomes = [], {0: 0, 1: 0}
    path = os.path.join(work, "killed.h5")
    # The kill times come from the reference run's timing; on a loaded machine a later run can be
    # much faster or slower, so the kills go on (up to three times as many) until they have landed
    # inside enough runs and at enough different days, and a kill that came after the run had
    # ended shortens the window for the next ones.
    window = run_time - created
    k = 0
    while k < kills or (k < 3 * kills and (outcomes[0] < kills // 2 or len(set(seen_days)) < 5)):
        k += 1
        if os.path.exists(path):
            os.remove(path)
        # Most kills at uniform moments of the writing part of the run (the log exists), some in the
        # start-up, while the file is created.
        p = subprocess.Popen([exe, "run", "-q", "-o", path, *SCENARIO], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t_start = time.monotonic()
        if k % 5 == 0:
            delay = rng.uniform(0.0, created * 1.1)
            time.sleep(delay)
        else:
            wait_for_file(path, p)
            time.sleep(rng.uniform(0.0, window * 0.95))
            delay = time.monotonic() - t_start
        p.send_signal(signal.SIGKILL)
        p.wait()
        if not os.path.exists(path):
            continue   # killed before the file was created
        label = f"kill {k} after {delay:.3f} s"
        try:
            complete, days = check_file(path, ref, label)
        except Exception as e:   # keep the damaged file for a post-mortem
            os.replace(path, os.path.join(work, f"damaged_{k}.h5"))
            raise AssertionError(f"{label}: the run log left behind is damaged: {e}") from e
        outcomes[complete] += 1
        seen_days.append(days)
        if complete:
            window *= 0.8
    print(f"{k} kills over a {run_time:.2f} s run (log created after {created:.2f} s): {outcomes[0]} incomplete "
          f"logs, {outcomes[1]} complete; days present: {sorted(seen_days)}")
    assert outcomes[0] >= kills // 2, "too few kills landed inside the run to mean anything"
    assert len(set(seen_days)) >= 5, "kills did not land at enough different points of the run"
    print("ok")


if __name__ == "__main__":
    main()
