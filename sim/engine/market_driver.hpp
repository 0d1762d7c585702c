#pragma once
// A real daily index path driving the market factor of the latent fundamentals
// (`fundamentals.market_driver`): the exogenous part of a run, as in the real event, where the
// large-cap market (CSI 300) is what the crowding did not come from. Everything the model has to
// explain (microcaps, the hedged index, the basis, the products) stays endogenous, so the columns
// that are calibration targets are refused as drivers.
#include <optional>
#include <string>
#include <vector>

#include "sim/market/calendar.hpp"
#include "sim/record/run_log.hpp"
#include "sim/scenario/scenario.hpp"

namespace stampede {

// Columns of the shipped index file that are calibration targets, never inputs of a run.
inline constexpr const char* kTargetColumns[] = {"csi1000", "csi2000", "microcap"};

// The driver's path: the same table the run log writes to /market/driver (sim/record/run_log.hpp:
// source, column, base_date, base_close, and per trading day dates, close, log_return).
using MarketDriver = DriverTable;

// The run's trading calendar (start_date, days, holidays).
TradingCalendar scenario_calendar(const Scenario& s);

// nullopt when the scenario names no driver. Throws ScenarioError naming the key, the file and
// line: missing file, unknown or target column, malformed row, a date the calendar does not
// trade or a trading day the file lacks, no close before the first day, the file ending early.
std::optional<MarketDriver> load_market_driver(const Scenario& s, const TradingCalendar& calendar);

// The real closes of what the model has to explain, for setting beside a run's figures (never
// an input): the driver file's `microcap` and `csi1000` columns over the run's trading days, each
// nullopt when the scenario has no driver or its file lacks the column or the dates.
struct RealReference {
  std::optional<MarketDriver> microcap, hedged;
};
RealReference load_real_reference(const Scenario& s, const TradingCalendar& calendar);

// Every check on data the scenario names (today: the market driver), before anything runs.
void check_scenario_data(const Scenario& s);

}  // namespace stampede
