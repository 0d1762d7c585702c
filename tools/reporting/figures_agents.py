"""The figures of one run read from the agents: buyers against sellers by class, futures positions by
class, and the events (knock-ins, margin calls, liquidations, the state's interventions) on the
index chart. Each takes a Run and returns a Figure (a note when the log lacks the data)."""
import numpy as np

from . import common
from .common import Figure, class_color, day_axis, render, step_frame

common._load_plotting()
plt, pd, COLORS = common.plt, common.pd, common.COLORS


def fig_flows(run):
    fid, title = "flows", "Buyers against sellers by agent class"
    caption = ("Value bought (above zero) and sold (below zero) each day by each agent class (/agents/flows): top, "
               "microcaps; bottom, every class's net buying (bought − sold) over all segments, in 100 million yuan. "
               "Sales are forced and voluntary together (the forced part is in the selling figure). Look for who "
               "takes the other side of the forced sellers in the crash (makers, value investors, the national "
               "team) and for a class turning from buyer to seller.")
    buy, sf, sv = (run.flows.get(k) for k in ("buy", "sell_forced", "sell_voluntary"))
    if not run.has(buy, sf, sv) or run.n_days == 0:
        return Figure(fid, title, caption, note="No flows by class in this run log (/agents/flows).")
    classes = run.flow_classes
    sold = sf + sv
    micro = run.segment_names.index("microcap") if "microcap" in run.segment_names else 0
    scale = 1e8
    x = np.arange(run.n_days)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    up, down = np.zeros(run.n_days), np.zeros(run.n_days)
    for c, name in enumerate(classes):
        b, s = buy[:, c, micro] / scale, sold[:, c, micro] / scale
        if b.sum() <= 0 and s.sum() <= 0:
            continue
        ax1.bar(x, b, bottom=up, width=0.8, color=class_color(c), label=run.class_label(name))
        ax1.bar(x, -s, bottom=-down, width=0.8, color=class_color(c), alpha=0.6)
        up += b
        down += s
    ax1.axhline(0, color="k", lw=0.6)
    ax1.set_ylabel("microcaps: bought (+) / sold (−), 100m yuan")
    ax1.set_title(title)
    ax1.legend(fontsize="x-small", ncol=3)
    ax1.grid(alpha=0.3)
    net = (buy - sold).sum(axis=2) / scale
    for c, name in enumerate(classes):
        if np.any(buy[:, c].sum(1) > 0) or np.any(sold[:, c].sum(1) > 0):
            ax2.plot(x, net[:, c], marker="o", ms=3, color=class_color(c), label=run.class_label(name))
    ax2.axhline(0, color="k", lw=0.6)
    ax2.set_ylabel("net bought, all segments")
    ax2.legend(fontsize="x-small", ncol=3)
    day_axis(ax2, run.dates)
    ax2.set_xlim(-0.6, run.n_days - 0.4)
    fig.tight_layout()
    n_c, n_s = buy.shape[1], buy.shape[2]
    segs = [run.segment_names[s] if s < len(run.segment_names) else str(s) for s in range(n_s)]
    days = [d.strftime("%Y-%m-%d") for d in run.dates]
    data = pd.DataFrame({"date": np.repeat(days, n_c * n_s), "agent_class": np.tile(np.repeat(classes[:n_c], n_s), run.n_days),
                         "segment": np.tile(segs, run.n_days * n_c), "bought_yuan": buy.ravel(),
                         "sold_forced_yuan": sf.ravel(), "sold_voluntary_yuan": sv.ravel()})
    return Figure(fid, title, caption, render(fig), data=data)


def fig_futures_positions(run):
    fid, title = "futures_positions", "Futures positions by agent class"
    caption = ("Each class's net position in index futures after each close (long − short, contracts, both slots "
               "together; /agents/futures), with the open interest (grey bars). Look for the snowball issuers' "
               "long hedge being dumped as notes knock in, the hedgers' (neutral and index-enhanced funds') shorts "
               "rolling or being cut, and who holds the other side: the futures makers.")
    if not run.has(run.fut_long, run.fut_short) or run.n_days == 0:
        return Figure(fid, title, caption, note="No futures positions by class in this run log (/agents/futures).")
    long_, short = run.fut_long.astype(float), run.fut_short.astype(float)
    net = (long_ - short).sum(axis=2)
    oi = long_.sum(axis=(1, 2))
    if not np.any(long_ + short):
        return Figure(fid, title, caption, note="No class held a futures position in this run.")
    x = np.arange(run.n_days)
    fig, ax = plt.subplots(figsize=(10, 5))
    ax2 = ax.twinx()
    ax2.bar(x, oi, width=0.8, color="#cccccc", alpha=0.6, label="open interest (right)")
    ax2.set_ylim(0, max(1.0, float(oi.max())) * 2.5)   # the bars keep to the lower part of the panel
    ax2.set_ylabel("open interest (contracts)")
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    classes = run.classes[: net.shape[1]]
    for c, name in enumerate(classes):
        if not np.any(long_[:, c] + short[:, c]):
            continue
        ax.plot(x, net[:, c], marker="o", ms=3, lw=1.4, color=class_color(c), label=run.class_label(name))
    ax.axhline(0, color="k", lw=0.6)
    ax.set_ylabel("net position (contracts)")
    ax.set_title(title)
    # one legend under the panel: inside it, any corner hides a class's line on some run
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(handles=handles, fontsize="x-small", ncol=min(len(handles), 6), loc="upper center",
              bbox_to_anchor=(0.5, -0.14), frameon=False)
    day_axis(ax, run.dates)
    ax.set_xlim(-0.6, run.n_days - 0.4)
    fig.tight_layout()
    n_c, n_s = long_.shape[1], long_.shape[2]
    slots = run.fut_slots if len(run.fut_slots) == n_s else [str(s) for s in range(n_s)]
    days = [d.strftime("%Y-%m-%d") for d in run.dates]
    codes = [run.fut_code[d][s] if d < len(run.fut_code) and s < len(run.fut_code[d]) else ""
             for d in range(run.n_days) for _ in range(n_c) for s in range(n_s)]
    data = pd.DataFrame({"date": np.repeat(days, n_c * n_s), "agent_class": np.tile(np.repeat(classes, n_s), run.n_days),
                         "futures_slot": np.tile(slots, run.n_days * n_c), "contract": codes,
                         "long": run.fut_long.ravel(), "short": run.fut_short.ravel(),
                         "net": (run.fut_long - run.fut_short).ravel()})
    return Figure(fid, title, caption, render(fig), data=data)


