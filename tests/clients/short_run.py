"""What the client tests share: a short run's log (2 days, 134 stocks, so codes S00000..S00133),
the groups every client opens, and a clean skip when a client is genuinely not installed.
Not a test itself (ctest runs tests/*/test_*.py)."""
import os
import subprocess
import sys

SKIP = 77   # ctest's SKIP_RETURN_CODE for these tests (tests/CMakeLists.txt)
SHORT = {"days": "2", "session.step_minutes": "15", "stocks.microcaps": "110", "stocks.index_constituents": "20",
         "stocks.large_caps": "4", "indices.microcap_members": "20", "noise_traders.count": "400"}
# every group of the log, and a dataset each client reads in it
GROUPS = {
    "/": "date", "meta": "scenario_resolved", "market/stocks": "close", "market/index": "hedged_close",
    "market/futures": "settlement", "market/driver": "close", "agents/classes": "leverage",
    "agents/daily": "nav", "agents/flows": "buy", "events": "dma_terms",
}
STOCK = "S00123"   # a code of the short run, at position 123


def short_run(exe, work):
    """Runs the short scenario once into WORK/run.h5 and returns its path."""
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "run.h5")
    args = [exe, "run", "-q", "-o", out]
    for k, v in SHORT.items():
        args += ["--set", f"{k}={v}"]
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, f"stampede run failed ({r.returncode}): {r.stderr}"
    return out


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)
