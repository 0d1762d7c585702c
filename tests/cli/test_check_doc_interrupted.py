#!/usr/bin/env python3
"""`stampede check --doc` never leaves a half-written page or scenario file: it writes each through
a temporary file beside it and renames that into place. A write that fails midway (the file-size
limit RLIMIT_FSIZE reached, SIGXFSZ ignored: write() fails with EFBIG) leaves the target as it was,
byte for byte, removes the temporary file and exits 1 naming the file; a process killed midway
(SIGXFSZ's default action) leaves the target as it was too. A truncating write in place left the
first LIMIT bytes of the page.

Usage (from ctest): test_check_doc_interrupted.py STAMPEDE_EXE WORKDIR
"""
import os
import resource
import shutil
import signal
import subprocess
import sys

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
LIMIT = 8192   # bytes a process may write to one file: far less than docs/scenario.md or feb2024.toml


def limited(killed):
    """preexec_fn: the file-size limit, and SIGXFSZ either killing the process or ignored."""
    def setup():
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))   # a kill by SIGXFSZ dumps no core file
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL if killed else signal.SIG_IGN)
    return setup


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    exe, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)   # the test lists what its runs leave there
    os.makedirs(work)
    committed_page = read(os.path.join(SOURCE, "docs", "scenario.md"))
    committed_toml = read(os.path.join(SOURCE, "scenarios", "feb2024.toml"))
    row = b"| `leverage` | float | `4.0` |"
    spec = b"# accounts; 0..1e6; number of DMA accounts\n"
    assert row in committed_page and spec in committed_toml, "the rows this test spoils are gone"
    stale_page = committed_page.replace(row, b"| `leverage` | float | `3.0` |")
    stale_toml = committed_toml.replace(spec, b"# DMA accounts; 0..1000000; number of DMA accounts\n", 1)
    page, toml = os.path.join(work, "scenario.md"), os.path.join(work, "feb2024.toml")

    # the page's write fails: the page is as it was, no temporary file is left, exit 1 names it
    write(page, stale_page)
    r = subprocess.run([exe, "check", "--doc", page], capture_output=True, text=True, preexec_fn=limited(False))
    assert r.returncode == 1, f"exit {r.returncode}\n{r.stdout}{r.stderr}"
    assert page in r.stderr and "cannot write" in r.stderr, r.stderr
    assert read(page) == stale_page, "a failed write changed the page"
    assert sorted(os.listdir(work)) == ["scenario.md"], os.listdir(work)

    # killed while writing the page: the page is as it was
    r = subprocess.run([exe, "check", "--doc", page], capture_output=True, text=True, preexec_fn=limited(True))
    assert r.returncode == -signal.SIGXFSZ, f"exit {r.returncode}\n{r.stdout}{r.stderr}"
    assert read(page) == stale_page, "a write killed midway changed the page"

    # the scenario file's write fails (its page is up to date): the file is as it was
    write(page, committed_page)
    write(toml, stale_toml)
    for name in os.listdir(work):
        if name not in ("scenario.md", "feb2024.toml"):
            os.remove(os.path.join(work, name))   # what the kill left
    r = subprocess.run([exe, "check", "--doc", page, toml], capture_output=True, text=True, preexec_fn=limited(False))
    assert r.returncode == 1, f"exit {r.returncode}\n{r.stdout}{r.stderr}"
    assert toml in r.stderr and "cannot write" in r.stderr, r.stderr
    assert read(toml) == stale_toml, "a failed write changed the scenario file"
    assert sorted(os.listdir(work)) == ["feb2024.toml", "scenario.md"], os.listdir(work)

    # without the limit the same command rewrites it in full
    r = subprocess.run([exe, "check", "--doc", page, toml], capture_output=True, text=True)
    assert r.returncode == 0 and "comments rewritten" in r.stdout, r.stdout + r.stderr
    assert read(toml) == committed_toml, "the scenario's comments were not restored"
    print("ok")


if __name__ == "__main__":
    main()
