"""The figures of one run (tools/report.py RUN.h5), part 1: indices, basis, limits, classes, agents'
NAV, stress events, forced selling, and the stylised facts of returns. Each figure function takes a
Run and returns a Figure (a note instead of a plot when the log lacks the data)."""
import math

import numpy as np

from calibration.measures import REAL_CSV, load_real

from . import common
from .common import (Figure, acf, class_color, clip_range, day_axis, day_frame, excess_kurtosis, mark_clipped,
                     render, step_frame, step_returns)
from .load import DMA, NEUTRAL

common._load_plotting()
plt, pd, COLORS = common.plt, common.pd, common.COLORS


def real_reference(run):
    """The real microcap index and CSI 1000 (the hedged index's model, key "hedged") over the run's
    dates, each divided by its close before the first day, or None when the shipped file does not
    cover every day of the run. For reading beside the run only: stampede never feeds them into a
    run."""
    real = load_real(REAL_CSV) if len(run.dates) else None
    if real is None:
        return None
    row = {d: i for i, d in enumerate(real["dates"])}
    rows = [row.get(d.strftime("%Y-%m-%d")) for d in run.dates]
    if None in rows or rows[0] == 0:
        return None
    return {name: real[name][rows] / real[name][rows[0] - 1] for name in ("microcap", "hedged")}


def fig_indices(run):
    fid, title = "indices", "Indices and index futures"
    caption = ("Top: the hedged index (the futures' underlying) with the front and next futures prices; "
               "futures below the index are at a discount. Bottom: both indices divided by their first "
               "value. Look for microcaps falling faster than the hedged index (the crowding crash), and "
               "for the hedged index rising on state buying while microcaps keep falling. Where the run's "
               "dates are real trading days of scenarios/data/, the real CSI 1000 and microcap index are "
               "drawn dashed beside them (for reference; never an input of the run).")
    if not run.has(run.hedged, run.microcap) or len(run.x_step) == 0:
        return Figure(fid, title, caption, note="No index series in this run log (no steps written).")
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    x = run.x_step
    ax1.plot(x, run.hedged, color="k", lw=1.3, label="hedged index")
    if run.has(run.fut_price):
        for k, name in enumerate(("front", "next")[: run.fut_price.shape[1]]):
            p = run.fut_price[:, k]
            if np.any(np.isfinite(p) & (p > 0)):
                ax1.plot(x, np.where(p > 0, p, np.nan), lw=0.9, color=COLORS[k], label=f"futures ({name})")
    ax1.set_ylabel("points")
    ax1.legend(fontsize="small")
    ax1.set_title(title)
    ax1.grid(alpha=0.3)
    ax2.plot(x, run.hedged / run.hedged[0], color="k", lw=1.2, label="hedged index")
    ax2.plot(x, run.microcap / run.microcap[0], color=COLORS[3], lw=1.2, label="microcap index")
    real = real_reference(run)
    if real is not None:   # real closes at the end of each trading day, dashed
        days = np.arange(1, len(run.dates) + 1)
        ax2.plot(days, real["hedged"], color="k", lw=1.0, ls="--", marker=".", ms=3, label="real CSI 1000")
        ax2.plot(days, real["microcap"], color=COLORS[3], lw=1.0, ls="--", marker=".", ms=3,
                 label="real microcap index")
    ax2.axhline(1.0, color="grey", lw=0.6)
    ax2.set_ylabel("relative to first step")
    ax2.legend(fontsize="small")
    day_axis(ax2, run.dates)
    fig.tight_layout()
    cols = {"hedged": run.hedged, "microcap": run.microcap}
    if run.has(run.fut_price):
        for k, name in enumerate(("front", "next")[: run.fut_price.shape[1]]):
            cols[f"futures_{name}"] = run.fut_price[:, k]
    data = step_frame(run, **cols)
    if real is not None:
        last = run.close_rows()
        ok = last >= 0
        for name in ("hedged", "microcap"):
            data[f"real_{name}_close_rel"] = np.nan
            data.loc[last[ok], f"real_{name}_close_rel"] = real[name][ok]
    return Figure(fid, title, caption, render(fig), data=data)


