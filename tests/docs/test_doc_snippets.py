#!/usr/bin/env python3
"""Every code snippet of README.md and docs/*.md that can run, runs: each ```python and ```r
block on a short run's log (it is `run.h5`, and `results/feb2024.h5` as the default run writes
it, in the working directory), and each ```toml block through `stampede check` (next to a copy of
scenarios/, so `base = "feb2024.toml"` resolves). A block whose previous line is
`<!-- snippet: not run (why) -->` is left out; ```sh, ```matlab and plain blocks are commands,
output or another program's code and are not run.

Usage (from ctest): test_doc_snippets.py STAMPEDE_EXE WORKDIR
"""
import glob
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "clients"))
sys.path.insert(0, os.path.join(HERE, ".."))
from build_tree import python_module, python_package, sanitized  # noqa: E402
from short_run import SKIP, short_run  # noqa: E402

PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
RUNNABLE = ("python", "r", "toml")
NOT_RUN = re.compile(r"<!--\s*snippet:\s*not run\b")


def snippets():
    """(file, line, language, code) of every runnable fenced block."""
    files = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    out = []
    for path in files:
        lines = open(path, encoding="utf-8").read().splitlines()
        i = 0
        while i < len(lines):
            m = re.match(r"^```(\w*)\s*$", lines[i])
            if not m:
                i += 1
                continue
            lang, start = m.group(1).lower(), i
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            skipped = start > 0 and NOT_RUN.search(lines[start - 1])
            if lang in RUNNABLE and not skipped:
                out.append((os.path.relpath(path, ROOT), start + 1, lang, "\n".join(lines[start + 1:j]) + "\n"))
            i = j + 1
    return out


def r_missing():
    if shutil.which("Rscript") is None:
        return "R is not installed (Debian: r-base-core, r-cran-hdf5r, r-bioc-rhdf5; tools/install_deps.sh)"
    for pkg in ("hdf5r", "rhdf5"):
        r = subprocess.run(["Rscript", "-e", f"quit(status = if (requireNamespace('{pkg}', quietly = TRUE)) 0 else 1)"],
                           capture_output=True)
        if r.returncode != 0:
            return f"the R package {pkg} is not installed (tools/install_deps.sh installs it)"
    return None


def netcdf4_missing():
    r = subprocess.run([PY, "-c", "import netCDF4"], capture_output=True)
    return None if r.returncode == 0 else "netCDF4-python is not installed (Debian: python3-netcdf4; tools/install_deps.sh)"


def main():
    exe, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    log = short_run(exe, work)
    os.makedirs(os.path.join(work, "results"))
    shutil.copy(log, os.path.join(work, "results", "feb2024.h5"))
    scenarios = os.path.join(work, "scenarios")
    shutil.copytree(os.path.join(ROOT, "scenarios"), scenarios)
    env = dict(os.environ, MPLBACKEND="Agg")
    # `import stampede` (docs/python.md) finds the module built beside this binary (build/python).
    env["PYTHONPATH"] = python_package(exe) + os.pathsep + env.get("PYTHONPATH", "")
    module = python_module(exe)
    no_module = None if module else \
        "the Python module was not built (apt-get install pybind11-dev python3-dev; tools/install_deps.sh)"
    # A sanitizer build's module cannot be loaded into an uninstrumented python3: those snippets
    # are left out there without calling the whole test skipped (the Release build runs them).
    left_out = None
    if module and sanitized(module):
        no_module = left_out = "a sanitizer build's module, which python3 cannot load"
    no_r, no_netcdf4 = r_missing(), netcdf4_missing()

    found = snippets()
    counts = {lang: sum(1 for s in found if s[2] == lang) for lang in RUNNABLE}
    assert counts["python"] >= 6 and counts["r"] >= 1 and counts["toml"] >= 2, f"too few snippets found: {counts}"
    failures, skipped = [], []
    for n, (path, line, lang, code) in enumerate(found):
        where = f"{path}:{line} ({lang})"
        if lang == "python":
            if no_netcdf4 and "import netCDF4" in code:
                skipped.append((where, no_netcdf4))
                continue
            if no_module and "import stampede" in code:
                if left_out:
                    print(f"not run {where}: {left_out} (the Release build runs it)")
                else:
                    skipped.append((where, no_module))
                continue
            r = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=work, env=env)
        elif lang == "r":
            if no_r:
                skipped.append((where, no_r))
                continue
            r = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, cwd=work)
        else:
            toml = os.path.join(scenarios, f"snippet_{n}.toml")
            with open(toml, "w", encoding="utf-8") as f:
                f.write(code)
            r = subprocess.run([exe, "check", toml], capture_output=True, text=True, cwd=work)
        if r.returncode != 0:
            failures.append(f"{where}: exit {r.returncode}\n" + "\n".join((r.stderr or r.stdout).splitlines()[-8:]))
        else:
            print(f"ran {where}")
    assert not failures, f"{len(failures)} of {len(found)} snippets fail:\n\n" + "\n\n".join(failures)
    if skipped:   # a reader genuinely absent: ctest reports the test as skipped, naming it
        print("SKIP: " + "; ".join(f"{where} not run: {why}" for where, why in skipped))
        sys.exit(SKIP)
    print(f"ok: {len(found)} snippets ran ({counts})")


if __name__ == "__main__":
    main()
