"""The targets file of `stampede calibrate` (docs/calibrate.md, "Targets file"): [[moment]] tables
read and checked, every problem named with the file and line.

    [[moment]]
    name = "microcap_return"              # a moment of tools/calibration/moments.py
    window = ["2024-01-02", "2024-01-31"] # optional: first and last trading day (default: the run)
    target = -0.213                       # a number, or a date for date moments
    tolerance = 0.03                      # > 0, in the moment's unit (days for a date)
    weight = 1.0                          # optional, >= 0 (default 1)
"""
import datetime
import difflib
import re
import tomllib

from calibration.moments import MOMENTS, date_number

KEYS = ("name", "window", "target", "tolerance", "weight")


class TargetSpec:
    """One moment to fit: the moment's name, its window (None: the whole run), target, tolerance,
    weight, and the line of its [[moment]] header."""

    def __init__(self, name, window, target, tolerance, weight, line):
        self.name, self.window, self.target = name, window, target
        self.tolerance, self.weight, self.line = tolerance, weight, line

    @property
    def label(self):
        """The moment's column name: 'microcap_return' or 'microcap_return[2024-01-02..2024-01-31]'."""
        return self.name if self.window is None else f"{self.name}[{self.window[0]}..{self.window[1]}]"

    def as_dict(self):
        return {"name": self.name, "window": list(self.window) if self.window else None, "target": self.target,
                "tolerance": self.tolerance, "weight": self.weight}


def _lines_of_tables(text):
    """Line (1-based) of each [[moment]] header, and for each, {key: line} of its keys."""
    headers, keys = [], []
    for i, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if re.match(r"\[\[\s*moment\s*\]\]", s):
            headers.append(i)
            keys.append({})
        elif re.match(r"\[", s):
            headers.append(None)   # another table: keys below it are not a moment's
            keys.append({})
        else:
            m = re.match(r"([A-Za-z0-9_\-]+)\s*=", s)
            if m and keys:
                keys[-1].setdefault(m.group(1), i)
    return [(h, k) for h, k in zip(headers, keys) if h is not None]


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _iso_date(x):
    """An ISO date from a TOML date or a 'YYYY-MM-DD' string, else None."""
    if isinstance(x, datetime.date) and not isinstance(x, datetime.datetime):
        return x.isoformat()
    if isinstance(x, str):
        try:
            return datetime.date.fromisoformat(x).isoformat()
        except ValueError:
            return None
    return None


def read_targets(path, trading_dates):
    """[TargetSpec] from the file, or raise ValueError with every problem ('FILE:LINE: ...')
    in its args[0] (a list). trading_dates: the run's trading days (ISO), for the windows."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as e:
        raise ValueError([f"{path}: cannot read the targets file ({e.strerror})"])
    text = raw.decode("utf-8", "replace")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        line = m.group(1) if m else max(1, len(text.splitlines()))   # "at end of document"
        raise ValueError([f"{path}:{line}: not valid TOML ({e})"])
    problems = []
    for k in doc:
        if k != "moment":
            problems.append(f"{path}:{_key_line(text, k)}: unknown key '{k}'; a targets file holds [[moment]] tables "
                            "only")
    tables = doc.get("moment", [])
    if not isinstance(tables, list) or not tables:
        problems.append(f"{path}:1: no [[moment]] table: name at least one moment to fit")
        raise ValueError(problems)
    lines = _lines_of_tables(text)
    specs, seen = [], {}
    for i, t in enumerate(tables):
        head, key_lines = lines[i] if i < len(lines) else (1, {})
        spec = _read_table(path, t, head, key_lines, trading_dates, problems)
        if spec is None:
            continue
        if spec.label in seen:
            problems.append(f"{path}:{head}: moment {spec.label} is already targeted on line {seen[spec.label]}")
            continue
        seen[spec.label] = head
        specs.append(spec)
    if problems:
        raise ValueError(problems)
    return specs


def _key_line(text, key):
    for i, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*\[?\[?\s*{re.escape(key)}\b", line):
            return i
    return 1


def _read_table(path, t, head, key_lines, trading_dates, problems):
    n_before = len(problems)

    def bad(key, msg):
        problems.append(f"{path}:{key_lines.get(key, head)}: {msg}")

    for k in t:
        if k not in KEYS:
            close = difflib.get_close_matches(k, KEYS, 1)
            bad(k, f"unknown key '{k}' in a [[moment]]" + (f" (did you mean '{close[0]}'?)" if close else "") +
                f"; allowed: {', '.join(KEYS)}")
    name = t.get("name")
    moment = None
    if name is None:
        bad("name", "[[moment]] without a name")
    elif not isinstance(name, str) or name not in MOMENTS:
        close = difflib.get_close_matches(str(name), list(MOMENTS), 1)
        bad("name", f"unknown moment '{name}'" + (f" (did you mean '{close[0]}'?)" if close else "") +
            "; the moments are listed in docs/calibrate.md and by tools/calibrate.py --list-moments")
    else:
        moment = MOMENTS[name]
    window = _read_window(t.get("window"), moment, trading_dates, lambda msg: bad("window", msg))
    target = t.get("target")
    if target is None:
        bad("target", "[[moment]] without a target")
    elif moment is not None and moment.is_date:
        iso = _iso_date(target)
        if iso is None:
            bad("target", f"{name} is a date: target must be a date (2024-02-05 or \"2024-02-05\"), got {target!r}")
        target = date_number(iso) if iso else None
    elif not _is_number(target):
        bad("target", f"target must be a number, got {target!r}")
        target = None
    tolerance = t.get("tolerance")
    if tolerance is None:
        bad("tolerance", "[[moment]] without a tolerance (> 0, in the moment's unit; days for a date)")
    elif not _is_number(tolerance) or not tolerance > 0:
        bad("tolerance", f"tolerance must be a number > 0, got {tolerance!r}")
    weight = t.get("weight", 1.0)
    if not _is_number(weight) or weight < 0:
        bad("weight", f"weight must be a number >= 0, got {weight!r}")
    if len(problems) > n_before:
        return None
    return TargetSpec(name, window, float(target), float(tolerance), float(weight), head)


def _read_window(w, moment, trading_dates, bad):
    """(first, last) ISO dates, checked against the run's trading days; None for the whole run."""
    if w is None:
        days = len(trading_dates)
        if moment is not None and days < moment.min_days:
            bad(f"the run has {days} trading day(s), {moment.name} needs {moment.min_days}")
        return None
    if not isinstance(w, list) or len(w) != 2 or any(_iso_date(x) is None for x in w):
        bad(f"window must be two dates [first, last], e.g. [\"2024-01-02\", \"2024-01-31\"], got {w!r}")
        return None
    first, last = (_iso_date(x) for x in w)
    if first > last:
        bad(f"window {first}..{last}: the first date is after the last")
        return None
    if trading_dates:
        if first < trading_dates[0] or last > trading_dates[-1]:
            bad(f"window {first}..{last} is not inside the run's trading days {trading_dates[0]}..{trading_dates[-1]}")
            return None
        inside = sum(1 for d in trading_dates if first <= d <= last)
        if moment is not None and inside < moment.min_days:
            bad(f"window {first}..{last} has {inside} trading day(s), {moment.name} needs {moment.min_days}")
            return None
    return (first, last)
