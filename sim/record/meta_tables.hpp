#pragma once
// The registries a run log describes itself with, in /meta: the event kinds (event_kinds.def),
// the run's agent classes (AgentClassInfo, next to each agent) and the summary measures
// (run.cpp's table), each with its name, label, units and one-line doc, so readers take labels
// and units from the file instead of copying them. Each is a scalar string dataset holding a JSON
// array of records (a form every reader of /meta, netCDF-C included, can read as text):
// /meta/event_kinds, /meta/agent_classes, /meta/summary_metrics (docs/hdf5-schema.md, "/meta").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/record/event_kinds.hpp"

namespace stampede {

// One agent class of the run, in the order of the `agent_class` dimension.
struct AgentClassRow {
  std::string name;      // the class (agent_class)
  std::string label;     // for people, plural ("DMA accounts"); the name when no section declares the class
  std::string section;   // the scenario section that makes it; "" when none declares it
  std::string doc;       // one line
};

// One outcome measure, written as the root attribute "summary_" + name.
struct SummaryMetricRow {
  std::string name, units, label, doc;
};

// The JSON arrays written to /meta: one object per row, one row per line, fields in the order
// of the structs (event kinds: name, label, quantity_units, price_units, doc).
std::string event_kinds_json(const std::vector<EventKind>& kinds);
std::string agent_classes_json(const std::vector<AgentClassRow>& classes);
std::string summary_metrics_json(const std::vector<SummaryMetricRow>& metrics);

// The datasets' long_name attributes (the layout writes them, the schema lists them).
inline constexpr const char* kMetaEventKindsLongName =
    "event kinds: JSON array of {name, label, quantity_units, price_units, doc}, one per /events table";
inline constexpr const char* kMetaAgentClassesLongName =
    "agent classes: JSON array of {name, label, section, doc}, one per agent_class, in its order";
inline constexpr const char* kMetaSummaryMetricsLongName =
    "summary measures: JSON array of {name, units, label, doc}, one per root attribute summary_<name>";

// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
std::string json_text(const std::string& s);

// A log's /meta/agent_classes read back (what agent_classes_json wrote: an array of objects whose
// values are strings; unknown fields are skipped). Nothing when the text is not such an array.
std::optional<std::vector<AgentClassRow>> agent_classes_from_json(std::string_view json);

}   // namespace stampede