def fig_basis(run):
    fid, title = "basis", "Annualised basis of the main futures contract at each close"
    caption = ("(futures − index) / index of the main contract at each day's last step, annualised, in percent; "
               "negative = discount. The main contract is the one with the most open interest at the close "
               "(the rule of the calibration check and the ensemble summary; its code is written where it "
               "changes), so the front's last days, when annualising over a day or two is meaningless, are not "
               "drawn. The axis is clipped to the bulk of the closes: a close beyond it is a triangle on the edge "
               "labelled with its value. Look for the discount deepening as the index falls through snowball "
               "knock-in barriers (issuers dump their long futures) and as hedgers pile into shorts.")
    got = run.main_basis_close()
    if got is None:
        return Figure(fid, title, caption, note="No futures series in this run log.")
    main, slot, codes = got
    note = None
    if not run.has(run.fut_volume) or run.fut_volume.sum() == 0:
        note = "No futures traded in this run: the futures prices (and so the basis) are only quotes."
    y = 100 * main
    x = np.arange(run.n_days)
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(x, y, lw=1.6, color="k", marker="o", ms=3, label="main contract, at the close")
    for d in range(run.n_days):
        if codes[d] and (d == 0 or codes[d] != codes[d - 1]):
            ax.axvline(d, color="grey", lw=0.5, ls=":")
            ax.annotate(codes[d], (d, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                        textcoords="offset points", fontsize="x-small", color="grey")
    lim = clip_range(y, (2, 98), 2.0, 0.0)
    clipped = 0
    if lim is not None:
        ax.set_ylim(*lim)
        clipped = mark_clipped(ax, x, y, *lim, fmt="{:+.0f}%")
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_ylabel("annualised basis (%)")
    ax.set_title(title + (f" ({clipped} beyond the axis)" if clipped else ""))
    ax.legend(fontsize="small", loc="lower left")
    day_axis(ax, run.dates)
    ax.set_xlim(-0.6, run.n_days - 0.4)
    fig.tight_layout()
    data = day_frame(run, contract=codes, slot=slot, basis_annualised_pct=y)
    return Figure(fid, title, caption, render(fig), note, data=data)


def fig_limits(run):
    fid, title = "limits", "Stocks closing at their price limits"
    caption = ("Stocks that closed at limit-down (red, below zero) and limit-up (green) each day, split by "
               "segment (darkest: microcaps). Look for a day with a large share of microcaps locked "
               "limit-down (in the real market on 5 Feb 2024, over 1,000 of about 5,300 stocks; a simulated "
               "world has fewer stocks, so compare the share, not the count) and, in the rebound, limit-down "
               "stocks outnumbering limit-up ones.")
    if not run.has(run.limit_down, run.limit_up) or run.n_days == 0:
        return Figure(fid, title, caption, note="No daily limit flags in this run log (no day finished).")
    seg = run.stock_segment if run.has(run.stock_segment) else np.zeros(run.limit_down.shape[1], np.uint8)
    fig, ax = plt.subplots(figsize=(10, 4))
    x = np.arange(run.n_days)
    cols = {}
    down_base = np.zeros(run.n_days)
    up_base = np.zeros(run.n_days)
    reds, greens = ["#8b0000", "#d62728", "#f4a6a6"], ["#00561b", "#2ca02c", "#a8dba8"]
    for s, name in enumerate(run.segment_names):
        mask = seg == s
        if not mask.any():
            continue
        down = run.limit_down[:, mask].sum(axis=1)
        up = run.limit_up[:, mask].sum(axis=1)
        ax.bar(x, -down, bottom=-down_base, color=reds[s % 3], width=0.8, label=f"limit-down: {name}")
        ax.bar(x, up, bottom=up_base, color=greens[s % 3], width=0.8, label=f"limit-up: {name}")
        down_base += down
        cols[f"limit_down_{name}"], cols[f"limit_up_{name}"] = down, up
        up_base += up
    for i in range(run.n_days):
        if down_base[i]:
            ax.annotate(f"{int(down_base[i])}", (i, -down_base[i]), ha="center", va="top", fontsize="x-small")
        if up_base[i]:
            ax.annotate(f"{int(up_base[i])}", (i, up_base[i]), ha="center", va="bottom", fontsize="x-small")
    ax.axhline(0, color="k", lw=0.6)
    lim = max(1.0, down_base.max(), up_base.max()) * 1.2
    ax.set_ylim(-lim, lim)
    ax.set_ylabel(f"stocks (of {run.limit_down.shape[1]})")
    ax.set_title(title)
    ax.legend(fontsize="x-small", ncol=3, loc="lower left")
    day_axis(ax, run.dates)
    ax.set_xlim(-0.6, run.n_days - 0.4)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig), data=day_frame(run, **cols))


