"""What the Python checks of tools/ share: the interpreter with Debian's packages, running a command
with an expected exit status, and `--set` arguments from a dict of scenario keys. Not a test itself
(ctest runs tests/*/test_*.py)."""
import os
import subprocess
import sys

PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def run(cmd, expect=0):
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == expect, f"{cmd}: exit {r.returncode}, expected {expect}\nstdout: {r.stdout}\nstderr: {r.stderr}"
    return r


def set_args(keys):
    """["--set", "k=v", ...] for every scenario key of `keys`."""
    args = []
    for k, v in keys.items():
        args += ["--set", f"{k}={v}"]
    return args
