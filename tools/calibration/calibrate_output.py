"""What `stampede calibrate` writes in DIR: best.toml, evaluations.csv, moments.csv, result.txt and
loss.png (each through a temporary file and a rename; nothing in them depends on timing, -j or
whether the calibration was resumed), and the moment list of --list-moments."""
import csv
import io
import math
import os

from calibration import moments
from calibration.evaluate import coverage, term as loss_term, within


def _replace(path, write):
    tmp = path + ".tmp"
    write(tmp)
    os.replace(tmp, path)


def write_text(path, text):
    def w(tmp):
        with open(tmp, "w", newline="") as fh:
            fh.write(text)
    _replace(path, w)


def moment_list_text(markdown):
    """Every moment of moments.MOMENTS: name, unit, what it is (the table of docs/calibrate.md)."""
    out = io.StringIO()
    if markdown:
        out.write("| moment | unit | what |\n|---|---|---|\n")
    for m in moments.MOMENTS.values():
        unit = ("date (days since 1970-01-01)" if markdown else "date") if m.is_date else m.unit
        if markdown:
            out.write(f"| `{m.name}` | {unit} | {m.what} |\n")
        else:
            out.write(f"{m.name:<32} {unit:<8} {m.what}\n")
    return out.getvalue()


def _num(x):
    return repr(float(x)) if math.isfinite(x) else ("inf" if x == math.inf else "nan")


def evaluations_csv(params, specs, evals):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["evaluation", "phase", *[p.key for p in params], "loss", *[s.label for s in specs], "error"])
    for e in evals:
        w.writerow([e["index"], e["phase"], *[v for _, v in e["values"]], _num(e["loss"]),
                    *[_num(e["means"].get(s.label, math.nan)) for s in specs], e["error"]])
    return out.getvalue()


def moments_csv(specs, best, fresh):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["moment", "name", "window_first", "window_last", "target", "tolerance", "weight", "fitted",
                "fitted_within", "loss_term", "fresh", "fresh_within"])
    for s in specs:
        f, g = best["means"][s.label], fresh["means"].get(s.label, math.nan)
        term = loss_term(s, f)
        w.writerow([s.label, s.name, *(s.window or ("", "")), _num(s.target), _num(s.tolerance), _num(s.weight),
                    _num(f), int(within(s, f)), _num(term), _num(g), int(within(s, g))])
    return out.getvalue()


def best_toml(a, params, best, specs):
    scenario, outdir = os.path.abspath(a.scenario), os.path.abspath(a.output)
    # Relative to this file (as `base` is read) when the two share a directory below the root.
    shared = os.path.commonpath([scenario, outdir]) != os.path.sep
    base = os.path.relpath(scenario, outdir) if shared else scenario
    sets = " ".join(f"--set {s}" for s in a.set)
    lines = [f"# stampede calibrate: the best of {len(best['_all'])} evaluations (#{best['index']}, loss "
             f"{best['loss']:.6g} on seeds 1..{a.seeds}) against {a.targets}.",
             "# Only the fitted keys; everything else is the base scenario's."]
    if sets:
        lines.append(f"# Fitted with --set overrides; run it with the same: stampede run best.toml {sets} -o OUT.h5")
    lines.append(f'base = "{base}"')
    lines += [f"{k} = {v}" for k, v in best["values"]]
    return "\n".join(lines) + "\n"