LEVERAGE_AXIS = (0.1, 100.0)   # the classes panel's log axis: leverage beyond it is drawn on its edge


def fig_classes(run):
    fid, title = "classes", "NAV and leverage by agent class"
    caption = ("Top: each class's NAV (investors' capital, summed over its agents) divided by its first value. "
               f"Bottom: the class's leverage, gross long / equity, on a log axis clipped to "
               f"{LEVERAGE_AXIS[0]:g}-{LEVERAGE_AXIS[1]:g}: a class whose equity nears zero has leverage without "
               "bound (spikes to thousands), drawn as triangles on the top edge with the peak written beside them; "
               "a class with zero or negative equity has no leverage and no point. Look for the DMA accounts' NAV "
               "collapsing and their leverage spiking as prices fall (leverage rises before the broker cuts it), "
               "neutral funds losing on both legs, and the classes that buy in the crash.")
    nav, lev = run.class_steps.get("nav"), run.class_steps.get("leverage")
    if not run.classes or not run.has(nav) or len(run.x_step) == 0:
        return Figure(fid, title, caption, note="No agent classes in this run log.")
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    x = run.x_step
    gross = run.class_steps.get("gross_long")
    cols = {}
    for c, name in enumerate(run.classes):
        v0 = nav[0, c]
        if not np.isfinite(v0) or v0 <= 0:
            continue
        cols[f"nav_rel_{name}"] = nav[:, c] / v0
        ax1.plot(x, nav[:, c] / v0, lw=1.6 if name in (DMA, NEUTRAL) else 0.9, label=run.class_label(name),
                 color=class_color(c))
    ax1.axhline(1.0, color="grey", lw=0.6)
    ax1.set_ylabel("NAV / first value")
    ax1.set_title(title)
    ax1.legend(fontsize="x-small", ncol=3)
    ax1.grid(alpha=0.3)
    lo, hi = LEVERAGE_AXIS
    if run.has(lev):
        for c, name in enumerate(run.classes):
            y = np.where(lev[:, c] > 0, lev[:, c], np.nan)
            if gross is not None and np.nanmax(np.abs(gross[:, c])) <= 0:
                continue
            if not np.any(np.isfinite(y)):
                continue
            cols[f"leverage_{name}"] = lev[:, c]
            color = class_color(c)
            ax2.plot(x, np.clip(y, lo, hi), lw=1.6 if name in (DMA, NEUTRAL) else 0.9, label=run.class_label(name),
                     color=color)
            over = y > hi
            if over.any():
                ax2.plot(x[over], np.full(over.sum(), hi), "^", ms=5, color=color, ls="none")
                k = int(np.nanargmax(y))
                ax2.annotate(f"{name} peak {y[k]:,.0f}", (x[k], hi), textcoords="offset points", xytext=(4, -12),
                             fontsize="x-small", color=color)
        ax2.set_yscale("log")
        ax2.set_ylim(lo, hi * 1.15)
        ax2.set_ylabel("gross long / equity (log, clipped)")
        ax2.legend(fontsize="x-small", ncol=3)
        ax2.grid(alpha=0.3, which="both")
    day_axis(ax2, run.dates)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig), data=step_frame(run, **cols))


