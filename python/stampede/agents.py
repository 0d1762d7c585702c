"""Agents written in Python (docs/python.md, "Python agents").

    class Dipbuyer(stampede.Agent):
        section = "dipbuyer"                              # its scenario section: [dipbuyer]
        keys = {"drop": stampede.Param(0.05, 0, 1, "", "fall from the previous close that it buys")}

        def decide(self, view):
            stock = int(self.rng.integers(view.stocks))
            if view.last[stock] < view.prev_close[stock] * (1 - self.params.drop):
                return [stampede.buy(stock, 100, price=view.last[stock])]
            return []

    stampede.run({"dipbuyer": {"count": 10, "cash": 1e5}}, agents=[Dipbuyer])

Each agent of the section's `count` gets an account holding `cash` yuan, its own random stream
(`self.rng`, a numpy Generator seeded from the run's seed and the section's name) and its keys'
values (`self.params`). The engine calls decide(view) at every step, after the C++ agents and in
agent order; its orders pass the same risk checks, price limits and T+1 as every other agent's.
"""
from __future__ import annotations

import inspect
import re
import types
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import _stampede

BUY, SELL, CANCEL = 0, 1, 2   # Order.action, as the engine reads it (python/python_agents.cpp)
_REASONS = {name: i for i, name in enumerate(_stampede.order_reasons)}
AgentView = _stampede.AgentView


class Order(NamedTuple):
    """One order from decide(): made by buy(), sell() or cancel()."""
    action: int          # BUY, SELL or CANCEL
    stock: int           # the instrument: a stock's index (the futures follow the stocks)
    qty: int             # shares; a cancel: the id of the order it cancels
    price: int | None    # limit price in ticks (0.01 yuan); None: a market order
    reason: int          # index into stampede.agents.order_reasons()


def _reason(name: str) -> int:
    try:
        return _REASONS[name]
    except KeyError:
        raise ValueError(f"order reason {name!r}: one of {', '.join(_REASONS)}") from None


def buy(stock: int, qty: int, price: int | None = None, reason: str = "voluntary") -> Order:
    """A buy order: `qty` shares (whole lots of 100) at `price` ticks or better; None: at market."""
    return Order(BUY, int(stock), int(qty), None if price is None else int(price), _reason(reason))


def sell(stock: int, qty: int, price: int | None = None, reason: str = "voluntary") -> Order:
    """A sell order. reason "margin_call", "liquidation", ... marks it forced in the run log."""
    return Order(SELL, int(stock), int(qty), None if price is None else int(price), _reason(reason))


def cancel(stock: int, order_id: int) -> Order:
    """Cancels an order of this agent's still in `stock`'s book (its id: `self.sent` after decide)."""
    return Order(CANCEL, int(stock), int(order_id), None, 0)


def order_reasons() -> list[str]:
    """The reasons an order may give, as the run log names them."""
    return list(_REASONS)


@dataclass(frozen=True)
class Param:
    """A scenario key of a Python agent's section: its default (whose type is the key's), the
    inclusive range of a number, its unit and a one-line doc (what `stampede.check` shows)."""
    default: Any
    min: float | None = None
    max: float | None = None
    unit: str = ""
    doc: str = ""


# Every Python agent section has these two keys; a class's `keys` may give them other defaults.
STANDARD_KEYS = {
    "count": Param(0, 0, 1_000_000, "agents", "agents of this kind (0: none)"),
    "cash": Param(1e6, 0, 1e13, "yuan", "cash in each agent's account at the start"),
}


class Agent:
    """Base class of agents written in Python. Subclasses set `section` (the scenario section
    their keys are under) and `keys` ({key: Param or a default}), and define decide(view); `label`
    names the class for people in the run log's /meta/agent_classes (its agent_class is the
    section), whose doc is the first paragraph of the class's docstring, on one line."""

    section: str = ""
    keys: dict[str, Any] = {}
    label: str = ""   # e.g. "dip buyers"; "" = the section

    def __init__(self, params: types.SimpleNamespace, rng):
        self.params = params   # the section's values: self.params.count, .cash and the class's keys
        self.rng = rng         # numpy Generator, this agent's own stream
        self.debt = 0          # fen owed outside the account (a margin loan): equity is net of it
        self.state = "normal"  # its state in /agents/daily: one of stampede.agents.agent_states()
        self.sent: list[int] = []   # after each decide(): the ids of the orders it returned

    def decide(self, view: AgentView) -> list[Order]:
        return []


def agent_states() -> list[str]:
    """The states an agent may report (`self.state`), as /agents/daily codes them."""
    return list(_stampede.agent_states)


_SECTION = re.compile(r"^[a-z][a-z0-9_]*$")


def _param(cls: type, key: str, p: Any) -> tuple:
    where = f"{cls.__qualname__}.keys[{key!r}]"
    if not isinstance(p, Param):
        p = Param(p)
    if not _SECTION.match(key):
        raise ValueError(f"{where}: a key is lower case letters, digits and '_'")
    kind = {bool: "bool", int: "int", float: "float", str: "str"}.get(type(p.default))
    if kind is None:
        raise ValueError(f"{where}: default {p.default!r} is not a bool, int, float or str")
    if kind in ("bool", "str") and (p.min is not None or p.max is not None):
        raise ValueError(f"{where}: only numbers have a range")
    return (key, kind, p.default, p.min, p.max, p.unit, p.doc)


def _kind_spec(cls: Any) -> tuple:
    """(section, class, [(key, type, default, min, max, unit, doc)], factory, (label, doc)) for the engine."""
    if not (isinstance(cls, type) and callable(getattr(cls, "decide", None))):
        raise ValueError(f"agents: {cls!r} is not a class with a decide(view) method")
    section = getattr(cls, "section", "")
    if not isinstance(section, str) or not _SECTION.match(section):
        raise ValueError(f"{cls.__qualname__}.section = {section!r}: give the scenario section its keys are under "
                         "(lower case letters, digits and '_')")
    keys = dict(STANDARD_KEYS)
    for k, p in getattr(cls, "keys", {}).items():
        if k in STANDARD_KEYS:   # another default (or range, doc) for count or cash: their type stays
            std, p = STANDARD_KEYS[k], p if isinstance(p, Param) else Param(p)
            p = Param(type(std.default)(p.default), std.min if p.min is None else p.min,
                      std.max if p.max is None else p.max, p.unit or std.unit, p.doc or std.doc)
        keys[k] = p
    label = getattr(cls, "label", "") or section
    doc = " ".join(inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].split())   # the docstring's first paragraph
    return (section, cls, [_param(cls, k, p) for k, p in keys.items()], _create, (str(label), doc))


def _kind_specs(agents: Any) -> list[tuple] | None:
    if agents is None:
        return None
    specs = [_kind_spec(a) for a in agents]
    sections = [s[0] for s in specs]
    for s in sections:
        if sections.count(s) > 1:
            raise ValueError(f"agents: two classes declare section {s!r}")
    return specs


def _create(cls: type, params: dict, seed: int, index: int, agent_id: int):
    """One agent of a section, as the engine makes it while building the world."""
    import numpy as np
    agent = cls(types.SimpleNamespace(**params), np.random.Generator(np.random.PCG64(seed)))
    agent.id = agent_id      # the engine's id: /agents/daily names it SECTION_000123
    agent.index = index      # 0.. within its section
    return agent
