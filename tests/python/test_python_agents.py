#!/usr/bin/python3
"""Agents written in Python (docs/python.md, "Python agents"), under pytest: a Python agent's
orders pass the engine's own risk check, so the price limit and T+1 refuse them as they refuse a
C++ agent's, in the same /events/order_rejections rows; runs with Python agents are the same at
any thread count; declaring a Python kind without agents changes no result; the worked example
(docs/examples/margin_retail.py) runs; bad classes, keys and orders get one clear error each.

ctest runs this file as `test_python_agents.py STAMPEDE_BINARY WORK_DIR` (as
test_python_module.py: exit 77, skipped, without the module or with a sanitizer build's)."""
import json
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "docs", "examples"))
from build_tree import log_datasets, run_module_tests  # noqa: E402
from small_world_args import SMALL_WORLD  # noqa: E402

if __name__ == "__main__":   # ctest: finds the module, then runs pytest on this file (and exits)
    run_module_tests(__file__, sys.argv)

import stampede  # noqa: E402  (on sys.path under run_module_tests)
from margin_retail import MarginRetail  # noqa: E402  (docs/examples: the worked example)

WORK = os.environ.get("STAMPEDE_WORK", "")
SEED = 5
WORLD = SMALL_WORLD[1::2]


class Prober(stampede.Agent):
    """Buys a lot of one stock on the first day, then tries what the rules forbid: selling it the
    same day (T+1) and buying above the day's upper limit; sells it the next day, as T+1 allows.
    `self.tried` records what it sent and what its account showed then."""

    section = "prober"
    label = "probers"
    keys = {"stock": stampede.Param(0, 0, 100_000, "", "the stock it trades")}

    def __init__(self, params, rng):
        super().__init__(params, rng)
        self.tried = []
        self.ids = []   # the ids the engine gave each call's orders (`sent`)
        self.stage = "buy"

    def decide(self, view):
        s = self.params.stock
        if self.sent:
            self.ids.append(self.sent)
        if view.phase != "continuous":
            return []
        seen = {"day": view.day, "holding": view.holding(s), "sellable": view.sellable(s), "cash": view.cash,
                "reserved": view.reserved_cash, "upper": int(view.upper[s]), "lower": int(view.lower[s])}
        if self.stage == "buy" and view.day == 0:
            self.stage = "bought"
            orders = [stampede.buy(s, 100)]   # at market: fills against the makers' asks
        elif self.stage == "bought" and view.holding(s) == 100 and view.day == 0:
            self.stage = "probed"
            orders = [stampede.sell(s, 100, price=seen["lower"]),             # T+1: bought today
                      stampede.buy(s, 100, price=seen["upper"] + 1)]          # above the limit
        elif self.stage == "probed" and view.day == 1:
            self.stage = "sold"
            orders = [stampede.sell(s, 100, price=seen["lower"])]             # sellable today
        else:
            return []
        self.tried.append((seen, orders))
        return orders


def rejections(path, agent_class):
    """{reason: orders} of /events/order_rejections for one agent class."""
    with h5py.File(path, "r") as f:
        rows = f["events/order_rejections"][:]
    out = {}
    for r in rows:
        if r["agent_class"].decode() == agent_class:
            out[r["reason"].decode()] = out.get(r["reason"].decode(), 0) + int(r["quantity"])
    return out


def results(path):
    """Every dataset of a log but the scenario text (which lists a declared kind's keys)."""
    return {k: v for k, v in log_datasets(path).items() if not k.startswith("meta/")}


def same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), k
        else:
            assert np.array_equal(x, y), k


