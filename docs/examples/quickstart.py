# %% [markdown]
# # stampede quick start, from Python
#
# The README's first command (`build/tools/stampede run`) from Python: the built-in feb2024
# scenario, its summary, and the microcap index over the run; then a day stepped by hand with a
# look at one stock's book. Plain Python with `# %%` cells: run it as a script
# (`PYTHONPATH=build/python /usr/bin/python3 docs/examples/quickstart.py`) or open it as a
# notebook (VS Code, Jupytext). The full run takes about 30-60 s on 2 cores.
#
# Two environment variables make it small and fast (tests/python/test_python_examples.py):
# STAMPEDE_EXAMPLE_SET holds scenario keys ("days=3 stocks.microcaps=60 ..."), and
# STAMPEDE_EXAMPLE_OUT the directory for the run log and the figure (default: results).

# %%
import os
import tomllib

import matplotlib
import matplotlib.dates

matplotlib.use("Agg")   # no display needed: the figure goes to a file
import h5py
import matplotlib.pyplot as plt
import numpy as np

import stampede

KEYS = os.environ.get("STAMPEDE_EXAMPLE_SET", "").split()
OUT = os.environ.get("STAMPEDE_EXAMPLE_OUT", "results")

# %% [markdown]
# ## The default run and its summary
# The same run as `stampede run` (threads=0: every core, as the CLI's default); the summary is
# the README's, apart from the wall time (and the thread count on another machine).

# %%
run = stampede.run(set=KEYS, threads=0, out=os.path.join(OUT, "feb2024.h5"))
print(run.summary_text)

# %% [markdown]
# ## The microcap index
# /market/index holds the daily closes (docs/hdf5-schema.md); the index starts at the scenario's
# indices.microcap_base.

# %%
with h5py.File(run.path, "r") as f:
    dates = np.array([d.decode() if isinstance(d, bytes) else d for d in f["date"][()]], dtype="datetime64[D]")
    microcap = f["market/index/microcap_close"][()]
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(dates, microcap, marker="o", label="microcap index close (simulated)")
base = tomllib.loads(stampede.check(set=KEYS)["resolved_toml"])["indices"]["microcap_base"]
ax.axhline(base, color="grey", linewidth=0.8, label="level before the first day")
ax.set_ylabel("points")
ax.set_title(f"stampede {run.scenario}: microcap index, max drawdown "
             f"{100 * run.summary['microcap_max_drawdown']:.1f}%", fontsize=11)
ax.set_xticks(dates[::max(1, len(dates) // 10)])   # trading days only, at most about ten
ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%m-%d"))
ax.legend()
fig.autofmt_xdate()
figure = os.path.join(OUT, "quickstart_microcap.png")
fig.savefig(figure, dpi=100)
print("figure:", figure)

# %% [markdown]
# ## Stepping: the first day by hand
# The same scenario one step at a time (a run stepped to its end writes the same log).

# %%
with stampede.Simulation(set=KEYS, seed=run.seed) as sim:
    sim.run_steps(3)     # the opening auction and two continuous steps
    print(sim)
    print("microcap index now:", round(sim.indices["microcap_index"], 2))
    book = sim.book("S00001", levels=3)
    for price, qty in zip(book["ask_price"][::-1], book["ask_qty"][::-1]):
        print(f"  ask {price:8.2f} {qty:8d}")
    for price, qty in zip(book["bid_price"], book["bid_qty"]):
        print(f"  bid {price:8.2f} {qty:8d}")
    sim.run_days(1)
    print("closes of day 1 (yuan), first five stocks:", sim.close[:5])
