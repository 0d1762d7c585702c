// The core scenario keys: everything that is not an agent. Agents declare their own specs next to
// their code and the engine concatenates them with these. The keys the market's parameter structs
// hold are bound to them (their initialisers are the defaults); the rest are plain specs.
// docs/scenario.md's tables are written from this list (`stampede check --doc docs/scenario.md`);
// scenarios/feb2024.toml must list every key (a test checks it).
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/core_params.hpp"

namespace stampede {

namespace {

ParamSpec b(std::string key, bool def, std::string doc) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  return ParamSpec{std::move(key), ParamType::Bool, def, -inf, inf, "", std::move(doc)};
}
ParamSpec i(std::string key, std::int64_t def, double lo, double hi, std::string unit, std::string doc) {
  return ParamSpec{std::move(key), ParamType::Int, def, lo, hi, std::move(unit), std::move(doc)};
}
// The keys of one section, in their order, from a binder that spans several.
void append_section(std::vector<ParamSpec>& to, const std::vector<ParamSpec>& from, std::string_view section) {
  for (const ParamSpec& p : from)
    if (p.key.substr(0, p.key.find('.')) == section) to.push_back(p);
}

ParamSpec f(std::string key, double def, double lo, double hi, std::string unit, std::string doc) {
  return ParamSpec{std::move(key), ParamType::Float, def, lo, hi, std::move(unit), std::move(doc)};
}

std::vector<ParamSpec> make_core_specs() {
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::vector<ParamSpec> s;
  // Top level.
  s.push_back(ParamSpec{"name", ParamType::String, std::string("default"), -inf, inf, "",
                        "scenario name, a file name (no '/', not starting with '.'): the run log is "
                        "results/<name>.h5"});
  s.back().long_doc = "scenario name: the run log is written to `results/<name>.h5`; a file name: no `/` or NUL, not "
                      "starting with `.`, 1-200 bytes";
  s.push_back(i("days", 20, 1, 5000, "trading days", "number of trading days to simulate"));
  // Up to the largest TOML integer: a sweep or ensemble derives 63-bit seeds for its runs.
  s.push_back(i("seed", 20240105, 0, static_cast<double>(std::numeric_limits<std::int64_t>::max()), "",
                "base seed of every random stream"));
  s.back().long_doc = "base seed of every random stream (same seed, same run)";
  s.push_back(ParamSpec{"start_date", ParamType::Date, std::string("2024-01-02"), -inf, inf, "date",
                        "first calendar day considered (weekends and holidays skipped)"});
  s.push_back(ParamSpec{"holidays", ParamType::DateList, std::vector<std::string>{}, -inf, inf, "dates",
                        "non-trading weekdays"});
  s.back().long_doc = "non-trading weekdays, e.g. [\"2024-02-12\", \"2024-02-13\"]";

  // [session]
  s.push_back(i("session.step_minutes", 1, 1, 60, "minutes",
                "minutes of continuous trading per step (sessions 9:30-11:30 and 13:00-14:57, "
                "opening call auction 9:15-9:25, closing call auction 14:57-15:00)"));
  s.back().long_doc = "minutes of continuous trading per step. Sessions 9:30-11:30 and 13:00-14:57; opening call "
                      "auction 9:15-9:25; closing call auction 14:57-15:00";

  // [stocks], then [fundamentals]: the factors, the size loadings, the market driver (in this order:
  // it is each section's key order in `stampede check` and the docs).
  const auto universe = universe_binder().specs();
  append_section(s, universe, "stocks");
  const auto factors = factor_binder().specs();
  s.insert(s.end(), factors.begin(), factors.end());
  append_section(s, universe, "fundamentals");
  s.push_back(ParamSpec{"fundamentals.market_driver", ParamType::String, std::string(""), -inf, inf, "file",
                        "CSV of daily closes (columns date and market_driver_column) that drives the market factor: "
                        "each day's factor move is that day's log change, spread over the day's steps by a Brownian "
                        "bridge of volatility market_vol_annual; every trading day of the run needs a row, plus the "
                        "close before the first. Relative to the scenario file, else data/<file> of scenarios/data "
                        "(compiled in). \"\": the random factor (market_drift_annual, market_vol_annual)"});
  s.back().long_doc = "CSV of daily closes (columns `date` and `market_driver_column`) that drives the market factor: "
                      "each trading day's factor move is that day's log change, spread over the day's steps by a "
                      "Brownian bridge of volatility `market_vol_annual` (`market_drift_annual` is then unused). "
                      "Every trading day of the run needs a row, plus the close before the first; a missing or extra "
                      "date is an input error naming the file and line. Relative to the scenario file (or the files "
                      "it builds on), else `data/<file>` of `scenarios/data/`, compiled in. `\"\"`: the random "
                      "factor. The path is written to `/market/driver`";
  s.push_back(ParamSpec{"fundamentals.market_driver_column", ParamType::String, std::string("csi300"), -inf, inf, "",
                        "column of market_driver to use; the calibration targets csi1000, csi2000 and microcap are "
                        "refused"});
  s.back().long_doc = "the index whose closes drive the market factor; `csi1000`, `csi2000` and `microcap` are "
                      "calibration targets and refused";

  // [indices]
  s.push_back(f("indices.hedged_base", 6000.0, 1, 1e6, "points", "hedged (CSI-1000-like) index level at the start"));
  s.push_back(f("indices.microcap_base", 1000.0, 1, 1e6, "points", "microcap index level at the start"));
  s.push_back(i("indices.microcap_members", 400, 1, 20000, "stocks",
                "microcap index members: the N smallest stocks by market cap"));
  s.push_back(i("indices.microcap_rebalance_days", 5, 1, 250, "trading days",
                "trading days between microcap index rebalances"));

  // [futures]
  const auto futures = futures_binder().specs();
  s.insert(s.end(), futures.begin(), futures.end());

  // [regulator]: rules switched on from a trading day (-1 = never)
  s.push_back(i("regulator.sell_cap_from_day", -1, -1, 100000, "trading day",
                "first day (0-based) quant funds and DMA accounts may sell only sell_cap_fraction_per_day"));
  s.back().long_doc = "first day quant funds and DMA accounts may sell only `sell_cap_fraction_per_day`";
  s.push_back(f("regulator.sell_cap_fraction_per_day", 0.1, 0, 1, "1/day",
                "share of stock holdings (by value) such an account may sell per day under the cap"));
  s.push_back(i("regulator.dma_ban_from_day", -1, -1, 100000, "trading day",
                "first day DMA accounts may not add gross exposure (no new leverage)"));
  s.push_back(i("regulator.dma_leverage_cap_from_day", -1, -1, 100000, "trading day",
                "first day DMA leverage is capped at dma_leverage_cap"));
  s.back().long_doc = "first day DMA leverage is capped at `dma_leverage_cap`";
  s.push_back(f("regulator.dma_leverage_cap", 2.0, 1, 100, "",
                "ceiling on DMA gross long / equity once the cap is on"));

  // [output]
  s.push_back(b("output.record_step_prices", true, "write per-step last prices of every stock"));
  s.push_back(i("output.liquidity_stocks_per_segment", -1, -1, 1e9, "stocks",
                "stocks per market segment whose order-book liquidity (best bid and ask, spread, depth, limit queues) "
                "is "
                "recorded every step: the first N of each segment; -1 = every stock, 0 = none"));
  s.back().long_doc = "stocks per market segment whose order-book liquidity (best bid and ask, spread, depth, limit "
                      "queues) is recorded every step: the first N of each segment; -1 = every stock, 0 = none. The "
                      "datasets are in every log; stocks not recorded read as -1 and cost no disk space "
                      "(docs/hdf5-schema.md, \"Order-book liquidity\"). Costs about 70 KB of log per stock and 37 "
                      "days at 1-minute steps (all 920 stocks: 67 MB, twice the rest of the log), so `feb2024.toml` "
                      "records 50 per segment (120 stocks), which keeps the recorder under 10% of the run's CPU";
  return s;
}

}  // namespace

