#include "sim/record/meta_tables.hpp"

#include <cstdio>
#include <utility>

namespace stampede {
namespace {

using Record = std::vector<std::pair<const char*, const std::string*>>;

std::string json_records(const std::vector<Record>& rows) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += i ? ",\n  {" : "\n  {";
    for (std::size_t k = 0; k < rows[i].size(); ++k)
      out += (k ? ", " : "") + json_text(rows[i][k].first) + ": " + json_text(*rows[i][k].second);
    out += "}";
  }
  return out + (rows.empty() ? "]" : "\n]");
}

}   // namespace

std::string json_text(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string event_kinds_json(const std::vector<EventKind>& kinds) {
  std::vector<Record> rows;
  rows.reserve(kinds.size());
  for (const EventKind& k : kinds)
    rows.push_back({{"name", &k.name},
                    {"label", k.label.empty() ? &k.name : &k.label},
                    {"quantity_units", &k.quantity_units},
                    {"price_units", &k.price_units},
                    {"doc", &k.long_name}});
  return json_records(rows);
}

std::string agent_classes_json(const std::vector<AgentClassRow>& classes) {
  std::vector<Record> rows;
  rows.reserve(classes.size());
  for (const AgentClassRow& c : classes)
    rows.push_back({{"name", &c.name}, {"label", &c.label}, {"section", &c.section}, {"doc", &c.doc}});
  return json_records(rows);
}

std::string summary_metrics_json(const std::vector<SummaryMetricRow>& metrics) {
  std::vector<Record> rows;
  rows.reserve(metrics.size());
  for (const SummaryMetricRow& m : metrics)
    rows.push_back({{"name", &m.name}, {"units", &m.units}, {"label", &m.label}, {"doc", &m.doc}});
  return json_records(rows);
}

}   // namespace stampede
