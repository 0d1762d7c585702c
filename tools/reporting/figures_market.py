"""The figures of one run read from the market's books: mispricing by segment, a stock x day heatmap
of daily returns, order-book depth and the limit-down queue over the crash days, and an intraday
view of the worst day. Each takes a Run and returns a Figure (a note when the log lacks the data)."""
import numpy as np
from matplotlib.colors import ListedColormap

from . import common
from .common import Figure, day_axis, day_frame, render, step_frame

common._load_plotting()
plt, pd, COLORS = common.plt, common.pd, common.COLORS

TICK = 0.01   # yuan per stock tick (the datasets' tick_size)
SEG_COLORS = ["#d62728", "#1f77b4", "#2ca02c"]


def _segments(run, n):
    seg = run.stock_segment if run.has(run.stock_segment) else np.zeros(n, np.uint8)
    names = list(run.segment_names) + [f"segment {k}" for k in range(len(run.segment_names), int(seg.max(initial=0)) + 1)]
    return seg, names


def fig_mispricing(run):
    fid, title = "mispricing", "Mispricing by segment: close / fundamental value − 1"
    caption = ("Each stock's close divided by its latent fundamental value at the close (/market/stocks/value, the "
               "factor model's value that makers and value investors lean on), minus 1, in percent: the median "
               "stock of each segment (line) and its 10-90% range (band). Look for microcaps sold far below "
               "value in the crash (a fire-sale discount that fundamentals do not explain) and for how much of "
               "it the rebound closes.")
    if not run.has(run.close, run.value) or run.n_days == 0:
        return Figure(fid, title, caption, note="No closes or fundamental values (/market/stocks/value) in this run log.")
    with np.errstate(divide="ignore", invalid="ignore"):
        mis = 100 * (run.close / np.where(run.value > 0, run.value, np.nan) - 1.0)
    seg, names = _segments(run, mis.shape[1])
    fig, ax = plt.subplots(figsize=(10, 4))
    x = np.arange(run.n_days)
    cols = {}
    for s, name in enumerate(names):
        m = mis[:, seg == s]
        if m.shape[1] == 0 or not np.isfinite(m).any():
            continue
        med = np.nanmedian(m, axis=1)
        lo, hi = np.nanpercentile(m, 10, axis=1), np.nanpercentile(m, 90, axis=1)
        color = SEG_COLORS[s % 3]
        ax.fill_between(x, lo, hi, color=color, alpha=0.15)
        ax.plot(x, med, color=color, marker="o", ms=3, lw=1.5, label=f"{name} ({m.shape[1]})")
        cols.update({f"{name}_p10_pct": lo, f"{name}_median_pct": med, f"{name}_p90_pct": hi})
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_ylabel("close / value − 1 (%)")
    ax.set_title(title)
    ax.legend(fontsize="small")
    day_axis(ax, run.dates)
    ax.set_xlim(-0.6, run.n_days - 0.4)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig), data=day_frame(run, **cols))


