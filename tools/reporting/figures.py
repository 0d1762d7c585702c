"""Every figure of one run's report, in page order (ids and captions: docs/report.md)."""
from .common import safe
from . import figures_agents as fa
from . import figures_market as fm
from . import figures_run as fr


def run_figures(run):
    """(figures, return series): every figure of the report of `run` (a note for each one the log
    lacks the data for), and the return series of the stylised facts."""
    series = fr.return_series(run)
    makers = [fr.fig_indices, fa.fig_events, fr.fig_basis, fr.fig_limits, fm.fig_heatmap, fm.fig_mispricing,
              fm.fig_depth, fm.fig_intraday, fr.fig_classes, fr.fig_agent_nav, fa.fig_flows,
              fa.fig_futures_positions, fr.fig_stress, fr.fig_selling,
              lambda r: fr.fig_returns(r, series), lambda r: fr.fig_autocorr(r, series)]
    return [safe(make, run) for make in makers], series
