#!/usr/bin/env python3
"""tools/phase_diagram.py takes a sweep directory, its summary.h5 or its summary.csv, and several
metrics at once (`--metric a b`, one panel each); input it cannot use gets one line naming it and
exit code 2, never a traceback.

Usage (from ctest): test_phase_diagram_inputs.py STAMPEDE_EXE WORKDIR
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PHASE = os.path.join(HERE, "..", "..", "tools", "phase_diagram.py")
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
SMALL = {"days": "1", "session.step_minutes": "30", "stocks.microcaps": "20", "stocks.index_constituents": "10",
         "stocks.large_caps": "2", "indices.microcap_members": "10", "noise_traders.count": "100",
         "dma.accounts": "10", "neutral_funds.count": "4"}


def phase(*args, cwd):
    return subprocess.run([PY, PHASE, *args], capture_output=True, text=True, cwd=cwd)


def expect_error(cwd, args, *needles):
    r = phase(*args, cwd=cwd)
    assert r.returncode == 2, f"{args}: exit {r.returncode}, expected 2\n{r.stderr}"
    assert "Traceback" not in r.stderr, f"{args}: traceback\n{r.stderr}"
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("phase_diagram: error: "), f"{args}: {r.stderr}"
    for n in needles:
        assert n in lines[0], f"{args}: {n!r} not in {lines[0]!r}"


def image_width(png):
    import matplotlib.image as mpimg
    return mpimg.imread(png).shape[1]


def main():
    exe, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    sets = []
    for k, v in SMALL.items():
        sets += ["--set", f"{k}={v}"]
    r = subprocess.run([exe, "sweep", "--grid", "dma.leverage=2,4", "--replicates", "1", "-j", "2", "-o", "sw", *sets],
                       capture_output=True, text=True, cwd=work)
    assert r.returncode == 0, f"sweep failed: {r.stderr}"

    # the same figure from the directory, its summary.h5 and its summary.csv
    for source in ("sw", "sw/summary.h5", "sw/summary.csv"):
        r = phase(source, "-o", "one.png", cwd=work)
        assert r.returncode == 0, f"{source}: {r.stderr}"
        assert os.path.getsize(os.path.join(work, "one.png")) > 10000
    r = phase("sw/summary.csv", "--list", cwd=work)
    assert r.returncode == 0 and "parameter dma.leverage" in r.stdout and "metric microcap_max_drawdown" in r.stdout, r.stdout
    # several metrics: --metric a b and repeated --metric, one panel each
    r = phase("sw", "--metric", "microcap_max_drawdown", "hedged_return", "-o", "two.png", cwd=work)
    assert r.returncode == 0, r.stderr
    r = phase("sw", "--metric", "microcap_max_drawdown", "--metric", "hedged_return", "--metric", "trades",
              "-o", "three.png", cwd=work)
    assert r.returncode == 0, r.stderr
    one, two, three = (image_width(os.path.join(work, p)) for p in ("one.png", "two.png", "three.png"))
    assert two > 1.8 * one and three > 2.7 * one, (one, two, three)

    # what it cannot use: one line, exit 2
    expect_error(work, ["nowhere"], "nowhere: no such file or directory")
    os.makedirs(os.path.join(work, "empty"))
    expect_error(work, ["empty"], "empty: directory has no summary.h5 or summary.csv")
    with open(os.path.join(work, "notes.txt"), "w") as f:
        f.write("not, a\nsweep summary, at, all\n")
    expect_error(work, ["notes.txt"], "notes.txt")
    run_log = next(os.path.join("sw", p) for p in os.listdir(os.path.join(work, "sw")) if p.startswith("run_"))
    expect_error(work, [run_log], "no /runs table")
    expect_error(work, ["sw", "--metric", "microcap_max_drawdown", "nope"], "'nope' is not an outcome metric",
                 "microcap_max_drawdown")
    expect_error(work, ["sw", "--x", "dma.leverge"], "'dma.leverge' is not a swept parameter", "dma.leverage")
    expect_error(work, ["sw/summary.csv", "--x", "dma.leverage", "--y", "dma.leverage"],
                 "--x and --y both name 'dma.leverage'")
    # command-line mistakes: one line too, not argparse's usage block
    expect_error(work, ["sw", "--metric"], "--metric", "expected at least one argument")
    expect_error(work, ["sw", "--metrc", "trades"], "unrecognized arguments")
    expect_error(work, [], "SWEEP")
    with open(os.path.join(work, "damaged.h5"), "wb") as f:   # an HDF5 signature, then nothing usable
        f.write(b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    expect_error(work, ["damaged.h5"], "damaged.h5")
    print("ok")


if __name__ == "__main__":
    main()