def fig_heatmap(run):
    fid, title = "heatmap", "Daily returns, stock by day, with limit-down closes marked"
    caption = ("One row per stock (grouped by segment, microcaps on top; within a segment ordered by return over "
               "the run, worst first), one column per day: the close-to-close return (the first day: close over "
               "open), red down, green up, the colour scale ending at the most common price limit (±10% on "
               "most stocks). A black cell marks a stock that closed at limit-down. Look for the crash day as a "
               "black and red column across the microcaps while large caps stay pale, and for the same names "
               "locked day after day.")
    if not run.has(run.close) or run.n_days == 0:
        return Figure(fid, title, caption, note="No daily closes in this run log (no day finished).")
    close = run.close
    first = run.open[0] if run.has(run.open) else np.full(close.shape[1], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ret = close / np.vstack([first[None, :], close[:-1]]) - 1.0
        total = close[-1] / first - 1.0
    seg, names = _segments(run, close.shape[1])
    micro = names.index("microcap") if "microcap" in names else 0
    seg_rank = np.where(seg == micro, -1, seg.astype(int))
    order = np.lexsort((np.nan_to_num(total, nan=0.0), seg_rank))   # by segment (microcaps first), then total
    r = ret[:, order].T
    ld = (run.limit_down[:, order].T > 0) if run.has(run.limit_down) else np.zeros_like(r, bool)
    lim = float(np.nanmedian(run.limit_pct)) / 100 if run.has(run.limit_pct) else 0.1   # percent in the log
    lim = lim if np.isfinite(lim) and lim > 0 else 0.1
    n = r.shape[0]
    fig, ax = plt.subplots(figsize=(10, min(9.0, max(4.0, 2.5 + n / 120))))
    im = ax.imshow(100 * r, aspect="auto", cmap="RdYlGn", vmin=-100 * lim, vmax=100 * lim, interpolation="nearest",
                   extent=(-0.5, run.n_days - 0.5, n - 0.5, -0.5))
    locked = np.ma.masked_where(~ld, np.ones_like(r))
    ax.imshow(locked, aspect="auto", cmap=ListedColormap(["black"]), interpolation="nearest",
              extent=(-0.5, run.n_days - 0.5, n - 0.5, -0.5))
    ax.plot([], [], "s", color="black", ms=5, ls="none", label=f"closed limit-down ({int(ld.sum())} stock-days)")
    pos = 0
    for s in sorted(set(seg_rank.tolist())):
        k = int((seg_rank == s).sum())
        name = names[micro] if s == -1 else names[s]
        ax.axhline(pos - 0.5, color="k", lw=0.6)
        ax.annotate(f"{name} ({k})", (1.005, 1 - (pos + k / 2) / n), xycoords="axes fraction", fontsize="x-small",
                    rotation=90, va="center")
        pos += k
    ax.set_ylabel("stock (by segment, worst first)")
    ax.set_yticks([])
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="daily return (%)", pad=0.04)
    ax.legend(fontsize="x-small", loc="lower left", framealpha=0.8)
    day_axis(ax, run.dates)
    ax.set_xlim(-0.5, run.n_days - 0.5)
    ax.grid(False)
    fig.tight_layout()
    stocks = np.asarray(run.stocks if len(run.stocks) == close.shape[1] else [f"#{k}" for k in range(close.shape[1])])
    days = [d.strftime("%Y-%m-%d") for d in run.dates]
    data = pd.DataFrame({"date": np.repeat(days, close.shape[1]), "stock": np.tile(stocks, run.n_days),
                         "segment": np.tile([names[s] for s in seg], run.n_days), "return": ret.ravel(),
                         "limit_down": (run.limit_down.ravel() if run.has(run.limit_down) else 0)})
    return Figure(fid, title, caption, render(fig), data=data)


def _liquidity(run, rows):
    """Per-step liquidity of the recorded stocks over `rows` (a slice), or a note when there is none."""
    if not run.has_liquidity:
        return None, "No order-book liquidity in this run log (/market/stocks/bid_depth_2pct, limit_down_queue)."
    rec = run.liquidity_recorded
    cols = np.flatnonzero(rec > 0) if run.has(rec) else np.arange(len(run.stocks))
    if len(cols) == 0:
        return None, "No stock's liquidity was recorded in this run (output.liquidity_stocks_per_segment = 0)."
    get = {k: run.read(f"market/stocks/{k}", rows, cols) for k in
           ("bid_depth_2pct", "ask_depth_2pct", "best_bid", "best_ask", "limit_down_queue")}
    if any(v is None for v in get.values()):
        return None, "This run log lacks part of the order-book liquidity datasets."
    price = run.read("market/stocks/last_price", rows, cols) if run.last_price is not None else None
    mid = np.where((get["best_bid"] > 0) & (get["best_ask"] > 0), (get["best_bid"] + get["best_ask"]) * TICK / 2, np.nan)
    if price is None or not np.isfinite(price).any():
        price = mid
    get["price"] = np.where(np.isfinite(price), price, mid)
    get["cols"] = cols
    return get, None


