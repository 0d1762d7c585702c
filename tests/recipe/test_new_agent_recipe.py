#!/usr/bin/env python3
"""docs/CONTRIBUTING.md's recipe for a new agent is true: a copy of the source tree given a toy agent
(tests/recipe/new_agent/agents/toy_pinger.*) with one parameter, one event kind and one per-day
dataset through exactly the edits the guide lists (EDITS below, nothing else), then the commands it
gives to regenerate the docs, builds warning-free, passes the guard-rail tests the guide names, and
a tiny run's log has the parameter, the event table and the dataset.

Cost: the edits touch headers nearly every file includes (agent.hpp includes event_kinds.def,
run_log.hpp frame_arrays.def), so the copy needs a build of its own; an incremental build would
recompile nearly as much. The copy builds unoptimised (-O0 compiles several times faster, and the
run is tiny), with no Python module or benchmarks, only the targets the checks run: `stampede` and
a `test_engine` holding just the guard-rail test files (the other tests/engine files are left out
of the copy; they check behaviour, not the recipe). Skipped (77) for a sanitizer build: the Release
build's run checks the recipe; the recipe does not depend on instrumentation.

Usage (from ctest): test_new_agent_recipe.py STAMPEDE_EXE WORKDIR
"""
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
FIXTURE = os.path.join(HERE, "new_agent")
sys.path.insert(0, os.path.join(SOURCE, "tests"))
import build_tree  # noqa: E402
import small_world_args  # noqa: E402

# The guide's edits to existing files, each (file, anchor, text, where): `text` goes after or before
# the one line holding `anchor`, or at the end of the file. The new files are FIXTURE's.
EDITS = [
    # "New agent class": the section's *_kind() registered in builtin_agents(), its header included
    ("agents/builtin_agents.cpp", '#include "agents/snowball_issuer.hpp"', '#include "agents/toy_pinger.hpp"\n',
     "after"),
    ("agents/builtin_agents.cpp", "  r.populate_first(first_release_sections());", "  r.add(toy_pingers_kind());\n",
     "before"),
    # "New parameter", step 4: the key and its value in the default scenario (the guard rail in
    # tests/engine/test_registries.cpp wants the default scenario to make every declared class)
    ("scenarios/feb2024.toml", None, "\n[toy_pingers]\ncount = 1\n", "end"),
    # "A new section": its marked table in docs/scenario.md, which `check --doc` fills
    ("docs/scenario.md", "### `[margin_investors]`",
     "### `[toy_pingers]`\n\nA toy agent (`agents/toy_pinger.hpp`): `count` agents that log one `toy_pings` row "
     "after each close.\n\n<!-- parameters: toy_pingers -->\n<!-- end of parameters -->\n\n", "before"),
    # the fuzzer's dictionary: the key's leaf ("count" is there), its --set prefix and its section
    ("tests/fuzz/scenario.dict", '"[value_investors]"', '"[toy_pingers]"\n', "before"),
    ("tests/fuzz/scenario.dict", '"trade_band"', '"toy_pingers."\n"toy_pingers.count="\n', "before"),
    # "Event kind": one line of event_kinds.def and a row of docs/hdf5-schema.md's "Event kinds"
    ("sim/record/event_kinds.def", None,
     'STAMPEDE_EVENT_KIND(toy_pings, "toy pings", "1", "1", "toy agents\' pings, one per agent after each close")\n',
     "end"),
    ("docs/hdf5-schema.md", "| `risk_limits` |",
     "| `toy_pings` | after each close, one row per toy pinger | -1 | 1 | a draw of its random stream, in [0, 1) "
     "| `ping` |\n", "after"),
    # "New run-log dataset": declare it, fill it where the day frame is built, document it (a new
    # group: a new section)
    ("sim/record/frame_arrays.def", None,
     'STAMPEDE_FRAME_ARRAY(class_accounts_at_close, day, "agents/classes_daily", "accounts", i64, "agent_class", '
     'always, 0, "account", "accounts of the class at the close")\n', "end"),
    ("sim/engine/record_frames.cpp", "  record_positions(f);",
     "  std::vector<std::int64_t>& accounts = f.arrays.i64(FrameArray::class_accounts_at_close);\n"
     "  accounts.clear();\n"
     "  for (const ClassMetrics& m : class_metrics_) accounts.push_back(m.accounts);\n", "after"),
    ("docs/hdf5-schema.md", "### `/events/<kind>`",
     "#### `/agents/classes_daily` — per day, per agent class\n\nDims `[day, agent_class]`, after the close.\n\n"
     "| path | dtype | units | meaning |\n|---|---|---|---|\n"
     "| `accounts` | int64 | account | accounts of the class at the close |\n\n", "before"),
]
# The guide's commands, from the copy's root, after the build.
DOC_COMMANDS = [
    ["check", "--doc", "docs/scenario.md", "scenarios/feb2024.toml"],
    ["schema", "--doc", "docs/hdf5-schema.md"],
]
# The guard rails the guide names for these edits (tests/engine): the rest of tests/engine is left out.
GUARD_RAIL_TESTS = ["test_default_scenario.cpp", "test_registries.cpp"]


