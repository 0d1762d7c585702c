"""Reading a stampede run log for the report: class Run (what the figures need, read once; missing
parts are None or empty), the resolved scenario's keys, and the main futures contract."""
import json
import os
import re
import tomllib

import numpy as np

try:
    import h5py
except ImportError:  # pragma: no cover
    raise SystemExit("report.py needs h5py (Debian: apt-get install python3-h5py)")

from calibration.measures import last_step_of_days, main_contract_slots

from .common import InputError

pd = None


def _load_pandas():
    global pd
    if pd is None:
        import pandas
        pd = pandas


SCHEMA_PREFIX = "stampede-run/"
DMA, NEUTRAL = "dma_account", "neutral_fund"


def _text(x):
    return x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x)


def read_registry(f, table):
    """/meta/<table> of an open log (event_kinds, agent_classes, summary_metrics: a JSON array of
    records with name, label, units or the like, and doc; docs/hdf5-schema.md) as {name: record}
    in the file's order; {} for a log written before the registries, or one whose table is unreadable."""
    p = f"meta/{table}"
    if p not in f:
        return {}
    try:
        records = json.loads(f[p].asstr()[()])
        return {r["name"]: r for r in records if isinstance(r, dict) and "name" in r}
    except (ValueError, TypeError, KeyError):
        return {}