def test_a_python_agent_is_refused_by_the_price_limit_and_t_plus_1_like_a_cpp_agent():
    out = os.path.join(WORK, "prober.h5")
    sim = stampede.Simulation({"prober": {"count": 1, "cash": 1e6, "stock": 3}}, seed=SEED,
                              set=WORLD + ["days=3"], out=out, agents=[Prober])
    agent = int(sim.agent_ids("prober")[0])
    sim.run_days(1)
    after_day_0 = sim.account(agent)
    sim.run_days(1)
    after_day_1 = sim.account(agent)
    sim.finish()
    # Day 0: the lot bought; the refused orders reserved nothing.
    assert list(after_day_0["stock"]) == [3] and list(after_day_0["shares"]) == [100]
    assert after_day_0["reserved_cash"] == 0
    # Day 1: sold (the same sale T+1 refused the day before).
    assert list(after_day_1["shares"]) in ([], [0])
    # The engine's risk check refused the two probes, with the reasons it gives C++ agents
    # (`stampede run` prints the feb2024 retail traders' 92 as insufficient_shares).
    assert rejections(out, "prober") == {"insufficient_shares": 1, "price_outside_band": 1}
    with h5py.File(out, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["agent_class"][:]]
        assert names[f["agents/daily/agent_class"][-1]] == "prober"   # a daily row, after the C++ agents'
        # The log describes the class as it does the C++ ones: its label, section and docstring.
        classes = {r["name"]: r for r in json.loads(f["meta/agent_classes"].asstr()[()])}
        assert list(classes) == names
        assert classes["prober"] == {"name": "prober", "label": "probers", "section": "prober",
                                     "doc": " ".join(Prober.__doc__.split())}
        assert classes["dma_account"]["label"] == "DMA accounts"


def test_the_agent_saw_its_account_as_the_engine_kept_it():
    with stampede.Simulation({"prober": {"count": 1, "stock": 3}}, seed=SEED, set=WORLD + ["days=2"],
                             agents=[Prober]) as sim:
        sim.run_days(2)
        prober = sim.python_agent(int(sim.agent_ids("prober")[0]))
        assert isinstance(prober, Prober) and prober.stage == "sold"
        (buying, _), (probing, probes), (selling, _) = prober.tried
        assert buying["holding"] == 0 and buying["cash"] == 100_000_000          # 1e6 yuan, in fen
        assert probing["day"] == 0 and probing["holding"] == 100 and probing["sellable"] == 0
        assert probes[1].price == probing["upper"] + 1
        assert selling["day"] == 1 and selling["sellable"] == 100 and selling["reserved"] == 0
        assert [len(ids) for ids in prober.ids] == [1, 2, 1]   # every order got an id, ids carry the agent
        ids = [i for call in prober.ids for i in call]
        assert len(set(ids)) == 4 and all(i >> 40 == prober.id for i in ids)
        with pytest.raises(KeyError):
            sim.python_agent(0)   # a C++ agent


