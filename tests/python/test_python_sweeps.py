#!/usr/bin/python3
"""stampede.sweep, stampede.ensemble and stampede.calibration_model (docs/python.md), and the two
examples in docs/examples/, under pytest on a small world: a sweep gives one row per run with its
log, and its directory is one `stampede sweep` recognises as its own (it reruns nothing); an
ensemble gives one row per scenario and seed; the calibration adapter returns an (N, k) array,
the same for the same seed; bad names are refused with what is allowed.

ctest runs this file as `test_python_sweeps.py STAMPEDE_BINARY WORK_DIR` (as
test_python_module.py: exit 77, skipped, without the module or with a sanitizer build's)."""
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.dirname(HERE))
from build_tree import run_module_tests  # noqa: E402
from small_world_args import SMALL_WORLD  # noqa: E402

BIN = os.environ.get("STAMPEDE_BIN", "")
WORK = os.environ.get("STAMPEDE_WORK", "")
WORLD = SMALL_WORLD[1::2] + ["days=2"]


@pytest.fixture(scope="module")
def stampede():
    import stampede as module
    return module


def test_a_sweep_gives_one_row_per_run_and_the_cli_reuses_them(stampede):
    out = os.path.join(WORK, "sweep")
    table = stampede.sweep(grid={"dma.leverage": [2.0, 3.0]}, replicates=1, seed=5, set=WORLD, out=out, jobs=2)
    assert len(table) == 2
    assert list(table["dma.leverage"]) == [2.0, 3.0]
    assert (table["status"] == "ok").all()
    assert {"run_id", "seed", "path", "microcap_return", "trades"} <= set(table.columns)
    for path, trades in zip(table["path"], table["trades"]):
        with h5py.File(path) as f:
            assert f.attrs["complete"] == 1 and f.attrs["summary_trades"] == trades
    # The CLI's sweep with the same arguments plans the same runs: it finds them all complete.
    args = [BIN, "sweep", "--grid", "dma.leverage=2.0,3.0", "--seed", "5", "-q", "-o", out]
    for kv in WORLD:
        args += ["--set", kv]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 run now, 2 already complete" in done.stdout, done.stdout
    # And again from Python: the same table, nothing rerun.
    again = stampede.sweep(grid={"dma.leverage": [2.0, 3.0]}, seed=5, set=WORLD, out=out)
    assert again.drop(columns=["path"]).equals(table.drop(columns=["path"]))


def test_an_ensemble_gives_one_row_per_scenario_and_seed(stampede):
    files = []
    for name, leverage in (("base", 3.0), ("low", 2.0)):
        path = os.path.join(WORK, f"{name}.toml")
        with open(path, "w") as f:
            f.write(f'base = "{os.path.join(ROOT, "scenarios", "feb2024.toml")}"\n[dma]\nleverage = {leverage}\n')
        files.append(path)
    table = stampede.ensemble(files, seeds=[1, 4], set=WORLD, out=os.path.join(WORK, "ensemble"), jobs=2)
    assert len(table) == 4
    assert sorted(zip(table["scenario"], table["seed"])) == [("base", 1), ("base", 4), ("low", 1), ("low", 4)]
    assert (table["status"] == "ok").all()
    assert os.path.exists(os.path.join(WORK, "ensemble", "ensemble.h5"))
    with pytest.raises(stampede.ScenarioError, match="give TOML files"):
        stampede.ensemble([{"days": 2}])


def test_the_calibration_model_returns_n_days_of_each_series_deterministically(stampede):
    model = stampede.calibration_model(["dma.leverage", "noise_traders.count"],
                                       series=["microcap_index", "limit_down_count"], set=WORLD)
    a = model([2.5, 200], 2, 3)
    assert a.shape == (2, 2) and a.dtype == np.float64 and np.isfinite(a).all()
    assert np.array_equal(a, model(np.array([2.5, 200.0]), 2, 3))    # same theta, N, seed: same bits
    assert model([2.5, 200], 3, 3).shape == (3, 2)
    with pytest.raises(ValueError, match=r"theta has 1 values; the model takes 2 \(dma.leverage, noise_traders.count\)"):
        model([2.5], 2, 3)


def test_bad_calibration_names_are_refused_with_what_is_allowed(stampede):
    with pytest.raises(stampede.ScenarioError) as e:
        stampede.calibration_model(["dma.leverag", "nosection.key"], series="microcap")
    messages = [p.message for p in e.value.problems]
    assert any("series 'microcap': not one of microcap_index" in m for m in messages), messages
    assert any("param 'dma.leverag': not a key of the scenario; its section has" in m and "leverage" in m
               for m in messages), messages
    assert any("param 'nosection.key'" in m for m in messages), messages


def run_example(name, env):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=os.environ["STAMPEDE_PACKAGE"], **env)
    done = subprocess.run([sys.executable, os.path.join(ROOT, "docs", "examples", name)], capture_output=True,
                          text=True, env=env, cwd=WORK)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_quickstart_example_prints_the_summary_and_draws_the_index():
    out = os.path.join(WORK, "quickstart")
    text = run_example("quickstart.py", {"STAMPEDE_EXAMPLE_SET": " ".join(WORLD), "STAMPEDE_EXAMPLE_OUT": out})
    assert "stampede run 'feb2024': 2 trading days, 94 stocks" in text
    assert "microcap index" in text and "closes of day 1" in text
    assert os.path.getsize(os.path.join(out, "quickstart_microcap.png")) > 1000


def test_the_scipy_calibration_example_runs():
    text = run_example("calibrate_with_scipy.py", {"STAMPEDE_EXAMPLE_EVALUATIONS": "2"})
    assert "fitted leverage" in text


def main():
    run_module_tests(__file__, sys.argv)


if __name__ == "__main__":
    main()
