#include "sim/record/meta_tables.hpp"

#include <cstdio>
#include <map>
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

// Reads the JSON json_records writes: an array of flat objects with string values (the escapes
// json_text writes, and the other one-character ones). Any other text: nothing.
class FlatRecordsReader {
 public:
  explicit FlatRecordsReader(std::string_view text) : text_(text) {}

  std::optional<std::vector<std::map<std::string, std::string>>> records() {
    std::vector<std::map<std::string, std::string>> out;
    if (!take('[')) return std::nullopt;
    if (take(']')) return end() ? std::optional(out) : std::nullopt;
    do {
      auto record = object();
      if (!record) return std::nullopt;
      out.push_back(std::move(*record));
    } while (take(','));
    if (!take(']') || !end()) return std::nullopt;
    return out;
  }

 private:
  std::optional<std::map<std::string, std::string>> object() {
    std::map<std::string, std::string> fields;
    if (!take('{')) return std::nullopt;
    if (take('}')) return fields;
    do {
      auto key = string();
      if (!key || !take(':')) return std::nullopt;
      auto value = string();
      if (!value) return std::nullopt;
      fields[*key] = std::move(*value);
    } while (take(','));
    if (!take('}')) return std::nullopt;
    return fields;
  }
  std::optional<std::string> string() {
    if (!take('"')) return std::nullopt;
    std::string out;
    while (at_ < text_.size() && text_[at_] != '"') {
      char c = text_[at_++];
      if (c == '\\') {
        if (at_ >= text_.size()) return std::nullopt;
        c = text_[at_++];
        if (c == 'u') {
          // json_text escapes only control characters: one byte, \u0000 to \u001f
          if (at_ + 4 > text_.size() || text_.substr(at_, 2) != "00") return std::nullopt;
          const int high = hex_digit(text_[at_ + 2]), low = hex_digit(text_[at_ + 3]);
          if (high < 0 || low < 0) return std::nullopt;
          at_ += 4;
          c = static_cast<char>(high * 16 + low);
        } else if (c == 'n') {
          c = '\n';
        } else if (c == 't') {
          c = '\t';
        } else if (c != '"' && c != '\\' && c != '/') {
          return std::nullopt;
        }
      }
      out += c;
    }
    if (!take('"')) return std::nullopt;
    return out;
  }
  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\t' || text_[at_] == '\r'))
      ++at_;
  }
  // Skips white space, then takes `c` if it is next.
  bool take(char c) {
    skip_space();
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool end() {
    skip_space();
    return at_ == text_.size();
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

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

std::optional<std::vector<AgentClassRow>> agent_classes_from_json(std::string_view json) {
  const auto records = FlatRecordsReader(json).records();
  if (!records) return std::nullopt;
  std::vector<AgentClassRow> out;
  for (const auto& r : *records) {
    const auto field = [&](const char* key) {
      const auto it = r.find(key);
      return it == r.end() ? std::string() : it->second;
    };
    if (field("name").empty()) return std::nullopt;
    out.push_back(
        {field("name"), field("label").empty() ? field("name") : field("label"), field("section"), field("doc")});
  }
  return out;
}

}   // namespace stampede
