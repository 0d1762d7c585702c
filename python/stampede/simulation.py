"""stampede.Simulation: a run stepped from Python, with read-only looks at the market between steps.

    sim = stampede.Simulation(set={"days": 3}, seed=1)
    sim.run_days(1)                       # or sim.step(): one step (5 minutes of the default session)
    sim.close                             # today's closes in yuan (a copy); sim.day_ticks("close") is a view
    sim.book("S00001", levels=5)          # the top of a stock's book
    run = sim.finish()                    # the rest of the run: the same Run stampede.run returns

The steps are the engine's own loop (sim/engine/run.hpp, SteppedRun), the one `stampede run` runs,
recorder included: a run stepped to its end writes the log `stampede run` writes, bit for bit.
Which results are views into the simulation and which are copies: docs/python.md.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any, Iterable, Mapping

import numpy as np

from . import _stampede

NO_PRICE = np.iinfo(np.int32).min   # the engine's kNoPrice: no trade yet, no close yet
DAY_FIELDS = ("prev_close", "open", "high", "low", "last", "close", "volume", "turnover")


class SimulationFinished(RuntimeError):
    """A step was asked of a simulation past its last trading day, or already finished or closed."""


def _yuan(ticks: np.ndarray) -> np.ndarray:
    """Stock ticks (0.01 yuan) as yuan, NaN where there is no price (a copy)."""
    out = ticks.astype(np.float64) / 100.0
    out[ticks == NO_PRICE] = np.nan
    return out


class Simulation:
    """A scenario run one step at a time (docs/python.md, "Step a simulation").

    Arguments are stampede.run's: scenario (None, a TOML path or a dict), seed, threads, set, out
    (None: a temporary log, removed with the Run that finish() returns, or with this object),
    agents (Python agent classes, docs/python.md).
    """

    def __init__(self, scenario: Any = None, seed: int | None = None, threads: int = 1,
                 set: Mapping[str, Any] | Iterable[str] | None = None, out: str | os.PathLike | None = None,
                 agents: Iterable[type] | None = None):
        from . import _call, _kind_specs, _overrides, _source   # the package's helpers (stampede/__init__.py)
        specs = _kind_specs(agents)
        file, overrides = _source(scenario)
        overrides += _overrides(set)
        if seed is not None:
            overrides.append(f"seed={int(seed)}")
        self._owned_dir = None
        if out is None:
            self._owned_dir = tempfile.mkdtemp(prefix="stampede-")
            self.path = os.path.join(self._owned_dir, "run.h5")
        else:
            self.path = os.fspath(out)
        try:
            self._sim = _call(_stampede.SteppedSimulation, file, overrides, self.path, int(threads), specs)
        except BaseException:
            self._remove_owned_dir()
            raise
        self.stock_names: list[str] = self._sim.stock_names()
        self._stock_index = {name: i for i, name in enumerate(self.stock_names)}
        self.agent_kinds: list[str] = self._sim.agent_kinds()
        self._run = None

    # ---- the clock ----------------------------------------------------------------------------
    @property
    def day(self) -> int:
        """Trading days done (the index of the day the next step belongs to)."""
        return self._sim.clock()["days_done"]

    @property
    def days_total(self) -> int:
        return self._sim.clock()["days_total"]

    @property
    def step_index(self) -> int:
        """Steps made since the start (the run log's `step`)."""
        return self._sim.clock()["step"]

    @property
    def step_in_day(self) -> int:
        """Steps made in the day under way (0 between days)."""
        return self._sim.clock()["step_in_day"]

    @property
    def steps_per_day(self) -> int:
        return self._sim.clock()["steps_per_day"]

    @property
    def date(self) -> str:
        """ISO date of the day the next step belongs to (the last day once all are done)."""
        return self._sim.clock()["date"]

    @property
    def finished(self) -> bool:
        """Every trading day is done (finish() then only writes the summary)."""
        return self._sim.clock()["finished"]

    @property
    def threads(self) -> int:
        return self._sim.threads

    # ---- stepping -----------------------------------------------------------------------------
    def _check_can_step(self, what: str) -> dict:
        if self._sim.ended:
            raise SimulationFinished(f"{what}: the simulation was finished or stopped; make a new Simulation")
        clock = self._sim.clock()
        if clock["finished"]:
            raise SimulationFinished(f"{what}: all {clock['days_total']} trading days are done; "
                                     "sim.finish() returns the Run")
        return clock

    def step(self) -> bool:
        """Makes one step; True when it closed a trading day."""
        clock = self._check_can_step("step()")
        self._sim.advance(0, 1)
        return self._sim.clock()["days_done"] > clock["days_done"]

    def run_steps(self, n: int) -> int:
        """Makes n steps (fewer if the run ends first); returns the steps made."""
        if int(n) < 1:
            raise ValueError(f"run_steps({n}): give a number of steps of at least 1")
        self._check_can_step(f"run_steps({n})")
        return self._sim.advance(0, int(n))

    def run_days(self, n: int = 1) -> int:
        """Steps until n more trading days have closed (a day under way counts as the first);
        returns the steps made. Ctrl-C stops after the day under way (KeyboardInterrupt); the
        simulation can go on stepping."""
        clock = self._check_can_step(f"run_days({n})")
        left = clock["days_total"] - clock["days_done"]
        if int(n) < 1 or int(n) > left:
            raise ValueError(f"run_days({n}): {left} of the {clock['days_total']} trading days are left; "
                             f"give 1..{left}")
        return self._sim.advance(int(n), 0)

    def finish(self):
        """Runs the days left, writes the summary and closes the log; returns the Run, as
        stampede.run does (the same log, bit for bit)."""
        from . import Run
        if self._run is not None:
            return self._run
        if self._sim.ended:
            raise SimulationFinished("finish(): the simulation was stopped before its end; make a new Simulation")
        if not self._sim.clock()["finished"]:
            self._sim.advance(0, 0)
        result = self._sim.finish()
        self._run = Run(result, self.path, self._owned_dir)
        self._owned_dir = None   # the Run removes it now
        return self._run

    run_to_end = finish

    def stop(self) -> None:
        """Ends here, without the days left: the log is closed incomplete (complete = 0)."""
        if not self._sim.ended:
            self._sim.finish()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def __del__(self):
        sim = getattr(self, "_sim", None)
        if sim is not None and not sim.ended:
            try:
                sim.finish()
            except Exception:
                pass
        self._remove_owned_dir()

    def _remove_owned_dir(self):
        if getattr(self, "_owned_dir", None):
            shutil.rmtree(self._owned_dir, ignore_errors=True)
            self._owned_dir = None

    def __repr__(self) -> str:
        c = self._sim.clock()
        return (f"<stampede.Simulation day {c['days_done']}/{c['days_total']} ({c['date']}), "
                f"step {c['step']}, log {self.path}>")

    # ---- prices -------------------------------------------------------------------------------
    def stock(self, stock: int | str) -> int:
        """A stock's index from its name ("S00001") or index, checked."""
        if isinstance(stock, (int, np.integer)):
            if 0 <= int(stock) < len(self.stock_names):
                return int(stock)
            raise IndexError(f"no stock {stock}: stocks are 0..{len(self.stock_names) - 1}")
        try:
            return self._stock_index[stock]
        except KeyError:
            raise KeyError(f"no stock {stock!r}: names are {self.stock_names[0]!r}..{self.stock_names[-1]!r} "
                           "(sim.stock_names)") from None

    @property
    def last_ticks(self) -> np.ndarray:
        """[stock] int32 last price in ticks (0.01 yuan; the previous close before a stock trades
        today): a read-only VIEW, updated by every step."""
        return self._sim.last_ticks()

    @property
    def last(self) -> np.ndarray:
        """[stock] last price in yuan (a copy)."""
        return _yuan(self._sim.last_ticks())

    def day_ticks(self, field: str = "close") -> np.ndarray:
        """[stock] today's figure as the engine keeps it, a read-only VIEW updated by every step:
        prev_close, open, high, low, last, close (int32 ticks; NO_PRICE until there is one: close
        until the day closes, open/high/low/last until the stock trades), volume (shares) or
        turnover (fen), int64."""
        return self._sim.day_field(field)

    @property
    def close(self) -> np.ndarray:
        """[stock] the close in yuan of the day just closed (NaN during a day); a copy. After
        run_days(), the close the run log records for that day."""
        return _yuan(self._sim.day_field("close"))

    @property
    def prev_close(self) -> np.ndarray:
        """[stock] the previous trading day's close (today's reference) in yuan; a copy."""
        return _yuan(self._sim.day_field("prev_close"))

    def book(self, stock: int | str, levels: int = 5) -> dict:
        """The top `levels` price levels of a stock's book, best first, copies:
        bid_ticks, bid_price (yuan), bid_qty, ask_ticks, ask_price, ask_qty (shares)."""
        bid_t, bid_q, ask_t, ask_q = self._sim.book(self.stock(stock), int(levels))
        return {"bid_ticks": bid_t, "bid_price": bid_t / 100.0, "bid_qty": bid_q,
                "ask_ticks": ask_t, "ask_price": ask_t / 100.0, "ask_qty": ask_q}

    def futures_book(self, slot: int | str = "front", levels: int = 5) -> dict:
        """The top of a futures contract's book ("front"/0 or "next"/1), best first, copies: ticks,
        price in index points, qty in contracts."""
        slots = {"front": 0, "next": 1, 0: 0, 1: 1}
        if slot not in slots:
            raise KeyError(f"no futures slot {slot!r}: 'front' (0) or 'next' (1)")
        bid_t, bid_q, ask_t, ask_q = self._sim.book(len(self.stock_names) + slots[slot], int(levels))
        points = self._sim.market()["futures_tick_points"]
        return {"bid_ticks": bid_t, "bid_price": bid_t * points, "bid_qty": bid_q,
                "ask_ticks": ask_t, "ask_price": ask_t * points, "ask_qty": ask_q}

    # ---- indices and futures ------------------------------------------------------------------
    @property
    def indices(self) -> dict:
        """hedged_index, microcap_index (points, now) and their previous closes, and how many
        stocks are locked at a limit (locked_limit_down, locked_limit_up)."""
        m = self._sim.market()
        return {k: m[k] for k in ("hedged_index", "hedged_prev_close", "microcap_index", "microcap_prev_close",
                                  "locked_limit_down", "locked_limit_up")}

    @property
    def futures(self) -> dict:
        """Per slot [front, next] (copies): code, days_to_expiry, last (points) and last_ticks, and
        the last step's price, basis (points) and basis_annualised as the run log records them
        (NaN before the first step)."""
        m = self._sim.market()
        return {"code": m["futures_code"], "days_to_expiry": m["futures_days_to_expiry"],
                "last": m["futures_last"], "last_ticks": m["futures_last_ticks"],
                "price": m["futures_price"], "basis": m["futures_basis"],
                "basis_annualised": m["futures_basis_annualised"]}

    # ---- agents and accounts ------------------------------------------------------------------
    def agent_name(self, agent: int) -> str:
        """The run log's name of an agent: KIND_000123."""
        return f"{self.agent_kinds[agent]}_{agent:06d}"

    def agent_ids(self, kind: str | None = None) -> np.ndarray:
        """Agent ids, of one kind (e.g. "dma_account") or all."""
        if kind is not None and kind not in self.agent_kinds:
            raise KeyError(f"no agent kind {kind!r}: kinds are {sorted(set(self.agent_kinds))}")
        return np.array([i for i, k in enumerate(self.agent_kinds) if kind is None or k == kind], dtype=np.int32)

    def _agent_id(self, agent: int | str) -> int:
        n = len(self.agent_kinds)
        if isinstance(agent, (int, np.integer)):
            if 0 <= int(agent) < n:
                return int(agent)
            raise KeyError(f"no agent {agent}: agent ids are 0..{n - 1}")
        kind, _, number = str(agent).rpartition("_")
        if number.isdigit() and int(number) < n and self.agent_kinds[int(number)] == kind:
            return int(number)
        raise KeyError(f"no agent {agent!r}: agent ids are 0..{n - 1}; give one or a name KIND_NNNNNN as the run log's "
                       f"/agents/daily names them (e.g. {self.agent_name(0)!r})")

    def agent(self, agent: int | str) -> dict:
        """id, kind, its accounts and, for agents with a daily row, nav, equity, leverage,
        nav_per_unit and state as they stand now (a copy)."""
        return self._sim.agent(self._agent_id(agent))

    def python_agent(self, agent: int | str):
        """A Python agent's own object (docs/python.md, "Python agents"), as it stands between
        steps: the instance of its class the engine calls. KeyError for an agent of a C++ kind."""
        a = self._agent_id(agent)
        obj = self._sim.python_agent(a)
        if obj is None:
            raise KeyError(f"agent {self.agent_name(a)} is of a C++ kind, not a Python agent")
        return obj

    def account(self, agent: int | str, which: int = 0) -> dict:
        """The `which`-th account of an agent, marked now (a copy): cash, reserved_cash,
        futures_margin, available_cash, long_value, futures_pnl, futures_notional, equity (yuan),
        cash_fen, and its positions as arrays: stock (index), shares, sellable;
        futures_contracts [front, next]."""
        a = self._agent_id(agent)
        accounts = self._sim.agent(a)["accounts"]
        if not 0 <= which < len(accounts):
            raise KeyError(f"agent {self.agent_name(a)} has {len(accounts)} account(s): which = 0..{len(accounts) - 1}"
                           if accounts else f"agent {self.agent_name(a)} has no account")
        return self._sim.account(accounts[which])
