"""Reading stampede run logs (HDF5) into the dict of arrays every figure is computed from."""
import glob
import os

import h5py
import numpy as np

from calibration.errors import InputError
from calibration.series import last_step_of_days

# /2 added coordinates to every group and the empty event tables; what is read here is in both.
SCHEMAS = ("stampede-run/1", "stampede-run/2")


def run_files(paths):
    """Every run log named or found (run_*.h5) in the directories named; InputError if none."""
    files = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(glob.glob(os.path.join(p, "run_*.h5")))
            if not found:
                raise InputError(f"{p}: a directory without run logs (run_*.h5)")
            files += found
        elif os.path.exists(p):
            files.append(p)
        else:
            raise InputError(f"{p}: no such file or directory")
    return files


def _text(v):
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _opt(f, path, fn=lambda d: d[()]):
    """The dataset at path read with fn, or None when the log does not have it."""
    return fn(f[path]) if path in f else None


def _strings(f, path):
    return _opt(f, path, lambda d: np.array([_text(x) for x in d[()]]))


def _resolved_bases(f):
    """indices.hedged_base / microcap_base of the run's resolved scenario (the index levels before
    the first step), or {} if the log or Python cannot give them."""
    try:
        import tomllib
        toml = f["meta/scenario_resolved"][()]
        idx = tomllib.loads(_text(toml)).get("indices", {})
        return {k: float(idx[k + "_base"]) for k in ("hedged", "microcap") if k + "_base" in idx}
    except Exception:   # an old log, a Python without tomllib: fall back to the first step
        return {}


def read_log(path):
    """Everything the targets use, read into memory (None for what the log lacks)."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise InputError(f"{path}: not a readable HDF5 file ({e})")
    try:
        with f:
            return _read_open_log(path, f)
    except (OSError, KeyError, ValueError, TypeError) as e:   # a torn or hand-made file
        raise InputError(f"{path}: cannot read the run log ({e})")


def _read_open_log(path, f):
    schema = _text(f.attrs.get("schema", ""))
    if schema not in SCHEMAS:
        raise InputError(f"{path}: not a stampede run log (schema {schema!r}, expected one of {', '.join(SCHEMAS)})")
    L = {"path": path, "file": os.path.basename(path), "attrs": {k: f.attrs[k] for k in f.attrs}}
    L["seed"] = int(f.attrs["seed"]) if "seed" in f.attrs else None
    L["scenario"] = _text(f.attrs.get("scenario", ""))
    L["complete"] = int(f.attrs.get("complete", 0))
    L["dates"] = _strings(f, "date")
    L["day"] = _opt(f, "day")
    L["day_of_step"] = _opt(f, "day_of_step")
    bases = _resolved_bases(f)
    for k in ("microcap", "hedged"):
        L[k + "_close"] = _opt(f, f"market/index/{k}_close", lambda d: d[()].astype(float))
        if k in bases:
            L[k + "_start"], L[k + "_start_from"] = bases[k], f"indices.{k}_base"
        elif f"market/index/{k}" in f and f[f"market/index/{k}"].shape[0] > 0:
            L[k + "_start"], L[k + "_start_from"] = float(f[f"market/index/{k}"][0]), f"market/index/{k}[0]"
        else:
            L[k + "_start"], L[k + "_start_from"] = None, None
    # Futures: only the step rows at each day's close are kept.
    L["futures_code"] = _opt(f, "market/futures/code", lambda d: d.asstr()[()])
    L["basis_close"] = L["oi_close"] = None
    if L["day_of_step"] is not None and L["day"] is not None and "market/futures/basis_annualised" in f:
        rows = last_step_of_days(L["day_of_step"], L["day"])
        b = f["market/futures/basis_annualised"][()]
        L["basis_close"] = np.where(rows[:, None] >= 0, b[np.maximum(rows, 0)], np.nan) if len(b) else None
        if "market/futures/open_interest" in f and L["basis_close"] is not None:
            oi = f["market/futures/open_interest"][()].astype(float)
            L["oi_close"] = np.where(rows[:, None] >= 0, oi[np.maximum(rows, 0)], np.nan)
    L["limit_down"] = _opt(f, "market/stocks/limit_down")
    L["segment"] = _opt(f, "market/stocks/segment")
    L["segment_names"] = _strings(f, "segment")
    if L["segment_names"] is None and "market/stocks/segment" in f:
        meanings = f["market/stocks/segment"].attrs.get("flag_meanings")
        L["segment_names"] = np.array(_text(meanings).split()) if meanings is not None else None
    # Agents.
    L["agent_classes"] = _strings(f, "agent_class")
    L["agent_class"] = _opt(f, "agents/daily/agent_class")
    L["agent_id"] = _opt(f, "agents/daily/agent_id")
    L["nav"] = _opt(f, "agents/daily/nav")
    L["equity"] = _opt(f, "agents/daily/equity")
    # Events (each dataset exists only once an event of its kind happened).
    L["has_events"] = "events" in f
    ev = f["events"] if "events" in f else {}
    L["redemption_requests"] = ev["redemption_requests"][()] if "redemption_requests" in ev else None
    L["liquidations"] = ev["liquidations"][()] if "liquidations" in ev else None
    return L
