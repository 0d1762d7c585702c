#include "sim/engine/market_driver.hpp"

#include <cmath>
#include <optional>
#include <fmt/format.h>
#include <sstream>
#include <stdexcept>

#include "sim/scenario/scenario_data.hpp"

namespace stampede {

namespace {

constexpr const char* kFileKey = "fundamentals.market_driver";
constexpr const char* kColumnKey = "fundamentals.market_driver_column";

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) {
    while (!field.empty() && (field.back() == '\r' || field.back() == ' ')) field.pop_back();
    while (!field.empty() && field.front() == ' ') field.erase(field.begin());
    out.push_back(field);
  }
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

bool parse_number(const std::string& text, double& out) {
  if (text.empty()) return false;
  try {
    std::size_t used = 0;
    out = std::stod(text, &used);
    return used == text.size() && std::isfinite(out);
  } catch (const std::exception&) {
    return false;
  }
}

// One column of a daily CSV over the run's trading days (see load_market_driver for the checks).
MarketDriver load_index_column(const Scenario& s, const TradingCalendar& calendar, const std::string& file,
                               const std::string& column) {
  const std::string key = fmt::format("{} = \"{}\"", kFileKey, file);
  std::optional<ScenarioDataFile> data;
  try {
    data = read_scenario_data(file, s.source_dirs());
  } catch (const std::runtime_error& e) {   // there, but not a regular file, or too large
    throw ScenarioError({fmt::format("{}: {}", key, e.what())});
  }
  if (!data)
    throw ScenarioError({fmt::format("{}: no such file next to the scenario, nor a built-in data file of that name "
                                     "(built-in: scenarios/data/*.csv as data/<file>)", key)});
  const std::string& name = data->name;
  std::istringstream in(data->text);
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \r\t") != std::string::npos) header = split_csv(line);
  }
  if (header.empty()) throw ScenarioError({fmt::format("{} ({}): the file is empty; expected a header line 'date,...'", name, key)});
  int date_col = -1, value_col = -1;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c] == "date") date_col = static_cast<int>(c);
    if (header[c] == column) value_col = static_cast<int>(c);
  }
  std::string columns;
  for (const auto& h : header) columns += (columns.empty() ? "" : ", ") + h;
  if (date_col < 0) throw ScenarioError({fmt::format("{}:{}: no 'date' column (columns: {})", name, line_no, columns)});
  if (value_col < 0)
    throw ScenarioError({fmt::format("{}:{}: no column '{}' ({}; columns: {})", name, line_no, column, kColumnKey, columns)});

  MarketDriver d;
  d.source = name;
  d.column = column;
  const int days = calendar.size();
  const Date first = calendar.date(0);
  int day = 0;                          // next trading day to match
  std::optional<Date> previous;
  std::vector<std::string> problems;
  while (std::getline(in, line) && day < days && problems.size() < 20) {
    ++line_no;
    if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
    const auto fields = split_csv(line);
    const std::string where = fmt::format("{}:{}", name, line_no);
    if (fields.size() != header.size()) {
      problems.push_back(fmt::format("{}: {} fields, the header has {}", where, fields.size(), header.size()));
      continue;
    }
    const auto date = parse_iso_date(fields[static_cast<std::size_t>(date_col)]);
    if (!date) {
      problems.push_back(fmt::format("{}: date '{}' is not a real YYYY-MM-DD date", where, fields[static_cast<std::size_t>(date_col)]));
      continue;
    }
    if (previous && *date <= *previous) {
      problems.push_back(fmt::format("{}: date {} does not come after {} (rows must be in date order, once each)", where,
                                     to_iso(*date), to_iso(*previous)));
      continue;
    }
    previous = date;
    double value = 0;
    if (!parse_number(fields[static_cast<std::size_t>(value_col)], value) || value <= 0) {
      problems.push_back(fmt::format("{}: {} '{}' is not a positive number", where, column, fields[static_cast<std::size_t>(value_col)]));
      continue;
    }
    if (*date < first) {   // the last of these is the close the first day moves from
      d.base_date = to_iso(*date);
      d.base_close = value;
      continue;
    }
    if (*date < calendar.date(day)) {
      problems.push_back(fmt::format("{}: {} is not a trading day of the scenario (a weekend, or listed in holidays); "
                                     "every row from start_date on must be one",
                                     where, to_iso(*date)));
      continue;
    }
    while (day < days && calendar.date(day) < *date) {
      problems.push_back(fmt::format("{}: the scenario trades on {} but the file has no row for it (before line {}); "
                                     "add it to holidays if the market was closed",
                                     name, calendar.iso(day), line_no));
      ++day;
    }
    if (day < days && calendar.date(day) == *date) {
      d.dates.push_back(to_iso(*date));
      d.close.push_back(value);
      ++day;
    }
  }
  if (d.base_close <= 0 && problems.empty())
    problems.push_back(fmt::format("{}: no row before the first trading day {}: the first day's move needs the close before it",
                                   name, calendar.iso(0)));
  if (problems.empty() && day < days)
    problems.push_back(fmt::format("{}: ends before the scenario's trading day {} (day {} of {}); shorten days or extend the file",
                                   name, calendar.iso(day), day + 1, days));
  if (!problems.empty()) {
    for (auto& p : problems) p = fmt::format("{}: {}", kFileKey, p);
    throw ScenarioError(problems);
  }
  double prev = d.base_close;
  for (double c : d.close) {
    d.log_return.push_back(std::log(c / prev));
    prev = c;
  }
  return d;
}

}  // namespace

TradingCalendar scenario_calendar(const Scenario& s) {
  auto start = parse_iso_date(s.get_string("start_date"));
  if (!start) throw std::invalid_argument("start_date is not a valid date");
  std::vector<Date> holidays;
  for (const std::string& h : s.get_list("holidays"))
    if (auto d = parse_iso_date(h)) holidays.push_back(*d);
  return TradingCalendar(*start, static_cast<int>(s.get_int("days")), holidays);
}

std::optional<MarketDriver> load_market_driver(const Scenario& s, const TradingCalendar& calendar) {
  const std::string& file = s.get_string(kFileKey);
  if (file.empty()) return std::nullopt;
  const std::string& column = s.get_string(kColumnKey);
  for (const char* target : kTargetColumns)
    if (column == target)
      throw ScenarioError({fmt::format("{} = \"{}\": '{}' is a calibration target (what the model has to explain), "
                                       "not a driver; drive the market factor with a large-cap index such as csi300",
                                       kColumnKey, column, column)});
  return load_index_column(s, calendar, file, column);
}

RealReference load_real_reference(const Scenario& s, const TradingCalendar& calendar) {
  RealReference r;
  const std::string& file = s.get_string(kFileKey);
  if (file.empty()) return r;
  auto one = [&](const char* column) -> std::optional<MarketDriver> {
    try {
      return load_index_column(s, calendar, file, column);
    } catch (const ScenarioError&) {
      return std::nullopt;   // the file lacks the column or does not cover the run: no reference
    }
  };
  r.microcap = one("microcap");
  r.hedged = one("csi1000");
  return r;
}

void check_scenario_data(const Scenario& s) { (void)load_market_driver(s, scenario_calendar(s)); }

}  // namespace stampede