def fig_agent_nav(run):
    fid, title = "agent_nav", "NAV of individual funds and accounts"
    caption = ("For each class with a daily row per agent: the median agent's NAV (line) and the 10-90% range "
               "over agents (band), each agent divided by its NAV after the first close (the log has no row "
               "before it). DMA accounts at zero have been wiped out. Look for the spread between DMA "
               "accounts and unlevered neutral funds.")
    if not run.has(run.daily_nav, run.daily_class) or run.n_days == 0:
        return Figure(fid, title, caption, note="No agents with a daily row in this run log (no funds or DMA accounts).")
    fig, ax = plt.subplots(figsize=(10, 4))
    x = np.arange(run.n_days) + 1.0   # rows are after each close
    drawn = 0
    table = {}
    for c, name in enumerate(run.classes):
        cols = np.flatnonzero(run.daily_class == c)
        if len(cols) == 0:
            continue
        v = run.daily_nav[:, cols]
        base = v[0]
        ok = np.isfinite(base) & (base > 0)
        if not ok.any():
            continue
        rel = v[:, ok] / base[ok]
        med = np.nanmedian(rel, axis=1)
        lo, hi = np.nanpercentile(rel, 10, axis=1), np.nanpercentile(rel, 90, axis=1)
        color = class_color(c)
        table.update({f"{name}_p10": lo, f"{name}_median": med, f"{name}_p90": hi})
        ax.fill_between(x, lo, hi, color=color, alpha=0.2)
        ax.plot(x, med, color=color, lw=1.5, marker="o", ms=3, label=f"{run.class_label(name)} ({ok.sum()})")
        drawn += 1
    if not drawn:
        plt.close(fig)
        return Figure(fid, title, caption, note="No agent with a positive NAV after the first close.")
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_ylabel("NAV / NAV after day 1")
    ax.set_title(title)
    ax.legend(fontsize="small")
    day_axis(ax, run.dates)
    ax.set_xlim(0.5, run.n_days + 0.5)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig), data=day_frame(run, **table))


def fig_stress(run):
    fid, title = "margin", "Margin calls and liquidations"
    caption = ("Top: per day, DMA margin-call warnings, liquidations started by brokers, accounts that left "
               "their broker a shortfall, and neutral funds' risk-limit cuts and redemption requests. Bottom: "
               "DMA accounts in a margin call or being liquidated at each step, and the brokers' shortfall marked "
               "to market at each close (the DMA accounts' negative equity; right axis). Look for the calls and "
               "liquidations clustering in the crash days, and for liquidations dragging on while books are "
               "locked limit-down.")
    dma = run.class_index(DMA)
    if dma is not None and not run.has(run.class_steps.get("in_margin_call")):
        dma = None   # the class is named but its step rows are missing
    if run.n_days == 0:
        return Figure(fid, title, caption, note="No day finished: no events to count.")
    series = [("margin calls (warning)", run.daily_counts("margin_calls", reason="warning"), "#ff7f0e"),
              ("liquidations started", run.daily_counts("liquidations", prefix="start_"), "#d62728"),
              ("broker shortfalls", run.daily_counts("broker_shortfalls"), "#7f0000"),
              ("risk-limit cuts", run.daily_counts("risk_limits"), "#9467bd"),
              ("redemption requests", run.daily_counts("redemption_requests"), "#8c564b")]
    if dma is None and not any(s[1].sum() for s in series):
        return Figure(fid, title, caption, note="No DMA accounts and no fund stress events in this run.")
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6), gridspec_kw={"height_ratios": [3, 2]})
    x = np.arange(run.n_days)
    width = 0.8 / len(series)
    for k, (name, y, color) in enumerate(series):
        ax1.bar(x - 0.4 + width * (k + 0.5), y, width=width, color=color, label=f"{name} ({int(y.sum())})")
    ax1.set_ylabel("events per day")
    ax1.set_title(title)
    ax1.legend(fontsize="x-small", ncol=2)
    day_axis(ax1, run.dates)
    ax1.set_xlim(-0.6, run.n_days - 0.4)
    if dma is not None:
        ax2.plot(run.x_step, run.class_steps["in_margin_call"][:, dma], color="#ff7f0e", label="DMA in margin call")
        ax2.plot(run.x_step, run.class_steps["liquidating"][:, dma], color="#d62728", label="DMA being liquidated")
        total = int(np.nanmax(run.class_steps["accounts"][:, dma])) if run.has(run.class_steps.get("accounts")) else 0
        ax2.set_ylabel(f"accounts (of {total})")
        shortfall = broker_shortfall(run)
        if shortfall is not None and np.any(shortfall > 0):
            # The brokers' exposure marked at each close: what the DMA accounts under water owe.
            ax3 = ax2.twinx()
            ax3.step(np.arange(1, run.n_days + 1), shortfall / 1e6, where="post", color="#7f0000", lw=1.2,
                     label="broker shortfall, marked (right)")
            ax3.set_ylabel("million yuan")
            ax3.legend(fontsize="small", loc="upper right")
        ax2.legend(fontsize="small", loc="upper left")
    else:
        ax2.text(0.5, 0.5, "no DMA accounts in this run", ha="center", va="center", transform=ax2.transAxes)
    day_axis(ax2, run.dates)
    fig.tight_layout()
    cols = {name.replace(" ", "_").replace("(", "").replace(")", ""): y for name, y, _ in series}
    shortfall = broker_shortfall(run)
    if shortfall is not None:
        cols["broker_shortfall_marked_yuan"] = shortfall
    if dma is not None:
        cols["dma_in_margin_call_at_close"] = run.at_close(run.class_steps["in_margin_call"][:, dma])
        cols["dma_liquidating_at_close"] = run.at_close(run.class_steps["liquidating"][:, dma])
    return Figure(fid, title, caption, render(fig), data=day_frame(run, **cols))


