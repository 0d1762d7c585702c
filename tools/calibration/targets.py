"""The calibration targets of issue 16 as checks over a run's figures, and the counterfactuals
paired with feb2024 by seed."""
import math

import numpy as np

from calibration.measures import *  # noqa: F401,F403 (the figures and their helpers)

# ---------------------------------------------------------------------------------------------
# Targets. A check returns (figure text, met) from a run's figures (or the real series' figures,
# for the real column) and raises NA (via fig()) when a figure it needs is missing.
# ---------------------------------------------------------------------------------------------

def t_range(key, lo, hi):
    def check(m):
        x = fig(m, key)
        return pct(x), within(x, lo, hi)
    return check


def t_jan(prefix, lo, hi):
    def check(m):
        x = fig(m, prefix + "_jan_return")
        return f"{pct(x)} (to {fig(m, prefix + '_jan_date')})", within(x, lo, hi)
    return check


def t_trough_date(m):
    covers(m, "2024-02-08")
    d = fig(m, "microcap_trough_date")
    return f"{d} ({pct(fig(m, 'microcap_trough_return'))})", "2024-02-02" <= d <= "2024-02-08"


def t_worst_day(m):
    covers(m, "2024-02-07")
    x, d = fig(m, "microcap_worst_day"), fig(m, "microcap_worst_day_date")
    return f"{pct(x)} on {d}", x <= -0.09 and "2024-02-01" <= d <= "2024-02-07"


def t_rebound(m):
    x = fig(m, "microcap_rebound")
    return f"{pct(x)} ({fig(m, 'microcap_trough_date')} to {fig(m, 'microcap_rebound_to')})", x >= 0.15


def t_divergence(m):
    h, mc = fig(m, "hedged_0202_0208"), fig(m, "microcap_0202_0207")
    return f"hedged {pct(h)} (2->8 Feb), microcap {pct(mc)} (2->7 Feb)", h > 0 and mc < 0


def t_basis_first5(m):
    lo, hi = fig(m, "basis_first5_min"), fig(m, "basis_first5_max")
    return f"{fig(m, 'basis_first5')} (%)", lo >= -0.18 and hi <= -0.03


def t_basis_trough(m):
    covers(m, "2024-02-07")
    x, d = fig(m, "basis_trough"), fig(m, "basis_trough_date")
    return f"{pct(x)} on {d}", x <= -0.35 and "2024-01-29" <= d <= "2024-02-07"


def t_basis_recovery(m):
    covers(m, "2024-02-07")   # the trough it recovers from is settled only then
    trough_date = fig(m, "basis_trough_date")
    d, best = m.get("basis_recovered_date"), m.get("basis_best_after_trough")
    if d:
        return f"{d} (trough {trough_date})", True
    covers(m, "2024-02-20")
    text = f"best {pct(best)} after the trough" if isinstance(best, float) and np.isfinite(best) else \
        "no close after the trough by 2024-02-20"
    return f"not by 2024-02-20 ({text}; trough {trough_date})", False


def t_locks(m):
    x = fig(m, "limit_down_max_share")
    return (f"{pct(x)[1:]} ({fig(m, 'limit_down_max_count')} of {fig(m, 'stocks')}) on {fig(m, 'limit_down_max_date')}",
            within(x, 0.10, 0.35))


def t_locked5(m):
    x = fig(m, "microcaps_locked5_share")
    return (f"{pct(x)[1:]} ({fig(m, 'microcaps_locked5_count')} of {fig(m, 'microcaps')}; longest "
            f"{fig(m, 'microcap_longest_lock_days')} days)", x < 0.05)


def t_dma_median(m):
    x = fig(m, "dma_median_max_drawdown")
    return f"{pct(x)} ({fig(m, 'dma_accounts')} accounts)", within(x, -0.60, -0.20)


def t_dma_spread(m):
    s = fig(m, "dma_spread_points")
    return (f"{s:.1f} points (10th {pct(fig(m, 'dma_p10_max_drawdown'))}, 90th {pct(fig(m, 'dma_p90_max_drawdown'))})",
            s >= 25)


