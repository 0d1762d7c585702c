#!/usr/bin/python3
"""stampede.Simulation (docs/python.md, "Step a simulation"), under pytest: a run stepped from
Python (single steps, whole days, on 2 threads) writes the log `stampede run` writes, dataset for
dataset; the views show what the log records for the same step or day; bad calls say what was
wrong and what is allowed.

ctest runs this file as `test_python_stepping.py STAMPEDE_BINARY WORK_DIR` (as
test_python_module.py: exit 77, skipped, without the module or with a sanitizer build's)."""
import os
import signal
import subprocess
import sys

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from build_tree import log_datasets, run_module_tests  # noqa: E402
from small_world_args import NO_DRIVER, SMALL_WORLD  # noqa: E402

BIN = os.environ.get("STAMPEDE_BIN", "")
WORK = os.environ.get("STAMPEDE_WORK", "")
DAYS = 3
SEED = 11
# SMALL_WORLD's keys as `set=` takes them ("key=value" strings, as --set).
WORLD = SMALL_WORLD[1::2] + [f"days={DAYS}"]
# Root attributes that say when and how fast a run was made (and on how many threads), not what
# it computed.
NOT_RESULTS = {"created_utc", "wall_time_seconds", "writer_cpu_seconds", "threads"}


def cli_run(path):
    args = [BIN, "run", "--seed", str(SEED), "--threads", "1", "-q", "-o", path]
    for kv in WORLD:
        args += ["--set", kv]
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def contents(path):
    """Every dataset of a log by path, and the root attributes that are results."""
    with h5py.File(path, "r") as f:
        attrs = {k: v for k, v in f.attrs.items() if k not in NOT_RESULTS}
    return log_datasets(path), attrs


def same(a, b):
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b


@pytest.fixture(scope="module")
def stampede():
    import stampede as module
    return module


@pytest.fixture(scope="module")
def cli_log():
    path = os.path.join(WORK, "cli.h5")
    cli_run(path)
    return path


def test_a_stepped_run_writes_the_cli_log_bit_for_bit(stampede, cli_log):
    out = os.path.join(WORK, "stepped.h5")
    sim = stampede.Simulation(seed=SEED, threads=2, set=WORLD, out=out)
    assert (sim.day, sim.step_index, sim.days_total) == (0, 0, DAYS)
    assert sim.step() is False                       # the opening auction: no day closed
    assert sim.run_steps(3) == 3
    assert sim.step_index == 4 and sim.step_in_day == 4
    sim.run_days(1)                                  # the rest of day 0
    assert (sim.day, sim.step_in_day, sim.step_index) == (1, 0, sim.steps_per_day)
    run = sim.finish()                               # days 1 and 2
    assert sim.finished and run.days == DAYS and run.path == out
    a, a_attrs = contents(cli_log)
    b, b_attrs = contents(out)
    assert a.keys() == b.keys()
    different = [k for k in a if not same(a[k], b[k])]
    assert not different, f"datasets differ from the CLI's: {different[:5]}"
    assert a_attrs.keys() == b_attrs.keys()
    differ = [k for k in a_attrs if not same(a_attrs[k], b_attrs[k])]
    assert not differ, f"root attributes differ from the CLI's: {differ}"
    with h5py.File(cli_log) as f:
        assert run.summary["microcap_return"] == f.attrs["summary_microcap_return"]


@pytest.fixture(scope="module")
def day_one(stampede):
    """A simulation after its first day, and the log of the same run."""
    log = os.path.join(WORK, "views.h5")
    stampede.run(seed=SEED, set=WORLD, out=log)
    sim = stampede.Simulation(seed=SEED, set=WORLD)
    sim.run_days(1)
    return sim, h5py.File(log, "r")


def test_prices_after_a_day_are_the_logs_close(day_one):
    sim, log = day_one
    stocks = len(sim.stock_names)
    assert stocks == 94
    close = sim.close
    assert close.shape == (stocks,) and close.dtype == np.float64
    assert np.array_equal(close, log["market/stocks/close"][0])
    assert np.array_equal(sim.day_ticks("close"), np.round(close * 100).astype(np.int32))
    assert np.array_equal(sim.last, log["market/stocks/last_price"][sim.step_index - 1])
    assert sim.day_ticks("volume").dtype == np.int64
    assert np.array_equal(sim.day_ticks("volume"), log["market/stocks/volume"][0])
    assert sim.indices["microcap_index"] == log["market/index/microcap_close"][0]
    assert sim.indices["hedged_index"] == log["market/index/hedged_close"][0]
    futures = sim.futures
    last = sim.step_index - 1
    assert np.array_equal(futures["basis"], log["market/futures/basis"][last])
    assert np.array_equal(futures["basis_annualised"], log["market/futures/basis_annualised"][last])
    assert [c.encode() if isinstance(log["market/futures/code"][0][0], bytes) else c for c in futures["code"]] == \
        list(log["market/futures/code"][0])
    # An agent by the name the log's /agents/daily gives it, with the NAV the log has for the day.
    names = [n.decode() if isinstance(n, bytes) else n for n in log["agent"][()]]
    for column in (0, len(names) - 1):
        row = sim.agent(names[column])
        assert sim.agent_name(row["id"]) == names[column] and row["reports_daily"]
        assert row["nav"] == log["agents/daily/nav"][0, column]
        assert row["equity"] == log["agents/daily/equity"][0, column]