ParamBinder<UniverseParams> universe_binder() {
  using U = UniverseParams;
  ParamBinder<U> b{""};
  b.bind(&U::microcaps, "stocks.microcaps", 0, 20000, "stocks", "stocks outside the hedged index, smallest caps");
  b.bind(&U::constituents, "stocks.index_constituents", 1, 20000, "stocks",
         "constituents of the hedged (CSI-1000-like) index");
  b.bind(&U::large_caps, "stocks.large_caps", 0, 2000, "stocks", "large caps (the national team's targets)");
  b.bind(&U::board_20pct_share, "stocks.board_20pct_share", 0, 1, "",
         "share of stocks on +-20% limit boards (ChiNext/STAR)");
  b.bind(&U::board_5pct_share, "stocks.board_5pct_share", 0, 1, "", "share of ST stocks with +-5% limits");
  b.bind(&U::microcap_cap_median, "stocks.microcap_cap_median_yuan", 1e6, 1e13, "yuan",
         "median market cap of microcaps");
  b.bind(&U::constituent_cap_median, "stocks.constituent_cap_median_yuan", 1e6, 1e13, "yuan",
         "median market cap of index constituents");
  b.bind(&U::large_cap_median, "stocks.large_cap_median_yuan", 1e6, 1e13, "yuan", "median market cap of large caps");
  b.bind(&U::cap_dispersion, "stocks.cap_dispersion", 0, 3, "", "lognormal sigma of market caps within a segment");
  b.bind(&U::price_median, "stocks.price_median_yuan", 1, 1000, "yuan", "median initial share price");
  b.bind(&U::price_dispersion, "stocks.price_dispersion", 0, 3, "", "lognormal sigma of initial prices");
  b.bind(&U::size_loading_microcap, "fundamentals.size_loading_microcap", -3, 3, "",
         "mean loading of microcaps on the size factor (each stock: this + 0.2 x a normal draw)");
  b.bind(&U::size_loading_constituent, "fundamentals.size_loading_constituent", -3, 3, "",
         "mean loading of the hedged index's members on the size factor: how much of the small caps' "
         "moves the hedged (CSI-1000-like) index shares");
  b.bind(&U::size_loading_large_cap, "fundamentals.size_loading_large_cap", -3, 3, "",
         "mean loading of large caps on the size factor");
  return b;
}

