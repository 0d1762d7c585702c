"""Evaluating candidates for `stampede calibrate`: each candidate (values of the fitted keys) runs
`stampede run SCENARIO --seed K` on every seed, its moments are measured and saved, and the loss is
computed from their means over the seeds.

Every finished run leaves DIR/runs/<candidate>_seed<K>.json (its values and moments, written
through a temporary file and a rename) and its run log is deleted unless kept: these files are the
checkpoint a rerun resumes from. What the search sees depends only on them, never on the order in
which runs finished.
"""
import concurrent.futures
import hashlib
import json
import math
import os
import subprocess
import threading

from calibration import measures, moments
from calibration.measures import NA

RUNS_DIR = "runs"


class Interrupted(Exception):
    """A run stopped on SIGINT / SIGTERM (exit 130 / 143): the calibration stops, resumable."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def candidate_id(values):
    """16 hex digits naming a candidate: a hash of its 'key=value' lines."""
    text = "\n".join(f"{k}={v}" for k, v in values)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=1, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)


class Evaluator:
    """Runs candidates on seeds, `jobs` runs at a time, and returns their moments.

    exe: the stampede binary; scenario: its file; sets: the --set overrides of every run;
    specs: the TargetSpecs (moments and windows to measure); trading_dates: the run's calendar,
    checked against every log."""

    def __init__(self, exe, scenario, sets, specs, trading_dates, outdir, jobs, keep_logs, real, quiet):
        self.exe, self.scenario, self.sets, self.specs = exe, scenario, list(sets), specs
        self.trading_dates = list(trading_dates)
        self.runs_dir = os.path.join(outdir, RUNS_DIR)
        self.jobs, self.keep_logs, self.real, self.quiet = jobs, keep_logs, real, quiet
        self.runs_made = 0
        self.runs_reused = 0
        self._live = set()   # the runs under way, stopped together on an interrupt
        self._lock = threading.Lock()
        self._stopping = False

    def stop_all(self):
        """SIGTERM to every run under way (each stops at the end of its step, exit 143), and no new
        run starts: the calibration stops with what it saved."""
        with self._lock:
            self._stopping = True
            for proc in self._live:
                proc.terminate()

    def _path(self, values, seed, ext):
        return os.path.join(self.runs_dir, f"{candidate_id(values)}_seed{seed}.{ext}")

    def cached(self, values, seed):
        """The saved record of a finished run, or None."""
        path = self._path(values, seed, "json")
        if not os.path.exists(path):
            return None
        with open(path) as fh:
            rec = json.load(fh)
        if rec.get("values") != [list(v) for v in values] or rec.get("seed") != seed:
            raise RuntimeError(f"{path}: saved for other values or another seed (hash collision or edited file)")
        return rec

    def _run_one(self, values, seed):
        """Runs one (candidate, seed), measures its log, saves and returns the record."""
        log = self._path(values, seed, "h5")
        cmd = [self.exe, "run", self.scenario, "--seed", str(seed), "-q", "-o", log]
        if self.jobs > 1:
            cmd += ["--threads", "1"]   # the runs themselves are the parallelism (same results)
        for s in self.sets:
            cmd += ["--set", s]
        for k, v in values:
            cmd += ["--set", f"{k}={v}"]
        with self._lock:
            if self._stopping:
                raise Interrupted(143)
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            self._live.add(proc)
        try:
            _, stderr = proc.communicate()
        finally:
            with self._lock:
                self._live.discard(proc)
        if proc.returncode in (130, 143, -2, -15) or self._stopping:
            raise Interrupted(143 if proc.returncode in (143, -15) else 130)
        if proc.returncode != 0:
            err = f"exit {proc.returncode}: {stderr.strip()}"
            with open(self._path(values, seed, "error"), "w") as fh:
                fh.write(" ".join(cmd) + "\n" + err + "\n")
            if os.path.exists(log) and not self.keep_logs:
                os.remove(log)
            return {"values": [list(v) for v in values], "seed": seed, "error": err}
        L = measures.read_log(log)
        if list(L["dates"]) != self.trading_dates:
            raise RuntimeError(f"{log}: its trading days ({L['dates'][0]}..{L['dates'][-1]}, {len(L['dates'])}) are "
                               f"not the calendar the targets were checked against ({self.trading_dates[0]}.."
                               f"{self.trading_dates[-1]}, {len(self.trading_dates)})")
        got, why = {}, {}
        for spec in self.specs:
            try:
                got[spec.label] = moments.compute(L, spec.name, spec.window, self.real)
            except NA as e:
                got[spec.label], why[spec.label] = None, str(e)
        rec = {"values": [list(v) for v in values], "seed": seed, "moments": got, "not_available": why}
        _write_json(self._path(values, seed, "json"), rec)
        if not self.keep_logs:
            os.remove(log)
        return rec

    def evaluate(self, candidates, seeds):
        """{(candidate index, seed): record} for every candidate (a list of (key, value text)) on
        every seed: saved records reused, the others run `jobs` at a time."""
        os.makedirs(self.runs_dir, exist_ok=True)
        out, todo = {}, []
        for i, values in enumerate(candidates):
            for s in seeds:
                rec = self.cached(values, s)
                if rec is None:
                    todo.append((i, s))
                else:
                    out[(i, s)] = rec
                    self.runs_reused += 1
        if not todo:
            return out
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.jobs) as pool:
            futures = {pool.submit(self._run_one, candidates[i], s): (i, s) for i, s in todo}
            try:
                for f in concurrent.futures.as_completed(futures):
                    out[futures[f]] = f.result()
                    self.runs_made += 1
            except BaseException:
                for f in futures:
                    f.cancel()
                self.stop_all()
                raise
        return out


LOSS_KINDS = ("mean", "per-seed")


def term(spec, value):
    """One moment's part of the loss: weight * ((value - target) / tolerance)^2."""
    return spec.weight * ((value - spec.target) / spec.tolerance) ** 2


