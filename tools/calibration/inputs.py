"""Checking the input of `stampede calibrate` before anything is written: the --param bounds (the
sweep grid's KEY=START:STOP spelling, each bound checked against the key's range by `stampede
check`), the scenario, the targets file and a directory to resume. Every problem is collected;
the caller prints them all and exits 2."""
import datetime
import hashlib
import json
import math
import os
import re
import subprocess
import tomllib

from calibration.moment_targets import read_targets

CONFIG_FILE = "calibration.json"


class Param:
    """A fitted key: its bounds and whether the scenario holds it as an integer."""

    def __init__(self, key, lo, hi, arg):
        self.key, self.lo, self.hi, self.arg = key, lo, hi, arg
        self.integer = False

    def value(self, u):
        """The key's value text at u in [0, 1], rounded to the power of ten nearest below 1/10000 of
        the range (so points of the search closer than that are the same run, and best.toml reads
        well); whole for an integer key."""
        x = self.lo + u * (self.hi - self.lo)
        if self.integer:
            return str(int(round(x)))
        quantum = 10.0 ** math.floor(math.log10((self.hi - self.lo) / 10000))
        return repr(float(f"{round(x / quantum) * quantum:.12g}"))

    def as_dict(self):
        return {"key": self.key, "low": self.lo, "high": self.hi, "integer": self.integer}


def parse_param(arg, problems):
    """KEY=LO:HI, the inclusive range of `stampede sweep --grid` without a step."""
    where = f"--param {arg}"
    if "=" not in arg:
        problems.append(f"{where}: expected KEY=LOW:HIGH, e.g. fundamentals.size_drift_annual=-2:-1")
        return None
    key, rng = arg.split("=", 1)
    parts = rng.split(":")
    if not key or len(parts) != 2:
        problems.append(f"{where}: expected KEY=LOW:HIGH (two bounds, no step: the search is continuous)")
        return None
    try:
        lo, hi = float(parts[0]), float(parts[1])
    except ValueError:
        problems.append(f"{where}: the bounds must be numbers, got '{parts[0]}' and '{parts[1]}'")
        return None
    if not lo < hi:
        problems.append(f"{where}: the low bound must be below the high bound")
        return None
    return Param(key, lo, hi, arg)


def _check(exe, scenario, sets):
    r = subprocess.run([exe, "check", scenario, *[a for s in sets for a in ("--set", s)]], capture_output=True,
                       text=True)
    # `check` prints the run's resource estimate on stderr ("estimated: ..."): not a problem
    lines = [ln[len("error: "):] if ln.startswith("error: ") else ln for ln in r.stderr.splitlines()
             if ln.strip() and not ln.startswith("estimated: ")]
    return r.returncode, r.stdout, lines


def _bound_text(x):
    """A bound as `--set` text: whole numbers without a decimal point (valid for integer keys)."""
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(x)


def trading_dates(resolved):
    """The run's trading days: weekdays from start_date, holidays skipped, `days` of them (the
    calendar of sim/market/calendar.cpp; every log is checked against it)."""
    start = datetime.date.fromisoformat(str(resolved["start_date"]))
    holidays = {str(h) for h in resolved.get("holidays", [])}
    out, d = [], start
    while len(out) < int(resolved["days"]):
        if d.weekday() < 5 and d.isoformat() not in holidays:
            out.append(d.isoformat())
        d += datetime.timedelta(days=1)
    return out


def lookup(resolved, key):
    node = resolved
    for part in key.split("."):
        node = node[part]
    return node


def check_scenario_and_params(exe, scenario, sets, params, problems):
    """Checks the scenario with --set, then each bound against its key's range (two `stampede
    check` runs: every low bound, every high bound). Returns (resolved TOML dict, its text) of the
    scenario without the fitted keys, or (None, None) if it is invalid."""
    code, text, errs = _check(exe, scenario, sets)
    if code != 0:
        problems.extend(errs or [f"{scenario}: stampede check failed (exit {code})"])
        return None, None
    resolved = tomllib.loads(text)
    seen = set()
    for which in ("low", "high"):
        bound_sets = [f"{p.key}={_bound_text(p.lo if which == 'low' else p.hi)}" for p in params]
        code, _, errs = _check(exe, scenario, sets + bound_sets)
        for e in errs:
            for p, s in zip(params, bound_sets):
                if e.startswith(f"--set {s}:"):
                    e = f"--param {p.arg}: {which} bound: " + e[len(f"--set {s}:"):].strip()
                    e = e.replace(f"{which} bound: unknown key", "unknown key")
                    break
            if "unknown key" in e and e in seen:
                continue
            seen.add(e)
            problems.append(e)
    for p in params:
        try:
            v = lookup(resolved, p.key)
        except (KeyError, TypeError):
            continue   # named by stampede check as an unknown key
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            problems.append(f"--param {p.arg}: key '{p.key}' is not a number ({type(v).__name__}): it cannot be fitted")
        p.integer = isinstance(v, int) and not isinstance(v, bool)
        if p.integer and (p.lo != int(p.lo) or p.hi != int(p.hi)):
            problems.append(f"--param {p.arg}: key '{p.key}' is an integer: its bounds must be whole numbers")
    return resolved, text


