#include "sim/record/run_log_schema.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/record/event_kinds.hpp"
#include "sim/record/frame_arrays.hpp"
#include "sim/record/frame_fields.hpp"
#include "sim/record/meta_tables.hpp"
#include "sim/record/run_log.hpp"

namespace stampede {
namespace {

const char* dtype_name(FieldType t) {
  switch (t) {
    case FieldType::u8: return "uint8";
    case FieldType::i32: return "int32";
    case FieldType::i64: return "int64";
    case FieldType::f64: return "float64";
    case FieldType::str: return "string";
  }
  return "?";
}

const char* dtype_name(ArrayType t) {
  switch (t) {
    case ArrayType::i32: return "int32";
    case ArrayType::i64: return "int64";
    case ArrayType::f64: return "float64";
  }
  return "?";
}

std::vector<std::string> dim_names(const char* first, const std::vector<ArrayAxis>& axes) {
  std::vector<std::string> out;
  if (first != nullptr) out.emplace_back(first);
  for (ArrayAxis a : axes) out.emplace_back(to_string(a));
  return out;
}

// The datasets the layout writes by hand (run_log_layout.cpp, group_axes.cpp, frame_array_writer.cpp):
// their attributes are the layout's, which RunLog's tests compare with a written log.
std::vector<SchemaDataset> layout_datasets() {
  auto coord = [](const char* name, const char* dtype, const char* units, const char* long_name, bool unlimited) {
    return SchemaDataset{name, {name}, dtype, units, long_name, "layout", "", true, unlimited};
  };
  auto plain = [](const char* path, std::vector<std::string> dims, const char* dtype, const char* units,
                  const char* long_name, const char* from, bool unlimited = false) {
    return SchemaDataset{path, std::move(dims), dtype, units, long_name, "layout", from, false, unlimited};
  };
  return {
      coord("step", "int64", "1", "global simulation step index", true),
      coord("day", "int32", "1", "trading-day index", true),
      coord("stock", "string", "", "stock code", false),
      coord("futures_slot", "string", "", "futures contract slot (front = nearest expiry)", false),
      coord("agent_class", "string", "", "agent class", false),
      coord("agent", "string", "", "agent with a row per day in /agents/daily", false),
      coord("segment", "string", "", "market segment (code in /market/stocks/segment)", false),
      plain("date", {"day"}, "string", "", "calendar date of the trading day (ISO 8601)", "DayFrame.date", true),
      plain("time", {"day"}, "int32", "days since 1970-01-01", "calendar date of the trading day", "DayFrame.date",
            true),
      plain("day_of_step", {"step"}, "int32", "1", "trading-day index of the step", "StepFrame.day", true),
      coord("intraday_step", "int32", "1", "position of a step within its trading day", false),
      plain("step_minute", {"intraday_step"}, "int32", "min",
            "minute of the day at which the intraday step starts (570 = 09:30)", "RunHeader.step_minute"),
      plain("step_phase", {"intraday_step"}, "uint8", "1", "trading phase of the intraday step",
            "RunHeader.step_phase"),
      plain("meta/scenario_toml", {}, "string", "", "scenario file as given (TOML)", "RunHeader.scenario_toml"),
      plain("meta/scenario_resolved", {}, "string", "", "scenario with every default filled in (TOML)",
            "RunHeader.scenario_resolved"),
      plain("meta/event_kinds", {}, "string", "", kMetaEventKindsLongName, "RunHeader.event_kinds"),
      plain("meta/agent_classes", {}, "string", "", kMetaAgentClassesLongName, "RunHeader.agent_class_info"),
      plain("meta/summary_metrics", {}, "string", "", kMetaSummaryMetricsLongName, "RunHeader.summary_metrics"),
      plain("market/stocks/liquidity_recorded", {"stock"}, "uint8", "1",
            "1 if the stock's per-step liquidity (best_bid ... limit_up_queue) is recorded",
            "RunHeader.liquidity_recorded"),
      SchemaDataset{"market/driver/driver_day",
                    {"driver_day"},
                    "int32",
                    "1",
                    "trading-day index the row drives",
                    "layout",
                    "RunHeader.driver",
                    true,
                    false},
      plain("market/driver/date", {"driver_day"}, "string", "",
            "calendar date of the row (ISO 8601): the run's trading day", "RunHeader.driver.dates"),
      plain("market/driver/time", {"driver_day"}, "int32", "days since 1970-01-01", "calendar date of the row",
            "RunHeader.driver.dates"),
      plain("market/driver/close", {"driver_day"}, "float64", "points",
            "close of the driving index that day (the file's column named by the attribute 'column')",
            "RunHeader.driver.close"),
      plain("market/driver/log_return", {"driver_day"}, "float64", "1",
            "log change of the close from the previous one: the market factor's move that day",
            "RunHeader.driver.log_return"),
  };
}

std::string group_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string json_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_text(v[i]);
  return out + "]";
}

// A markdown cell: '|' would end it.
std::string cell(const std::string& s) {
  std::string out;
  for (const char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

std::vector<SchemaDataset> run_log_datasets() {
  std::vector<SchemaDataset> all = layout_datasets();
  for (const FrameFieldSpec& s : declared_frame_fields()) {
    const char* first = s.time == FieldTime::step ? "step" : s.time == FieldTime::day ? "day" : nullptr;
    const char* frame = s.time == FieldTime::step ? "StepFrame." : s.time == FieldTime::day ? "DayFrame." : "RunHeader.";
    all.push_back(SchemaDataset{s.path(), dim_names(first, s.axes), dtype_name(s.type), s.units, s.long_name,
                                "frame_fields.def", frame + s.member, false, s.time != FieldTime::header});
  }
  for (const FrameArraySpec& s : declared_frame_arrays()) {
    const bool step = s.time == ArrayTime::step;
    all.push_back(SchemaDataset{s.group + "/" + s.name, dim_names(step ? "step" : "day", s.axes), dtype_name(s.type), s.units,
                                s.long_name, "frame_arrays.def", std::string(step ? "StepFrame" : "DayFrame") + ".arrays",
                                false, true});
  }
  // Grouped as in the file; within a group, in declaration order.
  const std::vector<std::string> order = {"",           "meta",          "market/stocks", "market/index",  "market/futures",
                                          "market/driver", "agents/classes", "agents/daily", "agents/flows"};
  auto rank = [&](const SchemaDataset& d) {
    const auto it = std::find(order.begin(), order.end(), group_of(d.path));
    return static_cast<std::size_t>(it - order.begin());   // a group not listed: after these, by name
  };
  std::stable_sort(all.begin(), all.end(), [&](const SchemaDataset& a, const SchemaDataset& b) {
    const std::size_t ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb;
    return ra == order.size() && group_of(a.path) < group_of(b.path);
  });
  return all;
}

std::string run_log_schema_json() {
  std::string out = "{\n  \"schema\": " + json_text(kRunLogSchema) + ",\n  \"datasets\": [\n";
  const auto datasets = run_log_datasets();
  for (std::size_t i = 0; i < datasets.size(); ++i) {
    const SchemaDataset& d = datasets[i];
    out += "    {\"path\": " + json_text(d.path) + ", \"dims\": " + json_list(d.dims) + ", \"dtype\": " + json_text(d.dtype) +
           ", \"units\": " + json_text(d.units) + ", \"long_name\": " + json_text(d.long_name) +
           ", \"declared_in\": " + json_text(d.declared_in) + ", \"filled_from\": " + json_text(d.filled_from) +
           ", \"coordinate\": " + (d.coordinate ? "true" : "false") + ", \"unlimited\": " + (d.unlimited ? "true" : "false") +
           "}" + (i + 1 < datasets.size() ? "," : "") + "\n";
  }
  out += "  ],\n  \"event_kinds\": [\n";
  const auto& kinds = declared_event_kinds();
  for (std::size_t i = 0; i < kinds.size(); ++i)
    out += "    {\"name\": " + json_text(kinds[i].name) + ", \"long_name\": " + json_text(kinds[i].long_name) +
           ", \"label\": " + json_text(kinds[i].label) + ", \"quantity_units\": " + json_text(kinds[i].quantity_units) +
           ", \"price_units\": " + json_text(kinds[i].price_units) + "}" + (i + 1 < kinds.size() ? "," : "") + "\n";
  out += "  ]\n}\n";
  return out;
}

std::string run_log_schema_markdown() {
  std::string out = "| path | dims | dtype | units | long_name | declared in, filled from |\n|---|---|---|---|---|---|\n";
  for (const SchemaDataset& d : run_log_datasets()) {
    std::string dims;
    for (const auto& x : d.dims) dims += (dims.empty() ? "" : ", ") + x;
    out += "| `/" + d.path + "` | " + (d.dims.empty() ? std::string("scalar") : "`[" + dims + "]`") + " | " + d.dtype + " | " + (d.units.empty() ? "—" : cell(d.units)) + " | " +
           cell(d.long_name) + " | " + d.declared_in + (d.filled_from.empty() ? "" : ", `" + d.filled_from + "`") + " |\n";
  }
  return out;
}

std::string with_schema_table(const std::string& page) {
  const std::size_t begin = page.find(kSchemaTableBegin);
  const std::size_t end = begin == std::string::npos ? begin : page.find(kSchemaTableEnd, begin);
  if (begin == std::string::npos || end == std::string::npos)
    throw std::runtime_error(std::string("no dataset table marked with '") + kSchemaTableBegin + "' ... '" + kSchemaTableEnd +
                             "' (docs/hdf5-schema.md has one)");
  const std::size_t from = begin + std::string(kSchemaTableBegin).size();
  return page.substr(0, from) + "\n" + run_log_schema_markdown() + page.substr(end);
}

}  // namespace stampede
