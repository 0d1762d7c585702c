"""The HTML of a report page: tables (summary, events, scenario), figures and the page itself."""
import base64
import datetime
import html
import math
import os
import sys

from .common import InputError, excess_kurtosis
from .load import overrides_of


CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.meta { color: #555; }
.warn { background: #fff3cd; border: 1px solid #e0c36a; padding: 0.6em 1em; margin: 1em 0; }
.note { background: #f3f3f3; border-left: 4px solid #999; padding: 0.6em 1em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f5f5f5; }
.scroll { overflow-x: auto; } .diff { color: #666; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92em; max-width: 60em; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
nav a { margin-right: 0.8em; }
"""

# Labels of the summary measures for run logs written before /meta/summary_metrics, and for
# ensemble files (tools/report_ensemble.py). A run log carries each measure's label, units and doc
# itself (Run.metric_label): a new measure needs nothing here.
METRIC_LABELS = {
    "hedged_return": "hedged index return",
    "hedged_max_drawdown": "hedged index max drawdown",
    "hedged_worst_day": "hedged index worst day",
    "microcap_return": "microcap index return",
    "microcap_max_drawdown": "microcap index max drawdown",
    "microcap_worst_day": "microcap index worst day",
    "deepest_basis_annualised": "deepest closing basis (main contract)",
    "max_limit_down": "most stocks closing limit-down (one day)",
    "max_limit_up": "most stocks closing limit-up (one day)",
    "forced_share_of_microcap_selling": "forced share of microcap selling",
    "worst_day_forced_share_of_microcap_selling": "forced share of microcap selling, highest day",
    "trades": "trades",
    "dma_accounts": "DMA accounts",
    "dma_accounts_liquidated": "DMA accounts liquidated",
    "dma_liquidated_share": "share of DMA accounts liquidated",
    "dma_accounts_margin_called": "DMA accounts margin-called",
    "margin_calls": "margin-call warnings",
    "broker_shortfall": "broker shortfall (yuan)",
    "broker_shortfall_accounts": "accounts leaving a broker shortfall",
    "dma_median_return": "DMA account return (median)",
    "dma_median_max_drawdown": "DMA account max drawdown (median)",
    "neutral_funds": "neutral funds",
    "neutral_median_return": "neutral fund return (median)",
    "neutral_median_max_drawdown": "neutral fund max drawdown (median)",
    "neutral_median_worst_3day": "neutral fund worst 3-day NAV change (median)",
}
PERCENT_WORDS = ("return", "drawdown", "worst", "basis", "share", "3day")


def fmt_metric(name, v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if "share" in name:
        return f"{100 * v:.2f}%"
    if any(w in name for w in PERCENT_WORDS):
        return f"{100 * v:+.2f}%"
    if "shortfall" in name and "accounts" not in name:
        return f"{v:,.0f}"
    if float(v).is_integer():
        return f"{int(v):,}"
    if abs(v) >= 1000:   # a count's percentile between two runs: grouped digits, as the median beside it
        return f"{v:,.0f}"
    return f"{v:.4g}"


def ordered_metrics(summaries, order=()):
    """The measures any of `summaries` has: in `order` (a log's /meta/summary_metrics), then as above."""
    names = list(order) + [n for n in METRIC_LABELS if n not in order]
    for s in summaries:
        names += [k for k in s if k not in names]
    return [n for n in names if any(n in s for s in summaries)]


def esc(x):
    return html.escape(str(x))


def figure_html(fig, fig_dir=None, prefix=""):
    """The figure's <figure> element (its PNG embedded); with fig_dir also writes its files there."""
    out = [f'<figure id="{esc(fig.fid)}">', f"<h3>{esc(fig.title)}</h3>"]
    if fig.note:
        out.append(f'<p class="note">{esc(fig.note)}</p>')
    if fig.png:
        data = base64.b64encode(bytes(fig.png)).decode("ascii")
        out.append(f'<img id="fig-{esc(fig.fid)}" alt="{esc(fig.title)}" src="data:image/png;base64,{data}">')
    if fig_dir:
        fig.write_files(fig_dir, prefix)
    if fig.caption:
        out.append(f"<figcaption>{esc(fig.caption)}</figcaption>")
    out.append("</figure>")
    return "\n".join(out)


def page(title, body):
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n<title>{esc(title)}</title>\n'
            f"<style>{CSS}</style></head>\n<body>\n{body}\n"
            f'<p class="meta">Made by tools/report.py on {stamp}.</p>\n</body></html>\n')


def summary_table(run):
    if not run.summary:
        return '<p class="note">No summary attributes in this run log (the run did not finish).</p>'
    rows = [f"<tr><td title=\"{esc(run.metric_info.get(n, {}).get('doc', ''))}\">{esc(run.metric_label(n))}</td>"
            f"<td class=\"num\">{esc(fmt_metric(n, run.summary[n]))}</td><td><code>summary_{esc(n)}</code></td></tr>"
            for n in ordered_metrics([run.summary], run.metric_info)]
    return "<table><tr><th>measure</th><th>value</th><th>attribute</th></tr>\n" + "\n".join(rows) + "</table>"


def events_table(run):
    if not run.events:
        return '<p class="note">No events in this run log.</p>'
    rows = []
    for kind in sorted(run.events):
        df = run.events[kind]
        reasons = ""
        if "reason" in df and len(df) and df["reason"].nunique() <= 8:
            counts = df["reason"].value_counts()
            reasons = ", ".join(f"{esc(k)} {v}" for k, v in counts.items())
        classes = ", ".join(sorted(df["agent_class"].unique())) if "agent_class" in df and len(df) else ""
        rows.append(f"<tr><td title=\"{esc(run.event_kinds.get(kind, {}).get('doc', ''))}\">{esc(run.event_label(kind))} "
                    f"(<code>{esc(kind)}</code>)</td><td class=\"num\">{len(df):,}</td>"
                    f"<td>{esc(classes)}</td><td>{reasons}</td></tr>")
    return ("<table><tr><th>event kind</th><th>rows</th><th>agent classes</th><th>reasons</th></tr>\n"
            + "\n".join(rows) + "</table>")


def params_table(run):
    if not run.params:
        return '<p class="note">No resolved scenario in this run log.</p>'
    rows, last = [], None
    for (section, key), (value, comment) in run.params.items():
        if section != last:
            rows.append(f'<tr><th colspan="3">[{esc(section)}]</th></tr>' if section else
                        '<tr><th colspan="3">(top level)</th></tr>')
            last = section
        if isinstance(value, str):
            shown = value
        elif isinstance(value, list):
            shown = ", ".join(map(str, value)) or "(none)"
        else:
            shown = str(value).lower() if isinstance(value, bool) else str(value)
        rows.append(f"<tr><td><code>{esc(key)}</code></td><td class=\"num\">{esc(shown)}</td><td>{esc(comment)}</td></tr>")
    return "<table><tr><th>key</th><th>value</th><th>unit; meaning</th></tr>\n" + "\n".join(rows) + "</table>"


def stylised_text(series):
    if not series:
        return ""
    items = "".join(f"<li>{esc(name)}: excess kurtosis <b>{excess_kurtosis(r):.2f}</b> (n = {len(r):,})</li>"
                    for name, r in series)
    return f"<p>Excess kurtosis (0 for a normal distribution):</p><ul>{items}</ul>"


def report_html(run, figures, series, png_dir):
    title = f"stampede run '{run.scenario}'"
    period = (f"{run.dates[0].date()} to {run.dates[-1].date()}, {run.n_days} trading days" if run.n_days
              else "no trading day written")
    meta = [period, f"{len(run.stocks)} stocks", f"seed {run.seed}" if run.seed is not None else "",
            f"{int(run.attrs['threads'])} threads" if "threads" in run.attrs else "",
            f"git {run.attrs.get('git_sha', '?')}", f"written {run.attrs.get('created_utc', '?')}"]
    body = [f"<h1>{esc(title)}</h1>",
            f'<p class="meta">{esc(os.path.abspath(run.path))}<br>{esc(" · ".join(m for m in meta if m))}</p>']
    note = run.incomplete_note()
    if note:
        body.append(f'<p class="warn">{esc(note)}</p>')
    missing = [f.title for f in figures if f.png is None]
    if missing:
        body.append(f'<p class="warn">Parts of this run log are missing or empty, so some figures are replaced '
                    f'by a note: {esc(", ".join(missing))}.</p>')
    overrides = overrides_of(run.scenario_resolved)
    if overrides:
        body.append("<p>Overrides: " + " ".join(f"<code>--set {esc(o)}</code>" for o in overrides) + "</p>")
    body.append("<nav>" + " ".join(f'<a href="#{esc(f.fid)}">{esc(f.title)}</a>' for f in figures)
                + ' <a href="#summary">summary</a> <a href="#scenario">scenario</a></nav>')
    body.append('<h2 id="summary">Summary</h2>')
    body.append("<p>The figures <code>stampede run</code> printed at the end, from the run log's root "
                "<code>summary_*</code> attributes.</p>")
    body.append(summary_table(run))
    body.append("<h2>Figures</h2>")
    body.extend(figure_html(f, png_dir) for f in figures)
    body.append(stylised_text(series))
    body.append('<h2 id="events">Events</h2>')
    body.append(events_table(run))
    body.append('<h2 id="scenario">Scenario</h2>')
    body.append("<p>The scenario with every default filled in, as stored in <code>/meta/scenario_resolved</code> "
                "(re-running it reproduces the run).</p>")
    body.append(params_table(run))
    if run.scenario_resolved:
        body.append(f"<details><summary>resolved scenario (TOML)</summary><pre>{esc(run.scenario_resolved)}</pre></details>")
    if run.scenario_toml and run.scenario_toml != run.scenario_resolved:
        body.append(f"<details><summary>scenario file as given</summary><pre>{esc(run.scenario_toml)}</pre></details>")
    return page(title, "\n".join(body))


def compare_html(runs, figures, png_dir):
    title = "stampede runs compared: " + ", ".join(r.label for r in runs)
    body = [f"<h1>{esc(title)}</h1>"]
    rows = []
    for r in runs:
        period = f"{r.dates[0].date()} to {r.dates[-1].date()}" if r.n_days else "no day written"
        status = "complete" if r.complete else "<b>did not finish</b>"
        rows.append(f"<tr><td>{esc(r.label)}</td><td>{esc(r.path)}</td><td>{esc(r.scenario)}</td>"
                    f"<td class=\"num\">{esc(r.seed)}</td><td>{esc(period)} ({r.n_days} days)</td><td>{status}</td></tr>")
    body.append("<table><tr><th>label</th><th>file</th><th>scenario</th><th>seed</th><th>period</th><th>run</th></tr>"
                + "\n".join(rows) + "</table>")
    for r in runs:
        if not r.complete:
            body.append(f'<p class="warn">{esc(r.label)}: {esc(r.incomplete_note())}</p>')
    body.append('<h2 id="summary">Summary metrics</h2>')
    names = ordered_metrics([r.summary for r in runs], next((r.metric_info for r in runs if r.metric_info), ()))
    head = "".join(f"<th>{esc(r.label)}</th>" for r in runs)
    labelled = next((r for r in runs if r.metric_info), runs[0]) if runs else None
    trs = [f"<tr><td>{esc(labelled.metric_label(n))}</td>"
           + "".join(f'<td class="num">{esc(fmt_metric(n, r.summary.get(n)))}</td>' for r in runs) + "</tr>"
           for n in names]
    body.append(f"<table><tr><th>measure</th>{head}</tr>\n" + "\n".join(trs) + "</table>" if names else
                '<p class="note">None of these run logs has summary attributes.</p>')
    body.append('<h2 id="figures">Figures</h2>')
    body.extend(figure_html(f, png_dir) for f in figures)
    # Scenario keys whose values differ between the runs: what the comparison is about.
    keys = []
    for r in runs:
        keys += [k for k in r.params if k not in keys]
    diff = [k for k in keys if len({repr(r.params.get(k, (None,))[0]) for r in runs}) > 1]
    body.append('<h2 id="scenario">Scenario differences</h2>')
    if diff:
        trs = [f"<tr><td><code>{esc(('%s.' % s) if s else '')}{esc(k)}</code></td>"
               + "".join(f'<td class="num">{esc(r.params.get((s, k), ("(absent)",))[0])}</td>' for r in runs) + "</tr>"
               for s, k in diff]
        body.append(f"<table><tr><th>key</th>{head}</tr>\n" + "\n".join(trs) + "</table>")
    else:
        body.append("<p>The resolved scenarios are identical.</p>")
    return page(title, "\n".join(body))


def check_same_days(runs, allow):
    """Runs set side by side day by day must share their trading days. Refused (InputError) when
    they do not, unless `allow`: then the warning text for the page (also printed), else None."""
    days = [(r.label, [d.strftime("%Y-%m-%d") for d in r.dates]) for r in runs]
    if all(d == days[0][1] for _, d in days):
        return None
    parts = "; ".join(f"{label}: {len(d)} trading days" + (f" from {d[0]} to {d[-1]}" if d else "") for label, d in days)
    if not allow:
        raise InputError(f"runs of different lengths or calendars cannot be set side by side day by day ({parts}); "
                         "--allow-different-days overlays them anyway")
    text = f"These runs do not share their trading days ({parts}): the figures set them side by side by trading-day index."
    print(f"report.py: warning: {text}", file=sys.stderr)
    return text