class Run:
    """What the report needs from one run log, read once; missing parts are None or empty."""

    def __init__(self, path, label=None):
        self.path = path
        if not os.path.exists(path):
            raise InputError(f"{path}: no such file")
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory, not a run log")
        try:
            f = h5py.File(path, "r")
        except OSError as e:
            raise InputError(f"{path}: not an HDF5 file, so not a stampede run log ({e})") from None
        with f:
            schema = _text(f.attrs.get("schema", ""))
            if not schema.startswith(SCHEMA_PREFIX):
                raise InputError(f"{path}: not a stampede run log (root attribute schema is "
                                 f"{schema!r}, expected '{SCHEMA_PREFIX}1' or '{SCHEMA_PREFIX}2')")
            _load_pandas()
            self._read(f)
        self.label = label or self.scenario

    def _read(self, f):
        a = f.attrs
        self.attrs = {k: (_text(v) if isinstance(v, (bytes, str)) else v) for k, v in a.items()}
        self.schema = _text(a["schema"])
        self.scenario = _text(a.get("scenario", os.path.basename(self.path)))
        self.complete = int(a.get("complete", 0)) == 1
        self.seed = int(a["seed"]) if "seed" in a else None
        self.steps_per_day = int(a.get("steps_per_day", 0)) or None
        self.summary = {k[len("summary_"):]: float(v) for k, v in a.items() if k.startswith("summary_")}

        def get(path, default=None):
            return f[path][:] if path in f else default

        def strings(path):
            return list(f[path].asstr()[:]) if path in f else []

        self.dates = pd.to_datetime(strings("date")) if "date" in f else pd.DatetimeIndex([])
        self.n_days = len(self.dates)
        self.step = get("step", np.zeros(0, np.int64))
        self.day_of_step = get("day_of_step", np.zeros(0, np.int32))
        self.day = get("day", np.zeros(0, np.int32))
        self.stocks = strings("stock")
        self.segment_names = strings("segment") or ["microcap", "constituent", "large_cap"]
        self.stock_segment = get("market/stocks/segment")
        self.hedged = get("market/index/hedged")
        self.microcap = get("market/index/microcap")
        self.hedged_close = get("market/index/hedged_close")
        self.microcap_close = get("market/index/microcap_close")
        self.fut_price = get("market/futures/price")
        self.fut_basis_ann = get("market/futures/basis_annualised")
        self.fut_volume = get("market/futures/volume")
        self.fut_oi = get("market/futures/open_interest")
        self.fut_main_slot = get("market/futures/main_slot")   # [day]; None in logs written before it
        self.fut_code = [list(r) for r in f["market/futures/code"].asstr()[:]] if "market/futures/code" in f else []
        self.limit_down = get("market/stocks/limit_down")   # uint8 in the file: count in int64
        self.limit_up = get("market/stocks/limit_up")
        if self.limit_down is not None:
            self.limit_down = self.limit_down.astype(np.int64)
        if self.limit_up is not None:
            self.limit_up = self.limit_up.astype(np.int64)
        self.close = get("market/stocks/close")
        self.open = get("market/stocks/open")
        self.value = get("market/stocks/value")       # latent fundamental value at the close
        self.limit_pct = get("market/stocks/limit_pct")
        self.liquidity_recorded = get("market/stocks/liquidity_recorded")
        self.has_liquidity = "market/stocks/bid_depth_2pct" in f and "market/stocks/limit_down_queue" in f
        self.step_minute = get("step_minute")          # clock minute of each step of a day
        self.fut_long = get("agents/futures/long")     # [day, class, slot] contracts
        self.fut_short = get("agents/futures/short")
        self.fut_slots = strings("agents/futures/futures_slot") or strings("futures_slot")
        # present in every log, but all NaN when the run did not record step prices
        self.last_price = get("market/stocks/last_price") if int(f.attrs.get("record_step_prices", 1)) == 1 else None
        self.classes = strings("agent_class")
        self.class_steps = {k: get(f"agents/classes/{k}") for k in
                            ("nav", "equity", "gross_long", "leverage", "accounts", "in_margin_call", "liquidating")}
        self.daily_class = get("agents/daily/agent_class", np.zeros(0, np.int32))
        self.daily_nav = get("agents/daily/nav")
        self.daily_equity = get("agents/daily/equity")
        self.daily_leverage = get("agents/daily/leverage")
        self.flows = {k: get(f"agents/flows/{k}") for k in ("sell_forced", "sell_voluntary", "sell_aggressive", "buy")}
        self.flow_classes = strings("agents/flows/agent_class") or self.classes
        self.events = {}
        if "events" in f:
            for kind in f["events"]:
                df = pd.DataFrame(f["events"][kind][:])
                for c in ("agent_class", "reason"):
                    if c in df:
                        df[c] = df[c].str.decode("utf-8", "replace")
                self.events[kind] = df
        # The log's own names, labels and units ({} in logs written before them): class_label,
        # event_label and metric_label read these.
        self.event_kinds = read_registry(f, "event_kinds")
        self.class_info = read_registry(f, "agent_classes")
        self.metric_info = read_registry(f, "summary_metrics")
        self.scenario_toml = _text(f["meta/scenario_toml"].asstr()[()]) if "meta/scenario_toml" in f else ""
        self.scenario_resolved = (_text(f["meta/scenario_resolved"].asstr()[()])
                                  if "meta/scenario_resolved" in f else "")
        self.params = parse_resolved(self.scenario_resolved)
        try:
            self.days_planned = int(self.params.get(("", "days"), (None,))[0])
        except (TypeError, ValueError):
            self.days_planned = None
        self._positions()

    def _positions(self):
        """x position of every step: trading-day row + fraction of the day (days are 0, 1, 2, ...)."""
        n = len(self.step)
        if n == 0 or len(self.day) == 0:
            self.x_step = np.zeros(0)
            return
        row = np.clip(np.searchsorted(self.day, self.day_of_step), 0, len(self.day) - 1)
        first = np.zeros(n, dtype=np.int64)
        starts = np.r_[0, np.flatnonzero(np.diff(row)) + 1]
        for s, e in zip(starts, np.r_[starts[1:], n]):
            first[s:e] = self.step[s]
        per_day = self.steps_per_day or max(1, int(np.max(np.bincount(row))))
        self.x_step = row + (self.step - first) / per_day
        self.x_step = self.x_step[:n]

    # -- read on demand (the per-step liquidity arrays are too big to hold whole)

    def read(self, path, rows=slice(None), cols=None):
        """Part of a dataset of the log: rows (a slice) and columns (increasing indices), or None
        when the log has no such dataset."""
        with h5py.File(self.path, "r") as f:
            if path not in f:
                return None
            d = f[path]
            if cols is None:
                return d[rows]
            cols = np.asarray(cols, dtype=np.int64)
            return d[rows, cols] if len(cols) else np.zeros((len(range(*rows.indices(d.shape[0]))), 0), d.dtype)

    def day_returns(self, what="microcap"):
        """Close-to-close return of an index for every day (the first day against its first step)."""
        close, steps = (self.microcap_close, self.microcap) if what == "microcap" else (self.hedged_close, self.hedged)
        if not self.has(close) or not self.has(steps):
            return None
        prev = np.r_[steps[0], close[:-1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            return close / prev - 1.0

    def worst_day(self):
        """Row of the day with the worst microcap index return (the hedged index's, then the median
        stock's when it is missing), or None."""
        r = self.day_returns("microcap")
        if r is None:
            r = self.day_returns("hedged")
        if r is None and self.has(self.close) and self.close.shape[0] > 1:
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.r_[np.nan, np.nanmedian(self.close[1:] / self.close[:-1] - 1.0, axis=1)]
        if r is None or not np.isfinite(r).any():
            return None
        return int(np.nanargmin(r))

    def crash_window(self, before=2, after=3):
        """(first, last) day rows around the worst day (every day of a short run)."""
        w = self.worst_day()
        if w is None or self.n_days <= before + after + 3:
            return 0, max(self.n_days - 1, 0)
        return max(0, w - before), min(self.n_days - 1, w + after)

    def step_rows_of_days(self, first, last):
        """slice of the step arrays covering day rows first..last."""
        if len(self.day_of_step) == 0 or self.n_days == 0:
            return slice(0, 0)
        lo = np.searchsorted(self.day_of_step, self.day[first], side="left")
        hi = np.searchsorted(self.day_of_step, self.day[last], side="right")
        return slice(int(lo), int(hi))

    # -- derived series

    def class_label(self, name):
        """An agent class's label as the log gives it ("DMA accounts"); its name in older logs."""
        return self.class_info.get(name, {}).get("label") or name

    def event_label(self, kind):
        """An event kind's label as the log gives it ("margin calls"); its name in older logs."""
        return self.event_kinds.get(kind, {}).get("label") or kind

    def metric_label(self, name):
        """A summary measure's label as the log gives it; for older logs the report's own
        (html.METRIC_LABELS), else the name spelt out."""
        from .html import METRIC_LABELS
        return self.metric_info.get(name, {}).get("label") or METRIC_LABELS.get(name, name.replace("_", " "))

    def class_index(self, name):
        return self.classes.index(name) if name in self.classes else None

    def has(self, *arrays):
        return all(a is not None and np.size(a) > 0 for a in arrays)

    def close_rows(self):
        """Row of each trading day's last step in the step arrays (-1 for a day without steps)."""
        return last_step_of_days(self.day_of_step, self.day)

    def at_close(self, per_step):
        """A [step, ...] array at each day's last step ([day, ...]; NaN for a day without steps)."""
        rows = self.close_rows()
        x = np.asarray(per_step, dtype=float)[np.maximum(rows, 0)]
        x[rows < 0] = np.nan
        return x

    def main_basis_close(self):
        """(annualised basis of the main contract at each day's close, its slot, its code) or None.
        The main contract is the slot with the most open interest at the close: the engine records
        it per day (/market/futures/main_slot); logs written before that get it from the open
        interest by calibration.measures.main_contract_slots, the same rule (the front when no
        contract has open interest)."""
        if not self.has(self.fut_basis_ann) or self.n_days == 0 or len(self.day_of_step) == 0:
            return None
        basis = self.at_close(self.fut_basis_ann)
        if self.has(self.fut_main_slot) and len(self.fut_main_slot) == self.n_days:
            slot = np.asarray(self.fut_main_slot, int)
        elif self.has(self.fut_oi):
            slot = main_contract_slots(self.at_close(self.fut_oi))
        else:   # an old log without open interest: the front contract
            slot = np.zeros(self.n_days, int)
        codes = [self.fut_code[d][k] if d < len(self.fut_code) and k < len(self.fut_code[d]) else ""
                 for d, k in enumerate(slot)]
        return basis[np.arange(self.n_days), slot], slot, codes

    def daily_counts(self, kind, reason=None, prefix=None):
        """Events of a kind per trading day (optionally only one reason or a reason prefix)."""
        out = np.zeros(self.n_days)
        df = self.events.get(kind)
        if df is None or len(df) == 0 or self.n_days == 0:
            return out
        if reason is not None:
            df = df[df["reason"] == reason]
        if prefix is not None:
            df = df[df["reason"].str.startswith(prefix)]
        rows = np.searchsorted(self.day, df["day"].to_numpy())
        rows = rows[(rows >= 0) & (rows < self.n_days)]
        np.add.at(out, rows, 1)
        return out

    def incomplete_note(self):
        if self.complete:
            return None
        planned = f" of {self.days_planned}" if self.days_planned else ""
        return (f"This run did not finish (root attribute complete = 0): {self.n_days}{planned} trading days "
                f"were written; the summary attributes are missing and the figures stop at the last day written.")


def parse_resolved(text):
    """{(section, key): (value, comment)} from the resolved scenario TOML (its comments carry units
    and meanings). Values are parsed with tomllib; a line it cannot parse keeps its text."""
    out = {}
    section = ""
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        m = re.match(r"^\[([^\]]+)\]", s)
        if m:
            section = m.group(1).strip()
            continue
        m = re.match(r"^([A-Za-z0-9_\-\.]+)\s*=\s*(.*)$", s)
        if not m:
            continue
        key, rest = m.group(1), m.group(2)
        value_text, comment = rest, ""
        for cut in [i.start() for i in re.finditer(r"\s#", rest)]:
            try:
                value = tomllib.loads("v = " + rest[:cut])["v"]
            except tomllib.TOMLDecodeError:
                continue
            value_text, comment = rest[:cut], rest[cut:].strip()[1:].strip()
            break
        else:
            try:
                value = tomllib.loads("v = " + rest)["v"]
            except tomllib.TOMLDecodeError:
                value = rest
        out[(section, key)] = (value, comment)
        del value_text
    return out


def overrides_of(text):
    return [line[len("# --set "):].strip() for line in text.splitlines() if line.startswith("# --set ")]