def broker_shortfall(run):
    """Per day, the DMA accounts' negative equity summed at the close (yuan): the brokers'
    shortfall marked to market, as the run summary's broker_shortfall is at the last close."""
    dma = run.class_index(DMA)
    if dma is None or run.daily_equity is None or len(run.daily_class) == 0:
        return None
    eq = run.daily_equity[:, run.daily_class == dma]
    return -np.where(eq < 0, eq, 0.0).sum(axis=1)


def fig_selling(run):
    fid, title = "selling", "Forced and voluntary selling of microcaps"
    caption = ("Top: value of microcaps sold each day, split into forced sales by class (margin calls, "
               "liquidations, redemptions, risk limits, knock-in hedges; solid colours) and voluntary sales "
               "by every class (grey). Bottom: the forced share of all selling per segment. Look for the "
               "forced share jumping in the crash: that selling does not care about price.")
    forced, vol = run.flows.get("sell_forced"), run.flows.get("sell_voluntary")
    if not run.has(forced, vol) or run.n_days == 0 or not run.classes:
        return Figure(fid, title, caption, note="No selling flows in this run log (no agent classes or no day finished).")
    micro = run.segment_names.index("microcap") if "microcap" in run.segment_names else 0
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    x = np.arange(run.n_days)
    bottom = np.zeros(run.n_days)
    cols = {}
    scale = 1e8
    for c, name in enumerate(run.classes):
        y = forced[:, c, micro] / scale
        if y.sum() <= 0:
            continue
        cols[f"microcap_forced_{name}_yuan"] = y * scale
        ax1.bar(x, y, bottom=bottom, width=0.8, color=class_color(c), label=f"forced: {run.class_label(name)}")
        bottom += y
    v = vol[:, :, micro].sum(axis=1) / scale
    cols["microcap_voluntary_yuan"] = v * scale
    ax1.bar(x, v, bottom=bottom, width=0.8, color="#bbbbbb", label="voluntary (all classes)")
    ax1.set_ylabel("yuan sold (100 million)")
    ax1.set_title(title)
    ax1.legend(fontsize="x-small", ncol=2)
    ax1.grid(alpha=0.3)
    for s, name in enumerate(run.segment_names):
        f_s, v_s = forced[:, :, s].sum(axis=1), vol[:, :, s].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(f_s + v_s > 0, f_s / (f_s + v_s), np.nan)
        cols[f"forced_share_pct_{name}"] = 100 * share
        ax2.plot(x, 100 * share, marker="o", ms=3, lw=1.5 if s == micro else 0.9, label=name)
    ax2.set_ylabel("forced share of selling (%)")
    ax2.set_ylim(bottom=0)
    ax2.legend(fontsize="small")
    day_axis(ax2, run.dates)
    ax2.set_xlim(-0.6, run.n_days - 0.4)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig), data=day_frame(run, **cols))


def return_series(run):
    """(name, returns) pairs for the stylised facts: index step returns and pooled stock step
    returns, each stock standardised (daily closes when step prices were not recorded)."""
    out = []
    if run.has(run.microcap) and len(run.microcap) > 10:
        out.append(("microcap index, per step", step_returns(run.microcap)))
    if run.has(run.hedged) and len(run.hedged) > 10:
        out.append(("hedged index, per step", step_returns(run.hedged)))
    prices, what = (run.last_price, "per step") if run.has(run.last_price) else (run.close, "per day")
    if run.has(prices) and prices.shape[0] > 3:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.diff(np.log(prices), axis=0)
            sd = np.nanstd(r, axis=0)
            z = (r - np.nanmean(r, axis=0)) / np.where(sd > 0, sd, np.nan)
        z = z[np.isfinite(z)]
        if len(z) > 10:
            out.append((f"stocks, pooled {what} (each standardised)", z))
    return out


