"""The search of `stampede calibrate`: a Halton start, then Nelder-Mead from its best point, in the
unit cube of the fitted keys (docs/calibrate.md, "The search").

search() is a generator of batches: it yields a list of points, is sent their losses (in the same
order) and yields the next batch. It uses nothing but the losses it is sent, so the same losses
give the same points whatever order the runs finished in, and a resumed calibration replays the
same sequence from its saved evaluations.
"""
import math

PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53)
# Nelder-Mead coefficients (the usual ones): reflection, expansion, contraction, shrink.
ALPHA, GAMMA, RHO, SIGMA = 1.0, 2.0, 0.5, 0.5
# The first simplex: the best start point and one point this far along each axis (towards the
# middle of the box, so it stays inside).
SIMPLEX_STEP = 0.2
# A simplex this small (in the unit cube) has converged: its points round to the same values.
MIN_DIAMETER = 2e-4


def start_size(dim):
    """Halton points before Nelder-Mead: 3 per fitted key."""
    return 3 * dim


def halton(index, dim):
    """Point `index` (1, 2, ...) of the Halton sequence in [0, 1)^dim (radical inverses in the
    first primes)."""
    if dim > len(PRIMES):
        raise ValueError(f"at most {len(PRIMES)} keys can be fitted")
    point = []
    for base in PRIMES[:dim]:
        f, r, i = 1.0, 0.0, index
        while i > 0:
            f /= base
            r += f * (i % base)
            i //= base
        point.append(r)
    return point


def clip(p):
    return [min(1.0, max(0.0, x)) for x in p]


def _order(simplex, losses):
    """Simplex points sorted by loss (ties: the earlier point first)."""
    idx = sorted(range(len(simplex)), key=lambda i: (losses[i], i))
    return [simplex[i] for i in idx], [losses[i] for i in idx]


def _diameter(simplex):
    return max(math.dist(a, b) for a in simplex for b in simplex)


def search(dim):
    """Yields batches of points in [0, 1]^dim and receives their losses; stops when converged
    (the caller stops it earlier when the budget is spent)."""
    start = [halton(i, dim) for i in range(1, start_size(dim) + 1)]
    losses = yield start
    b = min(range(len(start)), key=lambda i: (losses[i], i))
    best, best_loss = start[b], losses[b]
    others = []
    for k in range(dim):
        p = list(best)
        p[k] += SIMPLEX_STEP if p[k] <= 0.5 else -SIMPLEX_STEP
        others.append(p)
    simplex = [best] + others
    sl = [best_loss] + list((yield others))
    while True:
        simplex, sl = _order(simplex, sl)
        if _diameter(simplex) < MIN_DIAMETER:
            return
        centroid = [sum(p[k] for p in simplex[:-1]) / dim for k in range(dim)]
        worst = simplex[-1]
        xr = clip([c + ALPHA * (c - w) for c, w in zip(centroid, worst)])
        (fr,) = yield [xr]
        if sl[0] <= fr < sl[-2]:
            simplex[-1], sl[-1] = xr, fr
            continue
        if fr < sl[0]:
            xe = clip([c + GAMMA * (r - c) for c, r in zip(centroid, xr)])
            (fe,) = yield [xe]
            simplex[-1], sl[-1] = (xe, fe) if fe < fr else (xr, fr)
            continue
        if fr < sl[-1]:   # outside contraction
            xc = clip([c + RHO * (r - c) for c, r in zip(centroid, xr)])
            (fc,) = yield [xc]
            if fc <= fr:
                simplex[-1], sl[-1] = xc, fc
                continue
        else:             # inside contraction
            xc = clip([c + RHO * (w - c) for c, w in zip(centroid, worst)])
            (fc,) = yield [xc]
            if fc < sl[-1]:
                simplex[-1], sl[-1] = xc, fc
                continue
        # Shrink towards the best point: every other point at once (one batch, in parallel).
        shrunk = [[b0 + SIGMA * (x - b0) for b0, x in zip(simplex[0], p)] for p in simplex[1:]]
        losses = yield shrunk
        simplex, sl = [simplex[0]] + shrunk, [sl[0]] + list(losses)