def t_dma_wiped(m):
    x = fig(m, "dma_wiped_out_share")
    return f"{pct(x)[1:]} ({fig(m, 'dma_wiped_out')} of {fig(m, 'dma_accounts')})", x <= 0.25


def t_year(check):
    """A calm2023 figure over the whole year: n/a for a run that stops before its last close."""
    def year_check(m):
        covers(m, CALM_LAST_DAY)
        return check(m)
    return year_check


def t_neutral_positive(m):
    x = fig(m, "neutral_positive_share")
    return f"{pct(x)[1:]} of {fig(m, 'neutral_funds')}", x >= 0.90


def t_no_liquidation(m):
    n = fig(m, "dma_liquidated")
    return f"{n} accounts liquidated", n == 0


def t_calm_mdd(m):
    x = fig(m, "microcap_max_drawdown")
    return pct(x), x >= -0.20


class Target:
    """One target: its group, name, what it wants, the real figure (a function of the real series'
    figures, or the published figure as text when the CSV cannot give it) and the check."""

    def __init__(self, group, name, wanted, real, check):
        self.group, self.name, self.wanted, self.real, self.check = group, name, wanted, real, check

    def real_text(self, real_figs):
        """The real figure, and whether it meets the target itself when it comes from the CSV."""
        if isinstance(self.real, str):
            return self.real
        try:
            text, met = self.real(real_figs)
        except (KeyError, NA) as e:
            return f"n/a ({e if isinstance(e, NA) else 'no real data file'})"
        return text if met is None else f"{text} ({'meets it' if met else 'outside it'})"


FEB_TARGETS = [
    Target("microcap index", "January return", "-28% to -14%", t_jan("microcap", -0.28, -0.14),
           t_jan("microcap", -0.28, -0.14)),
    # The real -46.7% is the peak-to-trough fall (the peak was the 4 January close); the
    # trough against the 2023 close is -45.8%. Both are shown.
    Target("microcap index", "start to trough", "-55% to -35%", lambda r: (
        f"{pct(r['microcap_trough_return'])} ({r['microcap_trough_date']}; peak to trough "
        f"{pct(r['microcap_max_drawdown'])})", within(r['microcap_trough_return'], -0.55, -0.35)),
        t_range("microcap_trough_return", -0.55, -0.35)),
    Target("microcap index", "trough date", "2024-02-02 to 2024-02-08", t_trough_date, t_trough_date),
    Target("microcap index", "worst day", "<= -9%, on 2024-02-01 to 2024-02-07", t_worst_day, t_worst_day),
    Target("microcap index", "rebound, trough to 2024-02-29", ">= +15%", t_rebound, t_rebound),
    Target("hedged index", "January return", "-25% to -12%", t_jan("hedged", -0.25, -0.12),
           t_jan("hedged", -0.25, -0.12)),
    Target("hedged index", "max drawdown", "-35% to -20%", t_range("hedged_max_drawdown", -0.35, -0.20),
           t_range("hedged_max_drawdown", -0.35, -0.20)),
    Target("hedged index", "5-8 Feb: hedged index up, microcaps down", "hedged 8 Feb > 2 Feb and microcap 7 Feb < 2 Feb",
           t_divergence, t_divergence),
    Target("basis", "first 5 closes", "each -18% to -3% annualised", "about -6% to -14% (early January)",
           t_basis_first5),
    Target("basis", "trough", "<= -35% on 2024-01-29 to 2024-02-07", "about -58% (5 Feb)", t_basis_trough),
    Target("basis", "back above -15%", "a close after the trough, by 2024-02-20", "yes (mid-February)",
           t_basis_recovery),
    Target("locks", "most stocks limit-down on a day", "10% to 35% of all stocks",
           "over 1,000 of about 5,300 (about 20%) on 5 Feb", t_locks),
    Target("locks", "microcaps locked 5+ days in a row", "< 5% of microcaps", "few", t_locked5),
    Target("products", "DMA max drawdown (median)", "-60% to -20%", "20-80% losses in the week", t_dma_median),
    Target("products", "DMA max drawdown spread (10th-90th percentile)", ">= 25 points", "wide (20-80% losses)",
           t_dma_spread),
    Target("products", "DMA accounts wiped out (drawdown <= -95%)", "<= 25% of accounts", "a minority", t_dma_wiped),
    Target("products", "neutral worst 3 days (median)", "-10% to -3%", "more than -5% in 3 days",
           t_range("neutral_median_worst_3day", -0.10, -0.03)),
    Target("products", "neutral max drawdown (median)", "-15% to -5%", "about -10%",
           t_range("neutral_median_max_drawdown", -0.15, -0.05)),
    Target("products", "index-enhanced worst 5 days (median)", "-30% to -10%", "about -20%",
           t_range("index_enhanced_median_worst_5day", -0.30, -0.10)),
]

