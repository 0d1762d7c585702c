#!/usr/bin/python3
"""What one decide() call of a Python agent costs the simulation (docs/BENCHMARKS.md): the small
test world (tests/small_world_args.py) run without Python agents and with N of them, the
difference in the process's CPU time divided by the calls made (N agents x steps). Two agents:
`idle` returns no orders (the cost of the call itself: the GIL, the view, the result), and the
worked example's margin investor (docs/examples/margin_retail.py). Each figure is the fastest of
--repeat runs.

Usage: PYTHONPATH=build/python /usr/bin/python3 tools/bench/python_agent_cost.py [--agents N]
       [--days D] [--repeat R]"""
import argparse
import os
import resource
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path += [os.path.join(ROOT, "tests"), os.path.join(ROOT, "docs", "examples")]
import stampede  # noqa: E402
from margin_retail import MarginRetail  # noqa: E402
from small_world_args import SMALL_WORLD  # noqa: E402


class Idle(stampede.Agent):
    section = "idle"

    def decide(self, view):
        return []


def cpu_seconds(scenario, keys, agents, out):
    before = resource.getrusage(resource.RUSAGE_SELF)
    stampede.run(scenario, seed=1, threads=1, set=keys, out=out, agents=agents)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--agents", type=int, default=2000)
    p.add_argument("--days", type=int, default=3)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    keys = SMALL_WORLD[1::2] + [f"days={a.days}", "fundamentals.market_driver="]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.h5")
        cpu_seconds(None, keys, None, out)   # a first run to warm up (imports, page cache): not counted
        base = min(cpu_seconds(None, keys, None, out) for _ in range(a.repeat))
        with stampede.Simulation(set=keys) as sim:
            steps = sim.steps_per_day * a.days
        print(f"without Python agents: {base:.2f} s CPU, {steps} steps")
        for cls in (Idle, MarginRetail):
            scenario = {cls.section: {"count": a.agents}}
            cpu = min(cpu_seconds(scenario, keys, [cls], out) for _ in range(a.repeat))
            calls = a.agents * steps
            print(f"{a.agents} x {cls.__name__}: {cpu:.2f} s CPU, {(cpu - base) / calls * 1e6:.2f} us a call")


if __name__ == "__main__":
    main()
