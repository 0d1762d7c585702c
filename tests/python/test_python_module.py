#!/usr/bin/python3
"""The Python package `stampede` (python/, docs/python.md), under pytest: a run from a dict or a
file gives the CLI's summary and a run log identical to the CLI's; check() returns the resolved
scenario or raises ScenarioError with every problem, each naming its file, line and key.

ctest runs this file as `test_python_module.py STAMPEDE_BINARY WORK_DIR`; it then runs pytest on
itself with build/python (next to the binary's build/tools) on sys.path. Exit 77 (skipped) when
the module was not built (no pybind11: tools/install_deps.sh installs it)."""
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from build_tree import log_datasets, run_module_tests  # noqa: E402
from small_world_args import SMALL_WORLD  # noqa: E402

BIN = os.environ.get("STAMPEDE_BIN", "")
WORK = os.environ.get("STAMPEDE_WORK", "")

# SMALL_WORLD's --set pairs as the dict a Python user would write, plus a short run.
WORLD_KEYS = dict(kv.split("=", 1) for kv in SMALL_WORLD[1::2])
DAYS = 3


def nested(flat):
    """{"stocks.microcaps": "60"} -> {"stocks": {"microcaps": 60}} (values as numbers when they are)."""
    out = {}
    for key, text in flat.items():
        *sections, name = key.split(".")
        d = out
        for s in sections:
            d = d.setdefault(s, {})
        try:
            value = int(text)
        except ValueError:
            value = float(text)
        d[name] = value
    return out


def cli_run(path, seed, extra=()):
    args = [BIN, "run", "--seed", str(seed), "--threads", "1", "-q", "-o", path, *SMALL_WORLD,
            "--set", f"days={DAYS}", *extra]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def same_arrays(a, b):
    if isinstance(a, bytes):
        # The resolved scenario's text: its '#' header names the source (file, built-in, --set),
        # the keys below it must be the same.
        body = lambda t: [line for line in t.decode().splitlines() if not line.startswith("#")]
        return isinstance(b, bytes) and body(a) == body(b)
    if a.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


@pytest.fixture(scope="module")
def stampede():
    import stampede as module
    return module


@pytest.fixture(scope="module")
def cli_log():
    path = os.path.join(WORK, "cli.h5")
    text = cli_run(path, seed=7)
    return path, text


def test_a_run_from_a_dict_writes_the_same_log_and_summary_as_the_cli(stampede, cli_log):
    cli_path, cli_text = cli_log
    out = os.path.join(WORK, "py_dict.h5")
    run = stampede.run({**nested(WORLD_KEYS), "days": DAYS}, seed=7, threads=1, out=out)
    assert run.path == out and run.seed == 7 and run.days == DAYS
    with h5py.File(cli_path, "r") as f:
        cli_summary = {k[len("summary_"):]: float(v) for k, v in f.attrs.items() if k.startswith("summary_")}
    assert cli_summary, "the CLI's log has no summary attributes"
    for name, value in cli_summary.items():
        assert run.summary[name] == pytest.approx(value, nan_ok=True), name
    a, b = log_datasets(cli_path), log_datasets(out)
    assert a.keys() == b.keys()
    different = [k for k in a if not same_arrays(a[k], b[k])]
    assert not different, f"datasets differ from the CLI's: {different[:5]}"
    # The text the CLI prints, apart from the log's path and the wall time.
    assert run.summary_text.splitlines()[0] == cli_text.splitlines()[0]


def test_a_run_from_a_file_with_set_keys_equals_the_dict_run(stampede, cli_log):
    cli_path, _ = cli_log
    scenario = os.path.join(WORK, "small.toml")
    with open(scenario, "w") as f:
        f.write('base = "%s"\n' % os.path.join(os.path.dirname(HERE), "..", "scenarios", "feb2024.toml"))
    run = stampede.run(scenario, seed=7, set={**nested(WORLD_KEYS), "days": DAYS}, out=os.path.join(WORK, "py_file.h5"))
    a, b = log_datasets(cli_path), log_datasets(run.path)
    # meta/scenario_toml is the named file's verbatim text: the built-in one against a one-line base.
    different = [k for k in a if k != "meta/scenario_toml" and not same_arrays(a[k], b[k])]
    assert not different, f"datasets differ from the CLI's: {different[:5]}"


def test_a_run_without_out_keeps_its_log_until_the_run_is_gone(stampede):
    run = stampede.run(set={**nested(WORLD_KEYS), "days": 1}, seed=3)
    path = run.path
    assert os.path.exists(path)
    stocks = run.dataset("market/stocks")
    assert stocks.sizes["stock"] == 94 and "close" in stocks and "stock" in stocks.coords
    del run
    assert not os.path.exists(path)


def test_progress_is_called_after_each_day(stampede):
    seen = []
    stampede.run(set={**nested(WORLD_KEYS), "days": 2}, seed=3, progress=lambda done, total, date: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


def test_check_resolves_a_scenario(stampede):
    resolved = stampede.check(set={"days": 4})
    assert resolved["name"] == "feb2024"
    assert "days = 4" in resolved["resolved_toml"]


def test_every_problem_is_raised_at_once_with_its_file_line_and_key(stampede):
    bad = os.path.join(WORK, "bad.toml")
    with open(bad, "w") as f:
        f.write("days = 0\n[dma]\nleverag = 3\n")
    with pytest.raises(stampede.ScenarioError) as e:
        stampede.check(bad, set={"dma": {"leverage": "abc"}})
    problems = e.value.problems
    assert len(problems) == 3
    days, unknown, typed = problems
    assert (days.file, days.line, days.key) == (bad, 1, "days")
    assert "out of range" in days.message
    assert (unknown.file, unknown.line, unknown.key) == (bad, 3, "dma.leverag")
    assert typed.file is None and typed.key == "dma.leverage"
    assert isinstance(e.value, ValueError)


def test_a_value_python_cannot_write_as_toml_is_refused(stampede):
    with pytest.raises(stampede.ScenarioError, match="a scenario value is"):
        stampede.check({"days": object()})


def main():
    run_module_tests(__file__, sys.argv)


if __name__ == "__main__":
    main()