CALM_TARGETS = [
    Target("microcap index", "2023 return", "+30% to +70%", t_range("microcap_return", 0.30, 0.70),
           t_year(t_range("microcap_return", 0.30, 0.70))),
    Target("microcap index", "max drawdown", ">= -20%", t_calm_mdd, t_calm_mdd),
    Target("hedged index", "2023 return", "-20% to +10%", t_range("hedged_return", -0.20, 0.10),
           t_year(t_range("hedged_return", -0.20, 0.10))),
    Target("products", "neutral funds with a positive return", ">= 90% of funds", "all positive (domain.md)",
           t_year(t_neutral_positive)),
    Target("products", "neutral return (median)", "+3% to +15%", "positive",
           t_year(t_range("neutral_median_return", 0.03, 0.15))),
    Target("basis", "main contract close basis (median)", "-15% to -2% annualised",
           "about -10% (IM hedging cost in 2023)", t_range("basis_close_median", -0.15, -0.02)),
    Target("products", "no DMA liquidation", "0 accounts", "none", t_no_liquidation),
]


# ---------------------------------------------------------------------------------------------
# Counterfactuals paired by seed
# ---------------------------------------------------------------------------------------------

# name: (what, figure, test of (median counterfactual, median feb2024))
PAIRED_RULES = {
    "no_dma": ("microcap max drawdown at most half of feb2024's", "microcap_max_drawdown", lambda c, b: c / b <= 0.5),
    "dma_cap1x": ("microcap max drawdown at most half of feb2024's", "microcap_max_drawdown",
                  lambda c, b: c / b <= 0.5),
    "regulator_early": ("microcap max drawdown at most three quarters of feb2024's", "microcap_max_drawdown",
                        lambda c, b: c / b <= 0.75),
    "no_national_team": ("hedged-index max drawdown deeper than feb2024's", "hedged_max_drawdown", lambda c, b: c < b),
}


def paired_rows(name, base, cf):
    """Per seed (seed, feb2024 figure, counterfactual figure), the medians and the verdict."""
    what, key, test = PAIRED_RULES.get(name, (None, "microcap_max_drawdown", None))
    by_seed = {}
    for m in base:
        by_seed.setdefault(m["seed"], m)
    pairs, unmatched = [], 0
    for m in cf:
        b = by_seed.get(m["seed"])
        if b is None:
            unmatched += 1
            continue
        bv, cv = b.get(key), m.get(key)
        pairs.append((m["seed"], bv, cv))
    ok = [(s, b, c) for s, b, c in pairs if isinstance(b, float) and isinstance(c, float)
          and np.isfinite(b) and np.isfinite(c)]
    result = {"name": name, "what": what, "key": key, "pairs": pairs, "unmatched": unmatched}
    if not ok:
        result["verdict"] = NA("no counterfactual run has a feb2024 run with the same seed and both figures")
        return result
    mb, mc = float(np.median([b for _, b, _ in ok])), float(np.median([c for _, _, c in ok]))
    result["median_base"], result["median_cf"] = mb, mc
    if test is None:
        result["verdict"] = NA(f"no target for {name} (known: {', '.join(PAIRED_RULES)})")
    elif key == "microcap_max_drawdown" and mb >= 0:
        result["verdict"] = NA("feb2024's median microcap max drawdown is not negative")
    else:
        result["verdict"] = bool(test(mc, mb))
    return result

