"""The small world the CLI tests run (stampede --set arguments): 94 stocks, a few hundred
traders, 5-minute steps, so a run takes seconds. Tests add their own days, driver and flags.
Not a test itself (ctest runs tests/*/test_*.py); tests import it with tests/ on sys.path."""
SMALL_WORLD = ["--set", "session.step_minutes=5", "--set", "stocks.microcaps=60", "--set", "stocks.index_constituents=30",
               "--set", "stocks.large_caps=4", "--set", "indices.microcap_members=30", "--set", "noise_traders.count=300",
               "--set", "retail.count=300", "--set", "index_enhanced.count=0"]
# The same world without the real-data driver (a random market factor): any number of days.
NO_DRIVER = ["--set", "fundamentals.market_driver="]