def fig_returns(run, series):
    fid, title = "returns", "Distribution of returns against a normal"
    caption = ("Histogram of log returns (density, log scale) against the normal with the same mean and "
               "standard deviation (dashed). Fat tails (excess kurtosis well above 0) show as points far above "
               "the parabola of the normal. Stock returns per step are mostly zero (prices move in ticks), which "
               "also fattens the centre.")
    if not series:
        return Figure(fid, title, caption, note="Too few steps in this run log for a return distribution.")
    fig, axes = plt.subplots(1, len(series), figsize=(4.2 * len(series), 3.8))
    axes = np.atleast_1d(axes)
    parts = []
    for ax, (name, r) in zip(axes, series):
        mu, sd = float(np.mean(r)), float(np.std(r))
        k = excess_kurtosis(r)
        if sd <= 0:
            ax.text(0.5, 0.5, "no price changes", ha="center", va="center", transform=ax.transAxes)
            ax.set_title(name, fontsize="small")
            continue
        lo, hi = np.percentile(r, [0.05, 99.95])
        span = max(abs(lo - mu), abs(hi - mu), 4 * sd)
        bins = np.linspace(mu - span, mu + span, 61)
        dens, edges = np.histogram(r, bins=bins, density=True)
        centers = 0.5 * (edges[1:] + edges[:-1])
        parts.append(pd.DataFrame({"series": name, "log_return": centers, "density": dens,
                                   "normal_density": np.exp(-0.5 * ((centers - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))}))
        ax.semilogy(centers[dens > 0], dens[dens > 0], "o", ms=3, label="returns")
        g = np.linspace(bins[0], bins[-1], 400)
        ax.semilogy(g, np.exp(-0.5 * ((g - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi)), "--", color="k",
                    lw=1, label="normal fit")
        ax.set_ylim(bottom=max(dens[dens > 0].min() / 3, 1e-8 / sd) if (dens > 0).any() else None)
        ax.set_title(f"{name}\nexcess kurtosis {k:.1f}, n = {len(r)}", fontsize="small")
        ax.set_xlabel("log return")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small")
    axes[0].set_ylabel("density")
    fig.suptitle(title)
    fig.tight_layout()
    data = pd.concat(parts, ignore_index=True) if parts else None
    return Figure(fid, title, caption, render(fig), data=data)


def fig_autocorr(run, series):
    fid, title = "autocorrelation", "Autocorrelation of returns and of absolute returns"
    caption = ("Sample autocorrelation of step returns (left) and of their absolute values (right), for the "
               "two indices, with the ±1.96/√n band of no autocorrelation. Markets show little linear "
               "autocorrelation beyond a few steps but slowly decaying autocorrelation of |r| (volatility "
               "clustering), strongest when forced selling comes in waves.")
    idx = [(n, r) for n, r in series if "index" in n and len(r) > 20]
    if not idx:
        return Figure(fid, title, caption, note="Too few steps in this run log for autocorrelations.")
    n_max = max(len(r) for _, r in idx)
    max_lag = int(min(max(10, (run.steps_per_day or 60) // 2), n_max // 4))
    lags = np.arange(1, max_lag + 1)
    data = pd.DataFrame({"lag_steps": lags})
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for k, (name, r) in enumerate(idx):
        data[f"acf_{name}"], data[f"acf_abs_{name}"] = acf(r, lags), acf(np.abs(r), lags)
        ax1.plot(lags, acf(r, lags), marker=".", lw=1, color=COLORS[k], label=name)
        ax2.plot(lags, acf(np.abs(r), lags), marker=".", lw=1, color=COLORS[k], label=name)
    band = 1.96 / math.sqrt(n_max)
    for ax, what in ((ax1, "returns"), (ax2, "absolute returns")):
        ax.axhspan(-band, band, color="grey", alpha=0.2)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(f"autocorrelation of {what}", fontsize="small")
        ax.set_xlabel("lag (steps)")
        ax.grid(alpha=0.3)
    ax1.legend(fontsize="x-small")
    fig.tight_layout()
    data["band"] = band
    return Figure(fid, title, caption, render(fig), data=data)
