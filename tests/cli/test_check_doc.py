#!/usr/bin/env python3
"""`stampede check --doc PAGE` rewrites the page's marked parameter tables from the code and leaves
its prose alone: a stale copy of docs/scenario.md comes back as the committed page (which a C++
test keeps equal to the code), and a page without a section's table is refused, naming it. Given a
scenario file too, it rewrites the file's comment blocks' spec lines: a stale copy of
scenarios/feb2024.toml comes back as the committed file.

Usage (from ctest): test_check_doc.py STAMPEDE_EXE WORKDIR
"""
import os
import subprocess
import sys

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def check_doc(exe, page):
    return subprocess.run([exe, "check", "--doc", page], capture_output=True, text=True)


def check_doc_file(exe, page, scenario):
    return subprocess.run([exe, "check", "--doc", page, scenario], capture_output=True, text=True)


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(SOURCE, "docs", "scenario.md"), encoding="utf-8") as f:
        committed = f.read()
    page = os.path.join(work, "scenario.md")

    # a stale default, a lost row and edited prose: the tables are rewritten, the prose is kept
    row = "| `leverage` | float | `4.0` |"
    assert row in committed, "docs/scenario.md has no dma.leverage row to spoil"
    stale = committed.replace(row, "| `leverage` | float | `3.0` |")
    stale = stale.replace("| `accounts` | int |", "| `accounts_gone` | int |", 1)
    stale = stale.replace("# Scenarios\n", "# Scenarios (edited)\n", 1)
    with open(page, "w", encoding="utf-8") as f:
        f.write(stale)
    r = check_doc(exe, page)
    assert r.returncode == 0, f"exit {r.returncode}\n{r.stderr}"
    assert "rewritten" in r.stdout, r.stdout
    with open(page, encoding="utf-8") as f:
        assert f.read() == committed.replace("# Scenarios\n", "# Scenarios (edited)\n", 1), "the page was not restored"
    r = check_doc(exe, page)
    assert r.returncode == 0 and "already up to date" in r.stdout, r.stdout + r.stderr

    # a section without its marked table is an input error (exit 2) naming the section
    begin = committed.index("<!-- parameters: value_investors -->")
    end = committed.index("<!-- end of parameters -->", begin) + len("<!-- end of parameters -->")
    with open(page, "w", encoding="utf-8") as f:
        f.write(committed[:begin] + committed[end:])
    r = check_doc(exe, page)
    assert r.returncode == 2, f"exit {r.returncode}\n{r.stdout}{r.stderr}"
    assert "[value_investors]: no table" in r.stderr, r.stderr

    # with a scenario file, its comment blocks are rewritten too: a stale unit and a doc reworded
    # on the spec line come back as the committed feb2024.toml, whose values are unchanged
    with open(page, "w", encoding="utf-8") as f:
        f.write(committed)
    with open(os.path.join(SOURCE, "scenarios", "feb2024.toml"), encoding="utf-8") as f:
        toml = f.read()
    spec = "# accounts; 0..1e6; number of DMA accounts\n"
    assert spec in toml, "feb2024.toml has no dma.accounts spec line to spoil"
    stale = toml.replace(spec, "# DMA accounts; 0..1000000; number of DMA accounts\n", 1)
    scenario = os.path.join(work, "feb2024.toml")
    with open(scenario, "w", encoding="utf-8") as f:
        f.write(stale)
    r = check_doc_file(exe, page, scenario)
    assert r.returncode == 0, f"exit {r.returncode}\n{r.stdout}{r.stderr}"
    assert "comments rewritten" in r.stdout, r.stdout
    with open(scenario, encoding="utf-8") as f:
        assert f.read() == toml, "the scenario's comments were not restored"
    r = check_doc_file(exe, page, scenario)
    assert r.returncode == 0 and "comments already up to date" in r.stdout, r.stdout + r.stderr

    # --doc takes no --diff or --set; check without either still asks for the scenario
    r = subprocess.run([exe, "check", "--doc", page, scenario, "--diff"], capture_output=True, text=True)
    assert r.returncode == 2 and "--doc takes no --diff" in r.stderr, r.stderr
    r = subprocess.run([exe, "check"], capture_output=True, text=True)
    assert r.returncode == 2 and "scenario is required" in r.stderr, r.stderr
    print("ok")


if __name__ == "__main__":
    main()