ParamBinder<FactorParams> factor_binder() {
  using F = FactorParams;
  ParamBinder<F> b{"fundamentals"};
  b.bind(&F::market_vol, "market_vol_annual", 0, 3, "1/sqrt(year)",
         "volatility of the market factor of latent fundamental values");
  b.bind(&F::size_vol, "size_vol_annual", 0, 3, "1/sqrt(year)", "volatility of the size (small-minus-big) factor");
  b.bind(&F::idio_vol, "idio_vol_annual", 0, 3, "1/sqrt(year)",
         "idiosyncratic volatility of each stock's fundamental value");
  b.bind(&F::market_drift, "market_drift_annual", -2, 2, "1/year", "drift of the market factor");
  b.bind(&F::size_drift, "size_drift_annual", -2, 2, "1/year", "drift of the size factor (positive: small caps lead)");
  b.bind(&F::alpha_dispersion, "alpha_dispersion_annual", 0, 3, "1/year",
         "cross-section standard deviation of each stock's own expected return (the stock-picking "
         "alpha that skilled funds see, neutral_funds/dma alpha_weight); 0: none");
  b.bind(&F::alpha_halflife_days, "alpha_halflife_days", 0.1, 10000, "trading days",
         "half-life of a stock's expected return: how fast today's alpha is replaced by a new one");
  return b;
}

ParamBinder<FuturesSpec> futures_binder() {
  using F = FuturesSpec;
  ParamBinder<F> b{"futures"};
  b.bind(&F::multiplier, "multiplier", 1, 10000, "yuan/point", "contract multiplier");
  b.bind(&F::tick_points, "tick_points", 0.01, 100, "points", "futures price tick");
  b.bind(&F::limit_pct, "limit_pct", 1, 50, "percent", "daily price limit from the previous settlement");
  b.bind(&F::margin_rate, "margin_rate", 0.01, 1, "", "exchange margin as a share of notional");
  b.bind(&F::listing_basis_annual, "initial_basis_annual", -1, 1, "1/year",
         "annualised basis (futures/index - 1) of the first reference prices");
  b.bind(&F::settlement_window_minutes, "settlement_window_minutes", 1, 240, "minutes",
         "daily settlement = volume-weighted futures price over this last part of the day");
  b.bind(&F::final_settlement_window_minutes, "final_settlement_window_minutes", 1, 240, "minutes",
         "final settlement = average index over this last part of the expiry day");
  return b;
}

const std::vector<ParamSpec>& core_param_specs() {
  static const std::vector<ParamSpec> specs = make_core_specs();
  return specs;
}

}  // namespace stampede