# (event kind, reason filter, label, marker, colour, index it is drawn on)
EVENT_MARKS = [("knock_ins", None, "snowball knock-ins", "v", "#9467bd", "hedged"),
               ("margin_calls", "warning", "margin calls", "o", "#ff7f0e", "microcap"),
               ("liquidations", "start_", "liquidations started", "X", "#d62728", "microcap"),
               ("interventions", "buy", "national team buys", "^", "#2ca02c", "hedged")]


def fig_events(run):
    fid, title = "events", "Indices with knock-ins, margin calls, liquidations and interventions"
    caption = ("Both indices relative to their first step, with the events of /events marked where they happened: "
               "snowball knock-ins (purple, on the hedged index), DMA margin-call warnings and liquidations started "
               "(orange and red, on the microcap index; marker area grows with the count in the step) and the "
               "national team's buying (green, on the hedged index; dashed green lines where it starts and stops). "
               "Look for the sequence: the index falls through knock-in barriers, the basis discount and margin "
               "calls follow, liquidations cluster on locked days, and the state's buying lifts the hedged index "
               "but not the microcaps.")
    if not run.has(run.hedged, run.microcap) or len(run.x_step) == 0:
        return Figure(fid, title, caption, note="No index series in this run log (no steps written).")
    if not run.events:
        return Figure(fid, title, caption, note="No event tables in this run log (/events).")
    x = run.x_step
    rel = {"hedged": run.hedged / run.hedged[0], "microcap": run.microcap / run.microcap[0]}
    fig, ax = plt.subplots(figsize=(10, 5))
    ax.plot(x, rel["hedged"], color="k", lw=1.1, label="hedged index")
    ax.plot(x, rel["microcap"], color=COLORS[3], lw=1.1, label="microcap index")
    parts = []
    for kind, reason, label, marker, color, on in EVENT_MARKS:
        df = run.events.get(kind)
        if df is None or len(df) == 0:
            continue
        if reason is not None:
            df = df[df["reason"].str.startswith(reason)]
        if len(df) == 0:
            continue
        steps, counts = np.unique(df["step"].to_numpy(), return_counts=True)
        idx = np.clip(np.searchsorted(run.step, steps), 0, len(run.step) - 1)
        ax.scatter(x[idx], rel[on][idx], s=20 + 12 * np.sqrt(counts), marker=marker, color=color, zorder=3,
                   edgecolors="k", linewidths=0.4, label=f"{label} ({int(counts.sum())})")
        parts.append(pd.DataFrame({"kind": kind, "reason": reason or "", "step": steps, "x_day": x[idx],
                                   "count": counts, f"{on}_rel": rel[on][idx]}))
    iv = run.events.get("interventions")
    if iv is not None and len(iv):
        for level, why in enumerate(("start", "stop")):
            for st in iv.loc[iv["reason"] == why, "step"].to_numpy():
                i = min(np.searchsorted(run.step, st), len(x) - 1)
                ax.axvline(x[i], color="#2ca02c", ls="--", lw=0.9)
                ax.annotate(f"national team {why}", (x[i], 1), xycoords=("data", "axes fraction"), xytext=(3, -12 - 11 * level),
                            textcoords="offset points", fontsize="x-small", color="#2ca02c")
                parts.append(pd.DataFrame({"kind": ["interventions"], "reason": [why], "step": [st], "x_day": [x[i]],
                                           "count": [1]}))
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_ylabel("relative to first step")
    ax.set_title(title)
    ax.legend(fontsize="x-small", ncol=2, loc="lower left")
    day_axis(ax, run.dates)
    fig.tight_layout()
    if parts:
        data = pd.concat(parts, ignore_index=True)
        data.insert(3, "date", step_frame(run)["date"].to_numpy()[np.clip(np.searchsorted(run.step, data["step"]), 0,
                                                                           len(run.step) - 1)])
    else:
        data = pd.DataFrame({"kind": [], "reason": [], "step": [], "date": [], "x_day": [], "count": []})
    return Figure(fid, title, caption, render(fig), data=data)
