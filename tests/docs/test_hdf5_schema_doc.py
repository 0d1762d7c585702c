#!/usr/bin/env python3
"""docs/hdf5-schema.md agrees with the run log's schema as the code declares it (`stampede schema`):

* its generated dataset table is what `stampede schema --doc` writes (rerun that after a change);
* every dataset of a market or agent group is described in the hand-written table of its
  section, and where that table gives a dtype or units they are the schema's;
* the event-kinds table lists exactly the declared kinds, in order.

Usage (from ctest): test_hdf5_schema_doc.py STAMPEDE_EXE WORKDIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = os.path.normpath(os.path.join(HERE, "..", "..", "docs", "hdf5-schema.md"))
# The groups whose datasets are described only by rule and in the generated table; every other
# group (a new one too) has a section whose table describes each of its datasets.
RULE_GROUPS = ("", "meta")


def sections(text):
    """{group: [table rows as lists of cells]} for each '### `/group`' or '#### `/group` ...' section."""
    out, group, header = {}, None, None
    for line in text.splitlines():
        m = re.match(r"#{3,4} `/([a-z_/]+)`", line)
        if m:
            group, header = m.group(1), None
            out.setdefault(group, [])
            continue
        if line.startswith("#"):
            group = None
            continue
        if group is None or not line.startswith("|"):
            header = None if not line.startswith("|") else header
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if header is None:
            header = cells
        elif not set(line) <= set("|-: "):
            out[group].append(dict(zip(header, cells)))
    return out


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    problems = []

    copy = os.path.join(work, "hdf5-schema.md")
    shutil.copyfile(PAGE, copy)
    doc = subprocess.run([exe, "schema", "--doc", copy], capture_output=True, text=True)
    if doc.returncode != 0:
        problems.append(f"stampede schema --doc failed: {doc.stderr.strip()}")
    elif "already up to date" not in doc.stdout:
        problems.append("docs/hdf5-schema.md's dataset table is not the code's: run "
                        "`build/tools/stampede schema --doc docs/hdf5-schema.md`")

    schema = json.loads(subprocess.run([exe, "schema"], capture_output=True, text=True, check=True).stdout)
    with open(PAGE, encoding="utf-8") as f:
        text = f.read()
    tables = sections(text)
    for d in schema["datasets"]:
        group, _, name = d["path"].rpartition("/")
        if group in RULE_GROUPS:
            continue
        rows = [r for r in tables.get(group, []) if re.search(rf"`{re.escape(name)}`", r.get("path", ""))]
        if not rows:
            problems.append(f"/{d['path']} is not described in the section of /{group}")
            continue
        for r in rows:
            if "dtype" in r and r["dtype"] != d["dtype"]:
                problems.append(f"/{d['path']}: dtype {r['dtype']!r} in the doc, {d['dtype']!r} in the code")
            units = d["units"] or "—"
            if "units" in r and r["units"] != units:
                problems.append(f"/{d['path']}: units {r['units']!r} in the doc, {units!r} in the code")
            if "dims" in r and r["dims"] != "`[" + ", ".join(d["dims"]) + "]`":
                problems.append(f"/{d['path']}: dims {r['dims']} in the doc, {d['dims']} in the code")

    kinds_section = text.split("#### Event kinds", 1)[-1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", kinds_section, flags=re.M)
    declared = [k["name"] for k in schema["event_kinds"]]
    if documented != declared:
        problems.append(f"the event kinds table lists {documented}, the code declares {declared}")

    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