def config_of(args, resolved_text, params, specs):
    """What a calibration directory is for: a rerun with other values is refused (--budget and -j
    may change)."""
    return {"schema": "stampede-calibrate/1", "scenario": os.path.abspath(args.scenario),
            "scenario_resolved_sha256": hashlib.sha256(resolved_text.encode()).hexdigest(),
            "set": list(args.set), "params": [p.as_dict() for p in params], "seeds": args.seeds,
            "targets": [s.as_dict() for s in specs],
            # Only when not the default, so directories made before --loss existed still resume.
            **({"loss": args.loss} if args.loss != "mean" else {})}


def check_output_dir(outdir, config, problems):
    """A new directory (its parent must exist), or one made by the same calibration (resumed)."""
    if os.path.isdir(outdir):
        path = os.path.join(outdir, CONFIG_FILE)
        if not os.path.exists(path):
            if os.listdir(outdir):
                problems.append(f"-o {outdir}: a directory that holds no calibration ({CONFIG_FILE}): name a new one")
            return
        try:
            with open(path) as fh:
                saved = json.load(fh)
        except (OSError, ValueError) as e:
            problems.append(f"{path}: unreadable ({e}): name a new -o directory")
            return
        if config is None:
            return
        for k in [*config, *(k for k in saved if k not in config)]:
            if saved.get(k) != config.get(k):
                problems.append(f"-o {outdir}: made by a calibration with another {k.replace('_', ' ')} "
                                f"({json.dumps(saved.get(k))[:200]}); a rerun resumes only with the same scenario, "
                                "--set, --param, --seeds, --loss and targets: name a new -o directory")
    elif os.path.exists(outdir):
        problems.append(f"-o {outdir}: exists and is not a directory")
    else:
        parent = os.path.dirname(os.path.abspath(outdir))
        if not os.path.isdir(parent):
            problems.append(f"-o {outdir}: its parent directory {parent} does not exist")
        elif not os.access(parent, os.W_OK):
            problems.append(f"-o {outdir}: its parent directory {parent} is not writable")


def check_all(args, exe):
    """(problems, params, specs, resolved scenario, trading dates, config)."""
    problems = []
    if args.seeds < 1:
        problems.append(f"--seeds {args.seeds}: at least 1 seed")
    if args.budget < 1:
        problems.append(f"--budget {args.budget}: at least 1 evaluation")
    if args.jobs < 0:
        problems.append(f"-j {args.jobs}: 0 (one per core) or more")
    params, keys = [], {}
    for a in args.param:
        p = parse_param(a, problems)
        if p is None:
            continue
        if p.key in keys:
            problems.append(f"--param {a}: key '{p.key}' is already fitted by --param {keys[p.key]}")
            continue
        if any(re.match(rf"{re.escape(p.key)}\s*=", s) for s in args.set):
            problems.append(f"--param {a}: key '{p.key}' is also set by --set: fit it or set it, not both")
            continue
        keys[p.key] = a
        params.append(p)
    if not args.param:
        problems.append("--param KEY=LOW:HIGH: name at least one key to fit")
    for s in args.set:
        if "=" not in s:
            problems.append(f"--set {s}: expected KEY=VALUE")
    resolved, text = (None, None)
    if all("=" in s for s in args.set):
        resolved, text = check_scenario_and_params(exe, args.scenario, list(args.set), params, problems)
    dates = trading_dates(resolved) if resolved is not None else []
    specs = []
    try:
        specs = read_targets(args.targets, dates)
    except ValueError as e:
        problems.extend(e.args[0])
    config = config_of(args, text, params, specs) if resolved is not None and not problems else None
    check_output_dir(args.output, config, problems)
    return problems, params, specs, resolved, dates, config