def loss_of(specs, records, kind="mean"):
    """(loss, {label: mean over the seeds}, error text or ''); inf when a run failed or a moment is
    missing on a seed. kind "mean": the sum over the moments of term(mean over the seeds). kind
    "per-seed": each seed's own sum of terms, averaged over the seeds; it equals the "mean" loss plus
    each moment's variance over the seeds (in tolerances), so a candidate whose seeds split between
    two outcomes (some spiral, some stay calm) no longer matches a target by its average."""
    means, errors = {}, []
    for r in records:
        if "error" in r:
            errors.append(f"seed {r['seed']} failed ({r['error'].splitlines()[0] if r['error'] else ''})")
    for spec in specs:
        vals = [r["moments"].get(spec.label) for r in records if "error" not in r]
        missing = [r["seed"] for r in records if "error" not in r and r["moments"].get(spec.label) is None]
        if missing:
            r0 = next(r for r in records if r["seed"] == missing[0])
            errors.append(f"{spec.label} n/a on seed(s) {', '.join(map(str, missing))} "
                          f"({r0.get('not_available', {}).get(spec.label, '')})")
        ok = [v for v in vals if v is not None]
        means[spec.label] = sum(ok) / len(ok) if ok and len(ok) == len(records) else math.nan
    if errors:
        return math.inf, means, "; ".join(errors)
    if kind == "per-seed":
        loss = sum(sum(term(s, r["moments"][s.label]) for s in specs) for r in records) / len(records)
    else:
        loss = sum(term(s, means[s.label]) for s in specs)
    return loss, means, ""


def within(spec, mean):
    return math.isfinite(mean) and abs(mean - spec.target) <= spec.tolerance


def coverage(specs, means):
    """(moments within their tolerance, moments): the moment coverage ratio's two numbers."""
    return sum(1 for s in specs if within(s, means.get(s.label, math.nan))), len(specs)
