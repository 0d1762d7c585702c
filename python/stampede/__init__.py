"""stampede from Python: run and check scenarios with the same engine as the `stampede` command.

    import stampede
    run = stampede.run(seed=1, set={"days": 5})          # the built-in feb2024 scenario
    run.summary["microcap_max_drawdown"]                   # the figures `stampede run` prints
    stocks = run.dataset("market/stocks")                  # an xarray Dataset of the run log
    stampede.check("scenarios/no_dma.toml")                # every key, resolved; or ScenarioError
    sim = stampede.Simulation(seed=1, set={"days": 5})      # the same run, one step at a time
    stampede.run({"my_agents": {"count": 5}}, agents=[MyAgent])   # agents written in Python
    stampede.sweep(grid={"dma.leverage": [2, 3]}, out="results/lev")   # a DataFrame, one row a run
    model = stampede.calibration_model(["dma.leverage"])   # model(theta, N, seed) -> (N, k) array

A scenario is None (the built-in default, scenarios/feb2024.toml), a path to a TOML file, or a
dict shaped like one ({"days": 5, "dma": {"leverage": 2.0}}): the dict's keys are applied on top
of its "base" (a path, or the built-in default when it has none), exactly as `--set` would apply
them. `set` adds more keys the same way (a dict, or "key=value" strings). A run from Python is
bit-identical to `stampede run` with the same scenario, seed and keys, at any thread count.

Errors in a scenario raise ScenarioError, whose `problems` lists every problem found, each with
the file, line and key it concerns when the message names them (docs/python.md).
"""
from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from . import _stampede

__all__ = ["run", "check", "Run", "ScenarioError", "Problem", "version", "Simulation", "SimulationFinished",
           "sweep", "ensemble", "calibration_model", "Agent", "Param", "Order", "buy", "sell", "cancel"]
version = _stampede.version

BUILT_IN = "feb2024"


@dataclass(frozen=True)
class Problem:
    """One problem with a scenario: the message as `stampede check` words it, and what it names."""
    message: str
    file: str | None = None
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        return self.message


# "FILE:LINE: ..." or "FILE: ...", then a key in quotes when the message is about one.
_WHERE = re.compile(r"^(?P<file>[^:\n]+?)(?::(?P<line>\d+))?(?::\d+)?: ")
_KEY = re.compile(r"(?:key|option|section) '(?P<key>[A-Za-z0-9_.]+)'|'(?P<bare>[a-z0-9_]+\.[a-z0-9_.]+)'")


def _problem(message: str) -> Problem:
    where = _WHERE.match(message)
    key = _KEY.search(message)
    file = where.group("file") if where else None
    if file is not None and file.startswith("--set"):
        file = None   # a --set (or set=) key: no file to point at
    return Problem(
        message=message,
        file=file,
        line=int(where.group("line")) if where and where.group("line") else None,
        key=(key.group("key") or key.group("bare")) if key else None,
    )


class ScenarioError(ValueError):
    """A scenario with problems: `problems` is every one found (Problem: message, file, line, key)."""

    def __init__(self, problems: Iterable[str]):
        self.problems = [_problem(p) for p in problems]
        super().__init__("\n".join(p.message for p in self.problems) or "invalid scenario")


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ScenarioError([f"value {v!r}: not a finite number"])
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise ScenarioError([f"value {v!r}: a scenario value is a bool, number, string or list of them"])


