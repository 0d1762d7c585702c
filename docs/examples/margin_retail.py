# %% [markdown]
# # A margin-financing retail investor, written in Python
#
# A Python agent (docs/python.md, "Python agents"): retail investors who bought microcaps with
# margin financing (融资融券), the kind of account the January-February 2024 selling caught. Each
# borrowed part of its cash from its broker; it buys dips in a few microcaps it follows and takes
# profits. When its maintenance ratio (its shares / the loan net of the cash beside it) falls
# below the call line it sells a part of what it can sell each step; below the liquidation line
# its broker sells everything. The orders go through the engine's risk checks, price limits and
# T+1 like any C++ agent's, so a margin call in a stock locked limit-down, or in shares bought
# today, sells nothing.
#
# Run it as a script (`PYTHONPATH=build/python /usr/bin/python3 docs/examples/margin_retail.py`)
# or open it as a notebook. STAMPEDE_EXAMPLE_SET holds scenario keys for a smaller world
# (tests/python/test_python_agents.py runs it that way).

# %%
import math
import os

import stampede


class MarginRetail(stampede.Agent):
    """A retail investor trading microcaps on a margin loan: the loan is in its account from the
    start (`cash` holds its own money and the loan), and `debt` (fen) is what it owes."""

    section = "margin_retail"
    keys = {
        "cash": stampede.Param(300_000.0, 1_000, 1e9, "yuan", "cash in the account at the start, own and borrowed"),
        "leverage": stampede.Param(2.0, 1, 3, "", "cash / own capital at the start (the loan: cash x (1 - 1/lev.))"),
        "call_ratio": stampede.Param(1.5, 1, 3, "", "shares / net debt below which it sells to cut the loan"),
        "liquidation_ratio": stampede.Param(1.3, 1, 3, "", "shares / net debt below which its broker sells all"),
        "call_sale": stampede.Param(0.2, 0.01, 1, "1/step", "share of each sellable position a margin call sells"),
        "stocks": stampede.Param(3, 1, 50, "stocks", "microcaps it follows, drawn at the start"),
        "trade_probability": stampede.Param(0.02, 0, 1, "1/step", "chance per step that it looks at one of them"),
        "dip": stampede.Param(0.02, 0, 0.2, "", "fall from the previous close it buys into (rise it sells into)"),
        "stake": stampede.Param(0.25, 0.01, 1, "", "share of its available cash one purchase spends"),
    }

    def __init__(self, params, rng):
        super().__init__(params, rng)
        self.debt = round(params.cash * 100 * (1 - 1 / params.leverage))   # fen
        self.watch = None   # the microcaps it follows: drawn at its first step (the view knows the segments)

    def decide(self, view):
        if view.phase != "continuous":
            return []
        if self.watch is None:
            microcaps = [i for i in range(view.stocks) if view.segment(i) == "microcap"]
            self.watch = [int(s) for s in self.rng.choice(microcaps, size=min(self.params.stocks, len(microcaps)),
                                                          replace=False)]
        # The maintenance ratio: shares against the loan less the cash beside it (a sale's proceeds
        # pay the loan down, so selling raises the ratio).
        net_debt = self.debt - view.cash
        ratio = view.long_value / net_debt if net_debt > 0 else math.inf
        if self.state in ("liquidating", "liquidated") or ratio < self.params.liquidation_ratio:
            self.state = "liquidating" if view.positions else "liquidated"   # the broker's sale is final
            return self.sell_all(view, 1.0, "liquidation")
        if ratio < self.params.call_ratio:
            self.state = "margin_call"
            return self.sell_all(view, self.params.call_sale, "margin_call")
        self.state = "normal"
        if self.rng.random() >= self.params.trade_probability:
            return []
        stock = self.watch[int(self.rng.integers(len(self.watch)))]
        q = view.quote(stock)
        if q["locked_limit_down"] or q["locked_limit_up"]:
            return []
        if q["last"] <= q["prev_close"] * (1 - self.params.dip):
            lots = int(view.available_cash * self.params.stake) // (q["upper"] * 100)
            return [stampede.buy(stock, lots * 100, price=q["last"])] if lots > 0 else []
        if q["last"] >= q["prev_close"] * (1 + self.params.dip) and view.sellable(stock) >= 100:
            return [stampede.sell(stock, view.sellable(stock) // 200 * 100 or 100, price=q["last"])]
        return []

    def sell_all(self, view, share, reason):
        """Sells `share` of every position it may sell today, at market (the lower limit at worst)."""
        orders = []
        for stock in view.positions:
            lots = math.ceil(view.sellable(stock) * share / 100)
            if lots > 0:
                orders.append(stampede.sell(stock, min(lots * 100, view.sellable(stock)), reason=reason))
        return orders


# %% [markdown]
# ## 200 of them in the default scenario
# Added beside the C++ agents; the run log has them as the class `margin_retail`: a row per day
# each in /agents/daily, their class totals per step, their forced sales in /agents/flows.

# %%
if __name__ == "__main__":
    keys = os.environ.get("STAMPEDE_EXAMPLE_SET", "").split()
    run = stampede.run({"margin_retail": {"count": 200}}, seed=1, set=keys, agents=[MarginRetail])
    print(run.summary_text)
    classes = run.dataset("agents/classes")
    margin = classes.sel(agent_class="margin_retail")
    print("margin_retail: equity", f"{float(margin['equity'][0]):,.0f} -> {float(margin['equity'][-1]):,.0f} yuan;",
          "most accounts in a margin call at once:", int(margin["in_margin_call"].max()), "of 200;",
          "being liquidated:", int(margin["liquidating"].max()))
