#pragma once
// The daily series an ensemble summary takes from each run log (docs/hdf5-schema.md): read with
// the HDF5 library lock held by the caller (an h5::Session).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/record/meta_tables.hpp"

namespace stampede::sweep {

// One value per trading day of a run, as the ensemble summary stores it. Declared once here: the
// summary's datasets, their units and long names, and the list tools/report.py draws come from
// this table.
struct RunSeries;
struct DailyVariable {
  const char* name;        // dataset name in ensemble.h5; its band is name + "_band"
  const char* units;
  const char* long_name;
  std::vector<double> RunSeries::*values;
};

struct RunSeries {
  std::vector<std::string> dates;          // ISO, [day]
  std::vector<std::int32_t> days;          // the log's trading-day indices
  std::vector<double> microcap_close, hedged_close;
  std::vector<double> basis_main;          // annualised basis of the main contract at the day's last step
  std::vector<double> limit_down;          // stocks that closed at their lower limit
  std::vector<std::string> classes;        // agent classes of the run
  std::vector<AgentClassRow> class_rows;   // [class]: /meta/agent_classes (label, section, doc); empty in older logs
  std::vector<double> class_nav;           // [day, class]: the class's NAV at the day's last step (yuan)
};

const std::vector<DailyVariable>& daily_variables();

// Reads the series of a complete run log; throws std::runtime_error naming the log and the dataset.
RunSeries read_run_series(const std::filesystem::path& log);

}  // namespace stampede::sweep
