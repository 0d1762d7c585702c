"""The figures of `tools/report.py compare`: several runs overlaid, one colour each."""
import numpy as np

from . import common
from .common import Figure, day_axis, render, safe
from .load import DMA, NEUTRAL

common._load_plotting()
plt, COLORS = common.plt, common.COLORS


def cmp_figures(runs):
    figs = []
    n_days = max(r.n_days for r in runs)
    dates = max((r.dates for r in runs), key=len)

    def indices():
        fid, title = "cmp_indices", "Indices, each run relative to its first step"
        cap = ("Hedged index (top) and microcap index (bottom) of every run, divided by their first value. Look "
               "for which mechanism removed deepens or softens the microcap fall.")
        if not any(r.has(r.hedged) and len(r.x_step) for r in runs):
            return Figure(fid, title, cap, note="No index series in these run logs.")
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)
        for k, r in enumerate(runs):
            if r.has(r.hedged) and len(r.x_step):
                ax1.plot(r.x_step, r.hedged / r.hedged[0], lw=1.1, color=COLORS[k % 10], label=r.label)
                ax2.plot(r.x_step, r.microcap / r.microcap[0], lw=1.1, color=COLORS[k % 10], label=r.label)
        for ax, name in ((ax1, "hedged index"), (ax2, "microcap index")):
            ax.axhline(1.0, color="grey", lw=0.6)
            ax.set_ylabel(name)
            ax.legend(fontsize="x-small")
            ax.grid(alpha=0.3)
        ax1.set_title(title)
        day_axis(ax2, dates, n_days)
        fig.tight_layout()
        return Figure(fid, title, cap, render(fig))

    def basis():
        fid, title = "cmp_basis", "Annualised basis of the main contract"
        cap = "The main contract's annualised basis in every run (negative = discount)."
        fig, ax = plt.subplots(figsize=(10, 4))
        drawn, vals = 0, []
        for k, r in enumerate(runs):
            b = r.main_basis()
            if b is None:
                continue
            ax.plot(r.x_step, 100 * b, lw=1.0, color=COLORS[k % 10], label=r.label)
            vals.append(100 * b[np.isfinite(b)])
            drawn += 1
        if not drawn:
            plt.close(fig)
            return Figure(fid, title, cap, note="No futures series in these run logs.")
        allv = np.concatenate(vals) if vals else np.zeros(1)
        if len(allv):
            lo, hi = np.percentile(allv, [0.5, 99.5])
            pad = max(2.0, 0.15 * (hi - lo))
            ax.set_ylim(min(lo, 0) - pad, max(hi, 0) + pad)
        ax.axhline(0, color="grey", lw=0.6)
        ax.set_ylabel("annualised basis (%)")
        ax.set_title(title)
        ax.legend(fontsize="x-small")
        day_axis(ax, dates, n_days)
        fig.tight_layout()
        return Figure(fid, title, cap, render(fig))

    def limits():
        fid, title = "cmp_limits", "Stocks closing limit-down per day"
        cap = "Stocks that closed limit-down each day, per run (dashed: limit-up)."
        fig, ax = plt.subplots(figsize=(10, 4))
        drawn = 0
        for k, r in enumerate(runs):
            if not r.has(r.limit_down) or r.n_days == 0:
                continue
            x = np.arange(r.n_days)
            ax.plot(x, r.limit_down.sum(axis=1), marker="o", ms=3, color=COLORS[k % 10], label=r.label)
            ax.plot(x, r.limit_up.sum(axis=1), ls="--", lw=0.8, color=COLORS[k % 10])
            drawn += 1
        if not drawn:
            plt.close(fig)
            return Figure(fid, title, cap, note="No day finished in these run logs.")
        ax.set_ylabel("stocks")
        ax.set_ylim(bottom=0)
        ax.set_title(title)
        ax.legend(fontsize="x-small")
        day_axis(ax, dates, n_days)
        ax.set_xlim(-0.5, n_days - 0.5)
        fig.tight_layout()
        return Figure(fid, title, cap, render(fig))

    def navs():
        fid, title = "cmp_nav", "NAV of DMA accounts and neutral funds"
        cap = ("Class NAV (summed over the class's agents) divided by its first value, for DMA accounts (left) and "
               "neutral funds (right), per run. A run without the class has no line.")
        fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
        drawn = 0
        for ax, cls in zip(axes, (DMA, NEUTRAL)):
            for k, r in enumerate(runs):
                c = r.class_index(cls)
                nav = r.class_steps.get("nav")
                if c is None or not r.has(nav) or not np.isfinite(nav[0, c]) or nav[0, c] <= 0:
                    continue
                ax.plot(r.x_step, nav[:, c] / nav[0, c], lw=1.1, color=COLORS[k % 10], label=r.label)
                drawn += 1
            ax.axhline(1.0, color="grey", lw=0.6)
            ax.set_title(cls, fontsize="small")
            ax.legend(fontsize="x-small")
            day_axis(ax, dates, n_days)
        if not drawn:
            plt.close(fig)
            return Figure(fid, title, cap, note="No DMA accounts or neutral funds in these run logs.")
        axes[0].set_ylabel("NAV / first value")
        fig.suptitle(title)
        fig.tight_layout()
        return Figure(fid, title, cap, render(fig))

    for make in (indices, basis, limits, navs):
        figs.append(safe(make))
    return figs