def run(cmd, cwd, what):
    started = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    print(f"{what}: {time.monotonic() - started:.0f} s", flush=True)
    if r.returncode != 0:
        sys.exit(f"{what} failed (exit {r.returncode}): {' '.join(cmd)}\n{r.stdout[-6000:]}\n{r.stderr[-6000:]}")
    return r


def source_files():
    """The source tree's files, relative: git's list (tracked and untracked, not ignored) when it is a
    checkout, else every file but builds and results."""
    r = subprocess.run(["git", "-C", SOURCE, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                       capture_output=True)
    if r.returncode == 0:
        return [f for f in r.stdout.decode().split("\0") if f and os.path.isfile(os.path.join(SOURCE, f))]
    out = []
    for root, dirs, files in os.walk(SOURCE):
        dirs[:] = [d for d in dirs if not d.startswith(("build", ".git", "results"))]
        out += [os.path.relpath(os.path.join(root, f), SOURCE) for f in files]
    return out


def copy_tree(dest):
    if os.path.exists(dest):
        shutil.rmtree(dest)
    for rel in source_files():
        if rel.startswith("tests/engine/test_") and os.path.basename(rel) not in GUARD_RAIL_TESTS:
            continue
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(SOURCE, rel), target)
    for root, _, files in os.walk(FIXTURE):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), FIXTURE)
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(os.path.join(root, f), os.path.join(dest, rel))


def apply_edits(tree):
    for rel, anchor, text, where in EDITS:
        path = os.path.join(tree, rel)
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines(keepends=True)
        if where == "end":
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            lines.append(text)
        else:
            hits = [i for i, line in enumerate(lines) if anchor in line]
            if len(hits) != 1:
                sys.exit(f"{rel}: {len(hits)} lines hold {anchor!r}, not one: the file changed; "
                         "update EDITS in tests/recipe/test_new_agent_recipe.py (and the guide, if the recipe did)")
            lines.insert(hits[0] + (1 if where == "after" else 0), text)
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(lines))


def check_log(log):
    import h5py
    import json

    with h5py.File(log, "r") as f:
        resolved = f["meta/scenario_resolved"][()]
        resolved = resolved.decode() if isinstance(resolved, bytes) else str(resolved)
        assert "toy_pingers" in resolved and "count" in resolved, "the log's resolved scenario lacks toy_pingers.count"
        classes = [c["name"] for c in json.loads(f["meta/agent_classes"][()])]
        assert "toy_pinger" in classes, classes
        toy = classes.index("toy_pinger")
        kinds = [k["name"] for k in json.loads(f["meta/event_kinds"][()])]
        assert "toy_pings" in kinds, kinds
        pings = f["events/toy_pings"][()]
        days = f["agents/classes_daily/accounts"].shape[0]
        assert len(pings) == 2 * days, f"{len(pings)} pings from 2 agents in {days} days"
        assert all(p["agent_class"] in (b"toy_pinger", "toy_pinger") for p in pings), pings[:3]
        assert all(0 <= p["price"] < 1 for p in pings), pings[:3]
        accounts = f["agents/classes_daily/accounts"][()]
        assert accounts.shape == (days, len(classes)), accounts.shape
        assert (accounts[:, toy] == 2).all(), accounts[:, toy]


def main():
    exe, work = sys.argv[1], os.path.abspath(sys.argv[2])
    if build_tree.sanitized(exe):
        print("skipped: a sanitizer build (the Release build's run checks the recipe)")
        sys.exit(77)
    os.makedirs(work, exist_ok=True)
    tree = os.path.join(work, "tree")
    copy_tree(tree)
    apply_edits(tree)

    build = os.path.join(tree, "build")
    run(["cmake", "-S", tree, "-B", build, "-DCMAKE_BUILD_TYPE=None", "-DCMAKE_CXX_FLAGS=-O0",
         "-DSTAMPEDE_WERROR=ON", "-DSTAMPEDE_BUILD_PYTHON=OFF", "-DSTAMPEDE_BUILD_BENCHMARKS=OFF"], tree, "configure")
    jobs = str(max(2, os.cpu_count() or 2))
    run(["cmake", "--build", build, "-j", jobs, "--target", "stampede", "test_engine"], tree, "build")
    copy_exe = os.path.join(build, "tools", "stampede")

    for args in DOC_COMMANDS:
        run([copy_exe] + args, tree, "stampede " + " ".join(args))
    run([os.path.join(build, "tests", "test_engine")], tree, "guard rails (" + ", ".join(GUARD_RAIL_TESTS) + ")")
    run([sys.executable, os.path.join(tree, "tests", "docs", "test_hdf5_schema_doc.py"), copy_exe,
         os.path.join(work, "schema_doc")], tree, "docs: test_hdf5_schema_doc.py")

    log = os.path.join(work, "toy.h5")
    run([copy_exe, "run", "scenarios/feb2024.toml", "-o", log, "-q", "--checkpoint-every", "0",
         "--set", "days=3", "--set", "toy_pingers.count=2"] + small_world_args.SMALL_WORLD, tree, "a tiny run")
    check_log(log)
    shutil.rmtree(tree)   # 150 MB; kept when a step fails, to look at
    print("ok")


if __name__ == "__main__":
    main()