def fig_depth(run):
    fid, title = "depth", "Order-book depth and the limit-down queue over the crash days"
    caption = ("Over the crash days (the worst microcap day, two days before and three after; every day of a short "
               "run), per step, for the stocks whose liquidity the log records: top, the value resting within 2% of "
               "the reference price on the bid (solid) and ask (dashed) side, summed per segment (million yuan, log "
               "axis); middle, stocks locked limit-down (sell orders queued at the limit-down price, no bid); "
               "bottom, the value of those queues (shares × the limit-down price). Look for bid depth vanishing "
               "as the queue builds: a locked fire sale where sellers cannot sell at any price the rules allow.")
    if len(run.x_step) == 0 or run.n_days == 0:
        return Figure(fid, title, caption, note="No steps in this run log.")
    first, last = run.crash_window()
    rows = run.step_rows_of_days(first, last)
    liq, note = _liquidity(run, rows)
    if liq is None:
        return Figure(fid, title, caption, note=note)
    seg, names = _segments(run, len(run.stocks))
    seg = seg[liq["cols"]]
    x = run.x_step[rows]
    locked = (liq["limit_down_queue"] > 0) & (liq["best_bid"] <= 0)
    ld_price = np.where(liq["best_ask"] > 0, liq["best_ask"] * TICK, liq["price"])
    queue = np.where(liq["limit_down_queue"] > 0, liq["limit_down_queue"] * ld_price, 0.0)
    fig, (ax1, ax2, ax3) = plt.subplots(3, 1, figsize=(10, 8), sharex=True, gridspec_kw={"height_ratios": [3, 2, 2]})
    cols = {}
    for s, name in enumerate(names):
        m = seg == s
        if not m.any():
            continue
        color = SEG_COLORS[s % 3]
        bid = np.nansum(np.where(liq["bid_depth_2pct"][:, m] > 0, liq["bid_depth_2pct"][:, m] * liq["price"][:, m], 0), 1)
        ask = np.nansum(np.where(liq["ask_depth_2pct"][:, m] > 0, liq["ask_depth_2pct"][:, m] * liq["price"][:, m], 0), 1)
        n_locked = locked[:, m].sum(1)
        q = np.nansum(queue[:, m], 1)
        ax1.plot(x, np.where(bid > 0, bid / 1e6, np.nan), color=color, lw=1.1, label=f"{name} bid ({int(m.sum())} stocks)")
        ax1.plot(x, np.where(ask > 0, ask / 1e6, np.nan), color=color, lw=0.9, ls="--", label=f"{name} ask")
        ax2.plot(x, n_locked, color=color, lw=1.1, label=name)
        ax3.plot(x, q / 1e6, color=color, lw=1.1, label=name)
        cols.update({f"{name}_bid_depth_2pct_yuan": bid, f"{name}_ask_depth_2pct_yuan": ask,
                     f"{name}_locked_limit_down": n_locked, f"{name}_limit_down_queue_yuan": q})
    ax1.set_yscale("log")
    ax1.set_ylabel("depth within 2% (million yuan)")
    ax1.set_title(title)
    ax1.legend(fontsize="x-small", ncol=3)
    ax1.grid(alpha=0.3, which="both")
    ax2.set_ylabel(f"stocks locked (of {len(liq['cols'])})")
    ax2.legend(fontsize="x-small")
    ax2.grid(alpha=0.3)
    ax3.set_ylabel("limit-down queue (million yuan)")
    ax3.legend(fontsize="x-small")
    day_axis(ax3, run.dates)
    ax3.set_xticks(range(first, last + 2))
    ax3.set_xticklabels([run.dates[d].strftime("%m-%d") if d < run.n_days else "" for d in range(first, last + 2)],
                        fontsize="small")
    ax3.set_xlim(first - 0.05, last + 1.05)
    fig.tight_layout()
    data = step_frame(run).iloc[rows].reset_index(drop=True)
    for k, v in cols.items():
        data[k] = v
    return Figure(fid, title, caption, render(fig), data=data)