def _flatten(d: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for k, v in d.items():
        if not isinstance(k, str):
            raise ScenarioError([f"key {k!r}: scenario keys are strings"])
        if isinstance(v, Mapping):
            out += _flatten(v, prefix + k + ".")
        else:
            out.append(f"{prefix}{k}={_toml_value(v)}")
    return out


def _overrides(set: Mapping[str, Any] | Iterable[str] | None) -> list[str]:
    if set is None:
        return []
    if isinstance(set, Mapping):
        return _flatten(set)
    if isinstance(set, str):
        return [set]
    return [str(s) for s in set]


def _source(scenario: Any) -> tuple[str, list[str]]:
    """The file to load ("" = built-in) and the overrides a dict scenario stands for."""
    if scenario is None or scenario in (BUILT_IN, "default"):
        return "", []
    if isinstance(scenario, Mapping):
        keys = dict(scenario)
        base = keys.pop("base", None)
        file, more = _source(base)
        return file, more + _flatten(keys)
    if isinstance(scenario, (str, os.PathLike)):
        return os.fspath(scenario), []
    raise ScenarioError([f"scenario {scenario!r}: give None, a TOML path or a dict"])


def _call(fn: Callable, *args):
    try:
        return fn(*args)
    except _stampede.ScenarioErrorBase as e:
        raise ScenarioError(e.args[0]) from None


def check(scenario: Any = None, set: Mapping[str, Any] | Iterable[str] | None = None,
          agents: Iterable[type] | None = None) -> dict:
    """Validates a scenario: {"name", "source", "resolved_toml"}, or ScenarioError with every problem.
    agents: the Python agent classes whose sections the scenario may have (see Agent)."""
    file, overrides = _source(scenario)
    return _call(_stampede.check, file, overrides + _overrides(set), _kind_specs(agents))


class Run:
    """A finished run: its summary and its run log (docs/hdf5-schema.md)."""

    def __init__(self, result: dict, path: str, owned_dir: str | None):
        self.scenario: str = result["scenario"]
        self.seed: int = result["seed"]
        self.days: int = result["days"]
        self.threads: int = result["threads"]
        self.wall_seconds: float = result["wall_seconds"]
        self.summary: dict[str, float] = dict(result["metrics"])
        self.summary_text: str = result["text"]
        self.path = path
        self._owned_dir = owned_dir

    def dataset(self, group: str = "market/stocks"):
        """One group of the run log as an xarray Dataset (loaded into memory)."""
        import xarray as xr
        with xr.open_dataset(self.path, engine="h5netcdf", group=group) as ds:
            return ds.load()

    def __repr__(self) -> str:
        return f"<stampede.Run {self.scenario!r} seed {self.seed}, {self.days} days, log {self.path}>"

    def __del__(self):
        if getattr(self, "_owned_dir", None):
            shutil.rmtree(self._owned_dir, ignore_errors=True)


def run(scenario: Any = None, seed: int | None = None, threads: int = 1,
        set: Mapping[str, Any] | Iterable[str] | None = None, out: str | os.PathLike | None = None,
        progress: Callable[[int, int, str], None] | None = None, agents: Iterable[type] | None = None) -> Run:
    """Runs a scenario (see the module's doc) and returns its Run.

    out: the run log to write; None writes it to a temporary directory removed with the Run
    (read what you need through Run.dataset first). seed overrides the scenario's seed key.
    progress(days_done, days_total, date) is called after each trading day. agents: classes
    derived from stampede.Agent, each adding its scenario section's agents (docs/python.md).
    """
    specs = _kind_specs(agents)
    file, overrides = _source(scenario)
    overrides += _overrides(set)
    if seed is not None:
        overrides.append(f"seed={int(seed)}")
    owned = None
    if out is None:
        owned = tempfile.mkdtemp(prefix="stampede-")
        path = os.path.join(owned, "run.h5")
    else:
        path = os.fspath(out)
    try:
        result = _call(_stampede.run, file, overrides, path, int(threads), progress, specs)
    except BaseException:
        if owned:
            shutil.rmtree(owned, ignore_errors=True)
        raise
    return Run(result, path, owned)


# Python agents, stepping, sweeps and calibration (they use the helpers above).
from .agents import Agent, Order, Param, buy, cancel, sell, _kind_specs  # noqa: E402
from .simulation import Simulation, SimulationFinished  # noqa: E402
from .ensembles import calibration_model, ensemble, sweep  # noqa: E402