def test_views_are_read_only_and_live_copies_are_not(stampede):
    sim = stampede.Simulation(seed=SEED, set=WORLD)
    close_view, last_view = sim.day_ticks("close"), sim.last_ticks
    assert not close_view.flags.writeable and not last_view.flags.writeable and not close_view.flags.owndata
    with pytest.raises(ValueError):
        close_view[0] = 1
    with pytest.raises(ValueError):
        close_view.flags.writeable = True            # numpy refuses: the memory is the simulation's
    assert (close_view == stampede.simulation.NO_PRICE).all()   # no close before the day closes
    before = sim.last.copy()
    sim.run_days(1)
    assert (close_view != stampede.simulation.NO_PRICE).all()   # the same view shows the close now
    assert not np.array_equal(sim.last, before)
    del sim                                          # the views keep the simulation's memory alive
    assert close_view.sum() > 0 and last_view.shape == close_view.shape


def test_books_show_the_top_levels_best_first(day_one):
    sim, _ = day_one
    sim.run_steps(2)                                 # into the continuous session of day 1
    seen = 0
    for stock in range(len(sim.stock_names)):
        b = sim.book(stock, levels=3)
        assert len(b["bid_ticks"]) <= 3 and len(b["ask_ticks"]) <= 3
        assert (np.diff(b["bid_ticks"]) < 0).all() and (np.diff(b["ask_ticks"]) > 0).all()
        assert (b["bid_qty"] > 0).all() and (b["ask_qty"] > 0).all()
        assert np.array_equal(b["bid_price"], b["bid_ticks"] / 100.0)
        if len(b["bid_ticks"]) and len(b["ask_ticks"]):
            assert b["bid_ticks"][0] < b["ask_ticks"][0]
            seen += 1
    assert seen > 0, "no stock has both sides of its book"
    assert sim.book("S00001")["bid_ticks"].shape[0] <= 5
    f = sim.futures_book("front", levels=2)
    assert len(f["bid_ticks"]) <= 2 and np.allclose(f["bid_price"], f["bid_ticks"] * 0.2)


def test_an_agents_account_is_marked_now(day_one):
    sim, log = day_one
    dma = sim.agent_ids("dma_account")
    assert len(dma) > 0
    a = sim.account(int(dma[0]))
    assert a["owner"] == dma[0]
    assert a["equity"] == pytest.approx(a["cash"] + a["long_value"] + a["futures_pnl"])
    assert len(a["stock"]) == len(a["shares"]) == len(a["sellable"]) and (a["shares"] >= 0).all()
    assert (a["sellable"] <= a["shares"]).all() and a["futures_contracts"].shape == (2,)
    assert a["cash"] == a["cash_fen"] / 100


def test_bad_calls_say_what_is_allowed(stampede):
    sim = stampede.Simulation(seed=SEED, set=[*SMALL_WORLD[1::2], "days=1"])
    with pytest.raises(ValueError, match=r"run_days\(2\): 1 of the 1 trading days are left; give 1..1"):
        sim.run_days(2)
    with pytest.raises(KeyError, match="no agent 'nobody_000001'.*agent ids are 0.."):
        sim.account("nobody_000001")
    with pytest.raises(KeyError, match=r"no agent 99999999: agent ids are 0\.\.\d+"):
        sim.agent(99999999)
    with pytest.raises(KeyError, match="no stock 'X1'"):
        sim.book("X1")
    with pytest.raises(ValueError, match="no day figure 'closing'.*prev_close, open"):
        sim.day_ticks("closing")
    sim.run_days(1)
    with pytest.raises(stampede.SimulationFinished, match="all 1 trading days are done; sim.finish"):
        sim.step()
    run = sim.finish()
    assert sim.finish() is run
    with pytest.raises(stampede.SimulationFinished, match="finished or stopped"):
        sim.run_days(1)
    with pytest.raises(stampede.ScenarioError, match="leverag"):
        stampede.Simulation(set={"dma": {"leverag": 2}})


def test_a_closed_simulation_leaves_an_incomplete_log(stampede):
    out = os.path.join(WORK, "closed.h5")
    with stampede.Simulation(seed=SEED, set=WORLD, out=out) as sim:
        sim.run_days(1)
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 0 and f["market/stocks/close"].shape[0] == 1


def test_ctrl_c_stops_at_the_end_of_a_day_and_the_simulation_goes_on(stampede):
    days = 40   # about 0.2 s a day: far longer than the half second before the interrupt
    sim = stampede.Simulation(seed=SEED, set=[*SMALL_WORLD[1::2], *NO_DRIVER[1::2], f"days={days}"])
    previous = signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with pytest.raises(KeyboardInterrupt):
            sim.run_days(days)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    stopped_at = sim.day
    assert 0 < stopped_at < days and sim.step_in_day == 0
    sim.run_days(1)
    assert sim.day == stopped_at + 1
    sim.stop()


def main():
    run_module_tests(__file__, sys.argv)


if __name__ == "__main__":
    main()
