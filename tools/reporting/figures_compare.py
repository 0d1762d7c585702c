"""The figures of `tools/report.py compare`: several runs overlaid, one colour each."""
import numpy as np

from . import common
from .common import Figure, clip_range, day_axis, day_frame, mark_clipped, render, safe, step_frame
from .load import DMA, NEUTRAL

common._load_plotting()
plt, pd, COLORS = common.plt, common.pd, common.COLORS


def long(parts):
    """The runs' frames one under the other (the figure's CSV), or None."""
    return pd.concat(parts, ignore_index=True) if parts else None


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
        parts = []
        for k, r in enumerate(runs):
            if r.has(r.hedged) and len(r.x_step):
                parts.append(step_frame(r, run=r.label, hedged_rel=r.hedged / r.hedged[0],
                                        microcap_rel=r.microcap / r.microcap[0]))
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
        return Figure(fid, title, cap, render(fig), data=long(parts))

    def basis():
        fid, title = "cmp_basis", "Annualised basis of the main contract at each close"
        cap = ("The main contract's annualised basis at each day's close in every run (negative = discount; the "
               "contract with the most open interest, as in the run report's basis figure). The axis is clipped "
               "to the bulk of the closes: a close beyond it is a triangle on the edge labelled with its value.")
        fig, ax = plt.subplots(figsize=(10, 4))
        parts, got = [], []
        for k, r in enumerate(runs):
            m = r.main_basis_close()
            if m is None:
                continue
            got.append((k, np.arange(r.n_days), 100 * m[0]))
            parts.append(day_frame(r, run=r.label, contract=m[2], basis_annualised_pct=100 * m[0]))
            ax.plot(np.arange(r.n_days), 100 * m[0], lw=1.1, marker="o", ms=3, color=COLORS[k % 10], label=r.label)
        if not got:
            plt.close(fig)
            return Figure(fid, title, cap, note="No futures series in these run logs.")
        lim = clip_range(np.concatenate([y for _, _, y in got]), (2, 98), 2.0, 0.0)
        if lim is not None:
            ax.set_ylim(*lim)
            for k, x, y in got:
                mark_clipped(ax, x, y, *lim, color=COLORS[k % 10], fmt="{:+.0f}%")
        ax.axhline(0, color="grey", lw=0.6)
        ax.set_ylabel("annualised basis (%)")
        ax.set_title(title)
        ax.legend(fontsize="x-small")
        day_axis(ax, dates, n_days)
        ax.set_xlim(-0.6, n_days - 0.4)
        fig.tight_layout()
        return Figure(fid, title, cap, render(fig), data=long(parts))

    def limits():
        fid, title = "cmp_limits", "Stocks closing limit-down per day"
        cap = "Stocks that closed limit-down each day, per run (dashed: limit-up)."
        fig, ax = plt.subplots(figsize=(10, 4))
        drawn, parts = 0, []
        for k, r in enumerate(runs):
            if not r.has(r.limit_down) or r.n_days == 0:
                continue
            x = np.arange(r.n_days)
            parts.append(day_frame(r, run=r.label, limit_down=r.limit_down.sum(axis=1), limit_up=r.limit_up.sum(axis=1)))
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
        return Figure(fid, title, cap, render(fig), data=long(parts))

    def navs():
        fid, title = "cmp_nav", "NAV of DMA accounts and neutral funds"
        cap = ("Class NAV (summed over the class's agents) divided by its first value, for DMA accounts (left) and "
               "neutral funds (right), per run. A run without the class has no line.")
        fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
        drawn, parts = 0, []
        for ax, cls in zip(axes, (DMA, NEUTRAL)):
            for k, r in enumerate(runs):
                c = r.class_index(cls)
                nav = r.class_steps.get("nav")
                if c is None or not r.has(nav) or not np.isfinite(nav[0, c]) or nav[0, c] <= 0:
                    continue
                parts.append(step_frame(r, run=r.label, agent_class=cls, nav_rel=nav[:, c] / nav[0, c]))
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
        return Figure(fid, title, cap, render(fig), data=long(parts))

    for make in (indices, basis, limits, navs):
        figs.append(safe(make))
    return figs

