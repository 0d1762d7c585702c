// The core scenario keys: everything that is not an agent. Agents declare their own specs next to
// their code and the engine concatenates them with these. Keep docs/scenario.md and
// scenarios/feb2024.toml in step with this list (a test checks the default file parses).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace stampede {

namespace {

ParamSpec b(std::string key, bool def, std::string doc) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  return ParamSpec{std::move(key), ParamType::Bool, def, -inf, inf, "", std::move(doc)};
}
ParamSpec i(std::string key, std::int64_t def, double lo, double hi, std::string unit, std::string doc) {
  return ParamSpec{std::move(key), ParamType::Int, def, lo, hi, std::move(unit), std::move(doc)};
}
ParamSpec f(std::string key, double def, double lo, double hi, std::string unit, std::string doc) {
  return ParamSpec{std::move(key), ParamType::Float, def, lo, hi, std::move(unit), std::move(doc)};
}

std::vector<ParamSpec> make_core_specs() {
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::vector<ParamSpec> s;
  // Top level.
  s.push_back(ParamSpec{"name", ParamType::String, std::string("default"), -inf, inf, "",
                        "scenario name, a file name (no '/', not starting with '.'): the run log is results/<name>.h5"});
  s.push_back(i("days", 20, 1, 5000, "trading days", "number of trading days to simulate"));
  s.push_back(i("seed", 20240105, 0, 9.2e18, "", "base seed of every random stream"));
  s.push_back(ParamSpec{"start_date", ParamType::Date, std::string("2024-01-02"), -inf, inf, "date",
                        "first calendar day considered (weekends and holidays skipped)"});
  s.push_back(ParamSpec{"holidays", ParamType::DateList, std::vector<std::string>{}, -inf, inf, "dates",
                        "non-trading weekdays"});

  // [session]
  s.push_back(i("session.step_minutes", 1, 1, 60, "minutes",
                "minutes of continuous trading per step (sessions 9:30-11:30 and 13:00-14:57, "
                "opening call auction 9:15-9:25, closing call auction 14:57-15:00)"));

  // [stocks]
  s.push_back(i("stocks.microcaps", 600, 0, 20000, "stocks", "stocks outside the hedged index, smallest caps"));
  s.push_back(i("stocks.index_constituents", 300, 1, 20000, "stocks",
                "constituents of the hedged (CSI-1000-like) index"));
  s.push_back(i("stocks.large_caps", 20, 0, 2000, "stocks", "large caps (the national team's targets)"));
  s.push_back(f("stocks.board_20pct_share", 0.0, 0, 1, "", "share of stocks on +-20% limit boards (ChiNext/STAR)"));
  s.push_back(f("stocks.board_5pct_share", 0.0, 0, 1, "", "share of ST stocks with +-5% limits"));
  s.push_back(f("stocks.microcap_cap_median_yuan", 2.5e9, 1e6, 1e13, "yuan", "median market cap of microcaps"));
  s.push_back(f("stocks.constituent_cap_median_yuan", 1.0e10, 1e6, 1e13, "yuan",
                "median market cap of index constituents"));
  s.push_back(f("stocks.large_cap_median_yuan", 2.0e11, 1e6, 1e13, "yuan", "median market cap of large caps"));
  s.push_back(f("stocks.cap_dispersion", 0.4, 0, 3, "", "lognormal sigma of market caps within a segment"));
  s.push_back(f("stocks.price_median_yuan", 12.0, 1, 1000, "yuan", "median initial share price"));
  s.push_back(f("stocks.price_dispersion", 0.6, 0, 3, "", "lognormal sigma of initial prices"));

  // [fundamentals]
  s.push_back(f("fundamentals.market_vol_annual", 0.18, 0, 3, "1/sqrt(year)",
                "volatility of the market factor of latent fundamental values"));
  s.push_back(f("fundamentals.size_vol_annual", 0.10, 0, 3, "1/sqrt(year)",
                "volatility of the size (small-minus-big) factor"));
  s.push_back(f("fundamentals.idio_vol_annual", 0.35, 0, 3, "1/sqrt(year)",
                "idiosyncratic volatility of each stock's fundamental value"));
  s.push_back(f("fundamentals.market_drift_annual", 0.0, -2, 2, "1/year", "drift of the market factor"));
  s.push_back(f("fundamentals.size_drift_annual", 0.0, -2, 2, "1/year",
                "drift of the size factor (positive: small caps lead)"));
  s.push_back(f("fundamentals.alpha_dispersion_annual", 0.0, 0, 3, "1/year",
                "cross-section standard deviation of each stock's own expected return (the stock-picking "
                "alpha that skilled funds see, neutral_funds/dma alpha_weight); 0: none"));
  s.push_back(f("fundamentals.alpha_halflife_days", 20.0, 0.1, 10000, "trading days",
                "half-life of a stock's expected return: how fast today's alpha is replaced by a new one"));

  s.push_back(f("fundamentals.size_loading_microcap", 1.0, -3, 3, "",
                "mean loading of microcaps on the size factor (each stock: this + 0.2 x a normal draw)"));
  s.push_back(f("fundamentals.size_loading_constituent", 0.4, -3, 3, "",
                "mean loading of the hedged index's members on the size factor: how much of the small caps' "
                "moves the hedged (CSI-1000-like) index shares"));
  s.push_back(f("fundamentals.size_loading_large_cap", -0.6, -3, 3, "", "mean loading of large caps on the size factor"));
  s.push_back(ParamSpec{"fundamentals.market_driver", ParamType::String, std::string(""), -inf, inf, "file",
                        "CSV of daily closes (columns date and market_driver_column) that drives the market factor: "
                        "each day's factor move is that day's log change, spread over the day's steps by a Brownian "
                        "bridge of volatility market_vol_annual; every trading day of the run needs a row, plus the "
                        "close before the first. Relative to the scenario file, else data/<file> of scenarios/data "
                        "(compiled in). \"\": the random factor (market_drift_annual, market_vol_annual)"});
  s.push_back(ParamSpec{"fundamentals.market_driver_column", ParamType::String, std::string("csi300"), -inf, inf, "",
                        "column of market_driver to use; the calibration targets csi1000, csi2000 and microcap are refused"});

  // [indices]
  s.push_back(f("indices.hedged_base", 6000.0, 1, 1e6, "points", "hedged (CSI-1000-like) index level at the start"));
  s.push_back(f("indices.microcap_base", 1000.0, 1, 1e6, "points", "microcap index level at the start"));
  s.push_back(i("indices.microcap_members", 400, 1, 20000, "stocks",
                "microcap index members: the N smallest stocks by market cap"));
  s.push_back(i("indices.microcap_rebalance_days", 5, 1, 250, "trading days",
                "trading days between microcap index rebalances"));

  // [futures]
  s.push_back(i("futures.multiplier", 200, 1, 10000, "yuan/point", "contract multiplier"));
  s.push_back(f("futures.tick_points", 0.2, 0.01, 100, "points", "futures price tick"));
  s.push_back(f("futures.limit_pct", 10.0, 1, 50, "percent", "daily price limit from the previous settlement"));
  s.push_back(f("futures.margin_rate", 0.12, 0.01, 1, "", "exchange margin as a share of notional"));
  s.push_back(f("futures.initial_basis_annual", -0.06, -1, 1, "1/year",
                "annualised basis (futures/index - 1) of the first reference prices"));
  s.push_back(i("futures.settlement_window_minutes", 60, 1, 240, "minutes",
                "daily settlement = volume-weighted futures price over this last part of the day"));
  s.push_back(i("futures.final_settlement_window_minutes", 120, 1, 240, "minutes",
                "final settlement = average index over this last part of the expiry day"));

  // [regulator]: rules switched on from a trading day (-1 = never)
  s.push_back(i("regulator.sell_cap_from_day", -1, -1, 100000, "trading day",
                "first day (0-based) quant funds and DMA accounts may sell only sell_cap_fraction_per_day"));
  s.push_back(f("regulator.sell_cap_fraction_per_day", 0.1, 0, 1, "1/day",
                "share of stock holdings (by value) such an account may sell per day under the cap"));
  s.push_back(i("regulator.dma_ban_from_day", -1, -1, 100000, "trading day",
                "first day DMA accounts may not add gross exposure (no new leverage)"));
  s.push_back(i("regulator.dma_leverage_cap_from_day", -1, -1, 100000, "trading day",
                "first day DMA leverage is capped at dma_leverage_cap"));
  s.push_back(f("regulator.dma_leverage_cap", 2.0, 1, 100, "",
                "ceiling on DMA gross long / equity once the cap is on"));

  // [output]
  s.push_back(b("output.record_step_prices", true, "write per-step last prices of every stock"));
  s.push_back(i("output.liquidity_stocks_per_segment", -1, -1, 1e9, "stocks",
                "stocks per market segment whose order-book liquidity (best bid and ask, spread, depth, limit queues) is "
                "recorded every step: the first N of each segment; -1 = every stock, 0 = none"));
  return s;
}

}  // namespace

const std::vector<ParamSpec>& core_param_specs() {
  static const std::vector<ParamSpec> specs = make_core_specs();
  return specs;
}

}  // namespace stampede
