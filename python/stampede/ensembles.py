"""Many runs from Python: stampede.sweep and stampede.ensemble (the machinery of `stampede sweep`
and `stampede ensemble`: the same plan, seeds, run ids, logs and summary, resumed the same way),
and calibration_model, a model(theta, N, seed) callable for black-it, scipy and the like.
docs/python.md describes the arguments and what comes back.
"""
from __future__ import annotations

import os
import tempfile
import tomllib
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from . import _stampede

# The daily series calibration_model returns: name -> (group, dataset, how a [day, ...] array
# becomes one number a day).
SERIES = {
    "microcap_index": ("market/index", "microcap_close", None),
    "hedged_index": ("market/index", "hedged_close", None),
    "futures_settlement_front": ("market/futures", "settlement", lambda a: a[:, 0]),
    "limit_down_count": ("market/stocks", "limit_down", lambda a: a.sum(axis=1).astype(np.float64)),
    "limit_up_count": ("market/stocks", "limit_up", lambda a: a.sum(axis=1).astype(np.float64)),
    "turnover": ("market/stocks", "turnover", lambda a: a.sum(axis=1)),
}


def _grid_axis(key: str, values: Any) -> str:
    from . import ScenarioError, _toml_value
    if isinstance(values, str):
        return f"{key}={values}"                      # "1:2:0.25" or "2,3,4", as --grid takes it
    if isinstance(values, (list, tuple, np.ndarray)):
        if len(values) == 0:
            raise ScenarioError([f"grid {key!r}: no values"])
        return f"{key}=" + ",".join(_toml_value(v.item() if isinstance(v, np.generic) else v) for v in values)
    raise ScenarioError([f"grid {key!r}: give a list of values or a range \"START:STOP[:STEP]\", not {values!r}"])


def _directory(out: str | os.PathLike | None) -> str:
    return tempfile.mkdtemp(prefix="stampede-sweep-") if out is None else os.fspath(out)


def _summary(directory: str):
    """DIR/summary.csv as a DataFrame, with each run's log path."""
    import pandas as pd
    table = pd.read_csv(os.path.join(directory, "summary.csv"), dtype={"run_id": str})
    table.insert(2, "path", [os.path.join(directory, f"run_{rid}.h5") for rid in table["run_id"]])
    table.attrs["dir"] = directory
    return table


def sweep(scenario: Any = None, grid: Mapping[str, Any] | None = None, replicates: int = 1, seed: int | None = None,
          set: Mapping[str, Any] | Iterable[str] | None = None, out: str | os.PathLike | None = None, jobs: int = 0):
    """Every point of the grid times `replicates`, as `stampede sweep`: a DataFrame with one row
    per run (its parameters, replicate, seed, status, the summary figures and its log's path).
    Runs already complete in `out` are reused. grid: {"dma.leverage": [2, 3], "days": "3:5"}."""
    from . import _call, _overrides, _source
    file, overrides = _source(scenario)
    overrides += _overrides(set)
    if seed is not None:
        overrides.append(f"seed={int(seed)}")
    grids = [_grid_axis(k, v) for k, v in (grid or {}).items()]
    directory = _directory(out)
    _call(_stampede.sweep, file, overrides, grids, int(replicates), directory, int(jobs))
    return _summary(directory)


def ensemble(scenarios: Sequence[str | os.PathLike], seeds: int | Sequence[int] = 3,
             set: Mapping[str, Any] | Iterable[str] | None = None, out: str | os.PathLike | None = None, jobs: int = 0):
    """Every scenario file on the same seeds (1..seeds, or the seeds listed), as `stampede
    ensemble`: a DataFrame with one row per run (scenario label, seed, status, the summary
    figures, its log's path); DIR/ensemble.h5 holds the daily bands and paired differences."""
    from . import ScenarioError, _call, _overrides
    files = []
    for s in scenarios:
        if not isinstance(s, (str, os.PathLike)):
            raise ScenarioError([f"ensemble scenario {s!r}: give TOML files (an ensemble labels each run by its "
                                 "file name); write a dict scenario to a file with `base = ...` first"])
        files.append(os.fspath(s))
    if isinstance(seeds, (int, np.integer)):
        seed_count, seed_list = int(seeds), ""
    else:
        seed_count, seed_list = 0, ",".join(str(int(k)) for k in seeds)
    directory = _directory(out)
    _call(_stampede.ensemble, files, _overrides(set), seed_count, seed_list, directory, int(jobs))
    return _summary(directory)


def _resolved(base: Any, set) -> dict:
    from . import check
    return tomllib.loads(check(base, set=set)["resolved_toml"])


def _lookup(table: dict, key: str):
    node = table
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def calibration_model(params: Sequence[str], series: str | Sequence[str] = "microcap_index", base: Any = None,
                      set: Mapping[str, Any] | Iterable[str] | None = None, threads: int = 1):
    """A black-it style model(theta, N, seed) -> (N, k) array: theta[i] is the value of
    params[i] (scenario keys, e.g. "dma.leverage"; integer keys get theta rounded), N the trading
    days to simulate, seed the run's seed; the columns are the daily series named (SERIES) in
    order. Same theta, N and seed: the same array, bit for bit."""
    from . import ScenarioError, _flatten, _overrides, run
    params = list(params)
    names = [series] if isinstance(series, str) else list(series)
    problems = [f"series {s!r}: not one of {', '.join(SERIES)}" for s in names if s not in SERIES]
    resolved = _resolved(base, set)
    kinds = {}
    for p in params:
        value = _lookup(resolved, p)
        if value is None or isinstance(value, dict):
            section = _lookup(resolved, p.rpartition(".")[0]) if "." in p else resolved
            known = sorted(k for k, v in section.items() if not isinstance(v, dict)) if isinstance(section, dict) else []
            problems.append(f"param '{p}': not a key of the scenario" +
                            (f"; its section has {', '.join(known)}" if known else ""))
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"param '{p}': a {type(value).__name__} key; calibration sets numbers")
        else:
            kinds[p] = type(value)
    if not params:
        problems.append("params: name at least one scenario key to calibrate")
    if problems:
        raise ScenarioError(problems)

    def model(theta, N: int, seed: int) -> np.ndarray:
        theta = np.atleast_1d(np.asarray(theta, dtype=np.float64))
        if theta.shape != (len(params),):
            raise ValueError(f"theta has {theta.size} values; the model takes {len(params)} ({', '.join(params)})")
        keys = {p: (int(round(v)) if kinds[p] is int else float(v)) for p, v in zip(params, theta)}
        keys["days"] = int(N)
        r = run(base, seed=int(seed), threads=threads, set=[*_overrides(set), *_flatten(keys)])
        import h5py
        columns = []
        with h5py.File(r.path, "r") as f:
            for s in names:
                group, dataset, reduce = SERIES[s]
                a = f[group][dataset][()]
                columns.append(reduce(a) if reduce else a)
        return np.column_stack(columns).astype(np.float64)

    model.params = params
    model.series = names
    return model