def fig_intraday(run):
    fid, title = "intraday", "The worst day, step by step"
    caption = ("The day with the worst microcap index return, at every step: both indices (and the median stock "
               "of those with step prices) relative to the previous close, in percent; on the right axis, the "
               "stocks locked limit-down, where the log records liquidity. Look for when in the session the fall "
               "comes (the open, a cascade after the first margin calls, the last half hour) and whether a lift of "
               "the hedged index leaves the microcaps behind.")
    w = run.worst_day()
    if w is None or len(run.x_step) == 0:
        return Figure(fid, title, caption, note="No day with a return in this run log.")
    rows = run.step_rows_of_days(w, w)
    if rows.stop <= rows.start:
        return Figure(fid, title, caption, note="The worst day has no steps in this run log.")
    k = np.arange(rows.stop - rows.start)
    minute = run.step_minute if run.has(run.step_minute) else None
    if minute is not None and len(minute) >= len(k):
        t = minute[: len(k)].astype(float)
        xlabel = "time of day"
    else:
        t, xlabel = k.astype(float), "step of the day"
    fig, ax = plt.subplots(figsize=(10, 4.5))
    cols = {"step": run.step[rows], "time_minute": t}
    drawn = 0
    for name, steps, close, color in (("hedged index", run.hedged, run.hedged_close, "k"),
                                      ("microcap index", run.microcap, run.microcap_close, COLORS[3])):
        if not run.has(steps):
            continue
        prev = close[w - 1] if w > 0 and run.has(close) else steps[0]
        y = 100 * (steps[rows] / prev - 1)
        ax.plot(t, y, color=color, lw=1.4, label=name)
        cols[name.replace(" ", "_") + "_pct"] = y
        drawn += 1
    if run.last_price is not None and run.has(run.close):
        p = run.read("market/stocks/last_price", rows)
        prev = run.close[w - 1] if w > 0 else p[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            med = 100 * np.nanmedian(p / prev - 1, axis=1) if np.isfinite(p).any() else None
        if med is not None:
            ax.plot(t, med, color=COLORS[0], lw=1.0, ls="--", label=f"median stock ({p.shape[1]})")
            cols["median_stock_pct"] = med
            drawn += 1
    if not drawn:
        plt.close(fig)
        return Figure(fid, title, caption, note="No per-step prices of the indices or of stocks in this run log.")
    liq, _ = _liquidity(run, rows)
    if liq is not None:
        locked = ((liq["limit_down_queue"] > 0) & (liq["best_bid"] <= 0)).sum(1)
        ax2 = ax.twinx()
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax2.fill_between(t, 0, locked, step="post", color="#d62728", alpha=0.15, label="stocks locked limit-down (right)")
        ax2.set_ylabel(f"locked limit-down (of {len(liq['cols'])})")
        ax2.set_ylim(bottom=0)
        ax2.legend(fontsize="x-small", loc="lower right")
        cols["locked_limit_down"] = locked
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_ylabel("change from previous close (%)")
    ax.set_title(f"{title}: {run.dates[w].strftime('%Y-%m-%d')}")
    ax.legend(fontsize="x-small", loc="lower left")
    if xlabel == "time of day":
        ticks = [m for m in t if m % 30 == 0] or list(t[:: max(1, len(t) // 8)])
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{int(m) // 60:02d}:{int(m) % 60:02d}" for m in ticks], fontsize="small")
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return Figure(fid, title, caption, render(fig), data=pd.DataFrame(cols))