def test_python_agents_give_the_same_run_at_any_thread_count():
    keys = WORLD + ["days=3"]
    scenario = {"margin_retail": {"count": 40, "trade_probability": 0.2}, "prober": {"count": 1, "stock": 5}}
    logs = [os.path.join(WORK, f"margin_{t}.h5") for t in (1, 2)]
    for t, log in zip((1, 2), logs):
        stampede.run(scenario, seed=SEED, threads=t, set=keys, out=log, agents=[MarginRetail, Prober])
    same(results(logs[0]), results(logs[1]))
    with h5py.File(logs[0], "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["agent_class"][:]]
        k = names.index("margin_retail")
        assert f["agents/classes/accounts"][-1, k] == 40
        assert (f["agents/flows/buy"][:, k, :] > 0).any()   # they traded


def test_declaring_a_python_kind_without_agents_changes_no_result():
    keys = WORLD + ["days=2"]
    plain, declared = os.path.join(WORK, "plain.h5"), os.path.join(WORK, "declared.h5")
    stampede.run(seed=SEED, set=keys, out=plain)
    stampede.run(seed=SEED, set=keys, out=declared, agents=[MarginRetail])
    same(results(plain), results(declared))


def test_runs_with_python_agents_take_no_checkpoints():
    class Local(stampede.Agent):   # a class inside a function: pickle would refuse it
        section = "local"

    out = os.path.join(WORK, "local.h5")
    run = stampede.run({"local": {"count": 2}}, seed=SEED, set=WORLD + ["days=3"], out=out, agents=[Local])
    assert "checkpoints" not in run.summary_text and not os.path.exists(os.path.join(WORK, ".local.h5.ckpt"))


def test_the_worked_example_runs():
    env = dict(os.environ, PYTHONPATH=os.environ["STAMPEDE_PACKAGE"],
               STAMPEDE_EXAMPLE_SET=" ".join(WORLD + ["days=3"]))
    done = subprocess.run([sys.executable, os.path.join(ROOT, "docs", "examples", "margin_retail.py")],
                          capture_output=True, text=True, env=env, cwd=WORK)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "margin_retail: equity" in done.stdout


class NoSection(stampede.Agent):
    def decide(self, view):
        return []


class BadOrders(stampede.Agent):
    section = "bad_orders"

    def decide(self, view):
        return ["buy 100"]


class WholeYuan(stampede.Agent):
    section = "whole_yuan"
    keys = {"cash": 50_000, "count": 2}   # an int default for cash: the key stays a float

    def decide(self, view):
        self.debt = 100.4   # fen, rounded to 100
        return []


class Boom(stampede.Agent):
    section = "boom"

    def decide(self, view):
        if view.day == 1 and view.step_in_day == 3:
            raise ZeroDivisionError("boom")
        return []


class LateView(stampede.Agent):
    section = "late_view"
    kept = None

    def decide(self, view):
        LateView.kept = view
        return []


def test_bad_input_gets_one_clear_error():
    with pytest.raises(ValueError, match=r"NoSection.section = '': give the scenario section"):
        stampede.check(agents=[NoSection])
    with pytest.raises(stampede.ScenarioError, match=r"margin_retail.leverag\b"):
        stampede.check({"margin_retail": {"leverag": 2}}, agents=[MarginRetail])
    with pytest.raises(stampede.ScenarioError, match=r"margin_retail.leverage"):
        stampede.check({"margin_retail": {"leverage": 9.0}}, agents=[MarginRetail])
    with pytest.raises(stampede.ScenarioError, match=r"margin_retail"):   # not declared: an unknown section
        stampede.check({"margin_retail": {"count": 1}})
    with pytest.raises(ValueError, match=r"section 'dma': the scenario already has a section"):
        stampede.check(agents=[type("Dma", (stampede.Agent,), {"section": "dma"})])
    resolved = stampede.check(agents=[WholeYuan])["resolved_toml"]
    assert "[whole_yuan]" in resolved and "cash = 50000.0" in resolved and "count = 2" in resolved
    out = os.path.join(WORK, "whole_yuan.h5")
    stampede.run(seed=SEED, set=WORLD + ["days=1"], out=out, agents=[WholeYuan])
    with h5py.File(out, "r") as f:   # the last two daily rows: equity net of the 1-yuan debt
        assert list(f["agents/daily/equity"][-1, -2:]) == [49_999.0, 49_999.0]
    with pytest.raises(ValueError, match=r"order reason 'panic'"):
        stampede.sell(0, 100, reason="panic")
    refused = r"Python agent bad_orders_\d{6} \(BadOrders\)\.decide\(\) on day 1.*'buy 100'"
    with pytest.raises(RuntimeError, match=refused):
        stampede.run({"bad_orders": {"count": 1}}, seed=SEED, set=WORLD + ["days=1"], agents=[BadOrders])
    out = os.path.join(WORK, "boom.h5")
    raised = r"Python agent boom_\d{6} \(Boom\)\.decide\(\) on day 2, step 3 raised ZeroDivisionError: boom " \
             r"\(at .*test_python_agents.py\(\d+\): decide\)$"
    with pytest.raises(RuntimeError, match=raised):
        stampede.run({"boom": {"count": 1}}, seed=SEED, set=WORLD + ["days=2"], out=out, agents=[Boom])
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 0
    with stampede.Simulation({"boom": {"count": 1}}, seed=SEED, set=WORLD + ["days=2"], agents=[Boom]) as sim:
        with pytest.raises(RuntimeError, match=raised):
            sim.run_days(2)
        with pytest.raises(RuntimeError, match=r"failed in a step \(Python agent boom_.*it takes no more steps"):
            sim.step()   # the state is a half-made step's
    stampede.run({"late_view": {"count": 1}}, seed=SEED, set=WORLD + ["days=1"], agents=[LateView])
    with pytest.raises(RuntimeError, match=r"valid only during its decide\(\) call"):
        LateView.kept.cash
