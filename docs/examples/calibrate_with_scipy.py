# %% [markdown]
# # Calibrating with scipy through stampede.calibration_model
#
# stampede.calibration_model gives a black-it style model(theta, N, seed) -> (N, k) array of
# simulated daily series. Here scipy fits one key, the DMA accounts' leverage, so that the
# simulated microcap index path matches an "observed" path made by the model itself at a known
# leverage: a check that the fit finds the truth back. A small world (94 stocks, a few hundred
# traders, 3 days) keeps each evaluation to a second or two.
#
#   PYTHONPATH=build/python /usr/bin/python3 docs/examples/calibrate_with_scipy.py
#
# STAMPEDE_EXAMPLE_EVALUATIONS caps the evaluations (the test sets a few).

# %%
import os

import numpy as np
from scipy.optimize import minimize_scalar

import stampede

SMALL_WORLD = {"session.step_minutes": 5, "stocks.microcaps": 60, "stocks.index_constituents": 30,
               "stocks.large_caps": 4, "indices.microcap_members": 30, "noise_traders.count": 300,
               "retail.count": 300, "index_enhanced.count": 0}
DAYS = 3
SEEDS = [1, 2]
TRUE_LEVERAGE = 3.0
EVALUATIONS = int(os.environ.get("STAMPEDE_EXAMPLE_EVALUATIONS", "12"))

model = stampede.calibration_model(params=["dma.leverage"], series=["microcap_index", "limit_down_count"],
                                   set=SMALL_WORLD)

# %% [markdown]
# ## The target: the model's own output at the true leverage, on the same seeds

# %%
observed = np.stack([model([TRUE_LEVERAGE], DAYS, seed) for seed in SEEDS])
print("observed microcap closes (seed 1):", observed[0, :, 0].round(2))


# %% [markdown]
# ## The loss: squared log distance of the index path plus the limit-down counts, over the seeds
# The same seeds for every candidate (common random numbers), so the loss is a deterministic
# function of theta that scipy can minimise.

# %%
def loss(leverage: float) -> float:
    simulated = np.stack([model([leverage], DAYS, seed) for seed in SEEDS])
    index = np.log(simulated[:, :, 0]) - np.log(observed[:, :, 0])
    limits = (simulated[:, :, 1] - observed[:, :, 1]) / 10.0
    value = float(np.mean(index ** 2) + np.mean(limits ** 2))
    print(f"  leverage {leverage:.3f}: loss {value:.3e}")
    return value


# An agent-based model's loss is rough: each leverage draws every account anew, so the loss is 0
# at the truth and jumps nearby. The bounded search ends near the truth, not on it.
fit = minimize_scalar(loss, bounds=(1.5, 4.5), method="bounded", options={"maxiter": EVALUATIONS, "xatol": 0.05})
print(f"fitted leverage {fit.x:.3f} (true {TRUE_LEVERAGE}), loss {fit.fun:.3e}, {fit.nfev} evaluations")
