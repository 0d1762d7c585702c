"""The report of a stampede run log (tools/report.py; docs/report.md), as a package:

    load.py             reading a run log (class Run), the resolved scenario, the main contract
    common.py           Figure, rendering and writing figures (--fig-dir, --format, <id>.csv), helpers
    figures_run.py      the figures of one run: indices, basis, limits, classes, NAV, stress, selling, returns
    figures_market.py   the figures of one run from the market's books: heatmap, depth, mispricing, intraday
    figures_agents.py   the figures of one run from the agents: flows by class, futures positions, events
    figures_compare.py  `report.py compare`: several runs overlaid
    html.py             the page: tables and figures

This module is also the namespace tools/report_ensemble.py draws with (`R.Figure`, `R.plt`, ...).
"""
from . import common
from .common import Figure, InputError, _load_plotting, day_axis, render, safe  # noqa: F401
from .html import METRIC_LABELS, esc, figure_html, fmt_metric, page  # noqa: F401


def __getattr__(name):   # pd, plt and COLORS exist once _load_plotting() has run
    if name in ("pd", "plt", "COLORS"):
        return getattr(common, name)
    raise AttributeError(name)