def result_text(a, params, specs, evals, best, fresh, stopped):
    n = a.seeds
    fit_in, total = coverage(specs, best["means"])
    fresh_in, _ = coverage(specs, fresh["means"])
    out = io.StringIO()
    w = out.write
    w(f"stampede calibrate '{os.path.basename(a.scenario)}': {len(params)} key(s), {len(specs)} moment(s), "
      f"seeds 1..{n}, {len(evals)} evaluation(s) (budget {a.budget}; {stopped})\n")
    kind = " (per-seed)" if a.loss == "per-seed" else ""
    w(f"  best: evaluation #{best['index']} ({best['phase']}), loss{kind} {best['loss']:.6g} on seeds 1..{n}, "
      f"{_loss_text(fresh['loss'])} on the fresh seeds {fresh['seeds'][0]}..{fresh['seeds'][-1]}\n")
    width = max(len(p.key) for p in params)
    for (k, v), p in zip(best["values"], params):
        w(f"    {k:<{width}} = {v:<14} (bounds {p.lo:g}..{p.hi:g})\n")
    lw = max(len(s.label) for s in specs)
    w(f"  {'moment':<{lw}}  {'target':>10}  {'tolerance':>9}  {'seeds 1..' + str(n):>14}  "
      f"{'fresh ' + str(n + 1) + '..' + str(2 * n):>14}\n")
    for s in specs:
        f, g = best["means"][s.label], fresh["means"].get(s.label, math.nan)
        tol = f"{s.tolerance:g}" + (" d" if moments.MOMENTS[s.name].is_date else "")
        w(f"  {s.label:<{lw}}  {moments.format_value(s.name, s.target):>10}  {tol:>9}  "
          f"{moments.format_value(s.name, f):>10} {'yes' if within(s, f) else 'NO ':>3}  "
          f"{moments.format_value(s.name, g):>10} {'yes' if within(s, g) else 'NO ':>3}\n")
    w(f"  moment coverage ratio (within tolerance): {fit_in}/{total} ({fit_in / total:.0%}) on seeds 1..{n}, "
      f"{fresh_in}/{total} ({fresh_in / total:.0%}) on the fresh seeds {n + 1}..{2 * n}\n")
    if fresh["error"]:
        w(f"  fresh seeds: {fresh['error']}\n")
    failed = sum(1 for e in evals if not math.isfinite(e["loss"]))
    if failed:
        w(f"  {failed} evaluation(s) without a loss (a run failed or a moment was n/a): see evaluations.csv\n")
    w(f"  -> {os.path.join(a.output, 'best.toml')}, evaluations.csv, moments.csv, loss.png\n")
    return out.getvalue()


def _loss_text(x):
    return f"{x:.6g}" if math.isfinite(x) else "no loss"


def loss_png(path, evals, best, kind="mean"):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    xs = [e["index"] for e in evals]
    ys = [e["loss"] if math.isfinite(e["loss"]) else math.nan for e in evals]
    running, cur = [], math.inf
    for y in ys:
        cur = min(cur, y) if math.isfinite(y) else cur
        running.append(cur if math.isfinite(cur) else math.nan)
    colors = ["tab:blue" if e["phase"] == "halton" else "tab:orange" for e in evals]
    ax.scatter(xs, ys, c=colors, s=18, zorder=3)
    ax.plot(xs, running, color="black", lw=1.2, label="best so far")
    ax.scatter([], [], c="tab:blue", s=18, label="Halton start")
    ax.scatter([], [], c="tab:orange", s=18, label="Nelder-Mead")
    ax.scatter([best["index"]], [best["loss"]], marker="*", s=140, c="tab:red", zorder=4, label="best")
    if all(y > 0 for y in ys if math.isfinite(y)) and any(math.isfinite(y) for y in ys):
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("evaluation")
    ax.set_ylabel("loss: sum of weight x ((mean - target) / tolerance)^2" if kind == "mean" else
                  "loss: each seed's sum of weight x ((value - target) / tolerance)^2, averaged")
    ax.set_title("stampede calibrate: loss over the evaluations")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    _replace(path, lambda tmp: fig.savefig(tmp, format="png", metadata={"Software": None}))
    plt.close(fig)


def write_outputs(a, params, specs, evals, best, fresh, stopped):
    """Writes every output file of DIR and returns the result text (also in result.txt)."""
    best = dict(best, _all=evals)
    d = a.output
    write_text(os.path.join(d, "evaluations.csv"), evaluations_csv(params, specs, evals))
    write_text(os.path.join(d, "moments.csv"), moments_csv(specs, best, fresh))
    write_text(os.path.join(d, "best.toml"), best_toml(a, params, best, specs))
    text = result_text(a, params, specs, evals, best, fresh, stopped)
    write_text(os.path.join(d, "result.txt"), text)
    loss_png(os.path.join(d, "loss.png"), evals, best, a.loss)
    return text
