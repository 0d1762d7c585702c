// Scenario parsing and validation. toml11 stays inside this file; the header is toml-free.
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <toml.hpp>

namespace stampede {

// ---------------------------------------------------------------------------------------------
// ScenarioError

namespace {
std::string join_lines(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += '\n';
    out += v[i];
  }
  return out.empty() ? std::string("invalid scenario") : out;
}
}  // namespace

ScenarioError::ScenarioError(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

const std::vector<std::string>& ScenarioError::problems() const { return problems_; }

// ---------------------------------------------------------------------------------------------
// Helpers

namespace {

const char* type_name(ParamType t) {
  switch (t) {
    case ParamType::Bool: return "boolean";
    case ParamType::Int: return "integer";
    case ParamType::Float: return "number";
    case ParamType::String: return "string";
    case ParamType::Date: return "date (\"YYYY-MM-DD\")";
    case ParamType::DateList: return "array of dates ([\"YYYY-MM-DD\", ...])";
  }
  return "?";
}

std::string section_of(std::string_view key) {
  auto dot = key.find('.');
  return dot == std::string_view::npos ? std::string() : std::string(key.substr(0, dot));
}

std::string leaf_of(std::string_view key) {
  auto dot = key.find('.');
  return std::string(dot == std::string_view::npos ? key : key.substr(dot + 1));
}

// Text safe inside a TOML comment or a one-line message: no line breaks or control characters.
std::string one_line(std::string s) {
  for (char& c : s)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = ' ';
  return s;
}

// Shortest text that reads back as the same double; always looks like a TOML float.
std::string format_float(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", x);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  // TOML requires a digit before the exponent and forbids a leading '+'; fmt never emits those.
  return s;
}

// A bound in a message: integers plainly, other values shortest.
std::string format_bound(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == std::floor(x) && std::fabs(x) < 1e15) return fmt::format("{}", static_cast<long long>(x));
  return fmt::format("{}", x);
}

std::string range_text(const ParamSpec& s) {
  bool lo = std::isfinite(s.min), hi = std::isfinite(s.max);
  std::string r;
  if (lo && hi)
    r = format_bound(s.min) + ".." + format_bound(s.max);
  else if (lo)
    r = "at least " + format_bound(s.min);
  else if (hi)
    r = "at most " + format_bound(s.max);
  else
    r = "any finite number";
  if (!s.unit.empty()) r += " (" + s.unit + ")";
  return r;
}

std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
          out += c;
    }
  }
  return out + "\"";
}

bool is_valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  auto num = [&](int pos, int len) {
    int v = 0;
    for (int k = 0; k < len; ++k) v = v * 10 + (s[pos + k] - '0');
    return v;
  };
  std::chrono::year_month_day ymd{std::chrono::year{num(0, 4)}, std::chrono::month{static_cast<unsigned>(num(5, 2))},
                                  std::chrono::day{static_cast<unsigned>(num(8, 2))}};
  return ymd.ok();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string describe_toml(const toml::value& v) {
  switch (v.type()) {
    case toml::value_t::boolean: return fmt::format("boolean {}", v.as_boolean() ? "true" : "false");
    case toml::value_t::integer: return fmt::format("integer {}", v.as_integer());
    case toml::value_t::floating: return fmt::format("float {}", format_float(v.as_floating()));
    case toml::value_t::string: return "string " + toml_quote(v.as_string().str);
    case toml::value_t::local_date: return "date";
    case toml::value_t::local_time: return "time";
    case toml::value_t::local_datetime: return "date-time";
    case toml::value_t::offset_datetime: return "date-time";
    case toml::value_t::array: return "array";
    case toml::value_t::table: return "table";
    default: return "empty value";
  }
}

std::optional<std::string> date_text(const toml::value& v) {
  if (v.is_string()) return v.as_string().str;
  if (v.is_local_date()) {
    const auto& d = v.as_local_date();
    return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(d.year), static_cast<int>(d.month) + 1,
                       static_cast<int>(d.day));
  }
  return std::nullopt;
}

// The scenario name becomes the run log's file stem (results/<name>.h5), so it must be a name, not
// a path: a '/' or a leading '.' would write outside results/ or over another file.
std::optional<std::string> run_name_problem(const std::string& name) {
  const std::string allowed = " (a name becomes the run log's file name, results/<name>.h5: any text without '/' or NUL, "
                              "not starting with '.', at most 200 bytes)";
  if (name.empty()) return "the name is empty" + allowed;
  if (name.size() > 200) return fmt::format("the name is {} bytes long", name.size()) + allowed;
  if (name.front() == '.') return toml_quote(name) + " starts with '.'" + allowed;
  for (char c : name)
    if (c == '/' || c == '\0') return toml_quote(name) + " is a path, not a name" + allowed;
  return std::nullopt;
}

// A number as it was written in the TOML text (its source region), so a problem echoes what the
// user wrote: toml11 reads an integer beyond 64 bits as 9223372036854775807, which is not what
// anyone typed. `fallback` when the text is not at hand.
std::string as_written(const toml::value& v, const std::string& fallback) {
  const toml::source_location loc = v.location();
  const std::string& line = loc.line_str();
  const std::size_t col = loc.column(), len = loc.region();
  if (col >= 1 && len > 0 && col - 1 + len <= line.size()) {
    std::string text = line.substr(col - 1, len);
    if (!text.empty() && text.find_first_of("0123456789") != std::string::npos) return text;
  }
  return fallback;
}

// Converts and checks one value against its spec. On failure returns the problem text (without
// the location prefix, starting with "key '...': ").
std::variant<ParamValue, std::string> convert(const ParamSpec& spec, const toml::value& v) {
  const std::string who = "key '" + spec.key + "': ";
  auto wrong_type = [&]() -> std::string {
    return who + type_name(spec.type) + " expected, got " + describe_toml(v);
  };
  auto check_range = [&](double x, const std::string& shown) -> std::optional<std::string> {
    if (std::isnan(x)) return who + "nan is not allowed, allowed " + range_text(spec);
    if (!(x >= spec.min && x <= spec.max)) return who + shown + " is out of range, allowed " + range_text(spec);
    return std::nullopt;
  };
  switch (spec.type) {
    case ParamType::Bool:
      if (!v.is_boolean()) return wrong_type();
      return ParamValue{v.as_boolean()};
    case ParamType::Int: {
      if (v.is_floating()) return who + "integer expected, got float " + format_float(v.as_floating());
      if (!v.is_integer()) return wrong_type();
      std::int64_t x = v.as_integer();
      if (auto p = check_range(static_cast<double>(x), as_written(v, std::to_string(x)))) return *p;
      return ParamValue{x};
    }
    case ParamType::Float: {
      double x;
      if (v.is_floating())
        x = v.as_floating();
      else if (v.is_integer())
        x = static_cast<double>(v.as_integer());
      else
        return wrong_type();
      if (auto p = check_range(x, as_written(v, v.is_integer() ? std::to_string(v.as_integer()) : format_float(x)))) return *p;
      return ParamValue{x};
    }
    case ParamType::String:
      if (!v.is_string()) return wrong_type();
      if (spec.key == "name")
        if (auto p = run_name_problem(v.as_string().str)) return who + *p;
      return ParamValue{v.as_string().str};
    case ParamType::Date: {
      auto d = date_text(v);
      if (!d) return wrong_type();
      if (!is_valid_date(*d)) return who + toml_quote(*d) + " is not a valid date (expected \"YYYY-MM-DD\")";
      return ParamValue{*d};
    }
    case ParamType::DateList: {
      if (!v.is_array()) return wrong_type();
      std::vector<std::string> out;
      std::vector<std::string> bad;
      const auto& arr = v.as_array();
      for (std::size_t k = 0; k < arr.size(); ++k) {
        auto d = date_text(arr[k]);
        if (!d)
          bad.push_back(fmt::format("element {} is {}, expected a date string", k + 1, describe_toml(arr[k])));
        else if (!is_valid_date(*d))
          bad.push_back(toml_quote(*d) + " is not a valid date");
        else
          out.push_back(*d);
      }
      if (!bad.empty()) {
        std::string msg = who;
        for (std::size_t k = 0; k < bad.size(); ++k) msg += (k ? "; " : "") + bad[k];
        return msg + " (expected \"YYYY-MM-DD\")";
      }
      return ParamValue{std::move(out)};
    }
  }
  return wrong_type();
}

bool value_matches_type(const ParamValue& v, ParamType t) {
  switch (t) {
    case ParamType::Bool: return std::holds_alternative<bool>(v);
    case ParamType::Int: return std::holds_alternative<std::int64_t>(v);
    case ParamType::Float: return std::holds_alternative<double>(v);
    case ParamType::String:
    case ParamType::Date: return std::holds_alternative<std::string>(v);
    case ParamType::DateList: return std::holds_alternative<std::vector<std::string>>(v);
  }
  return false;
}

// Specs are written by programmers: any inconsistency is a bug, reported as std::logic_error.
void check_specs(const std::vector<ParamSpec>& specs) {
  std::set<std::string> keys, top_keys, sections;
  auto valid_part = [](std::string_view p) {
    return !p.empty() && std::all_of(p.begin(), p.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
  };
  for (const auto& s : specs) {
    auto bug = [&](const std::string& what) { throw std::logic_error("ParamSpec '" + s.key + "': " + what); };
    auto dot = s.key.find('.');
    if (dot == std::string::npos) {
      if (!valid_part(s.key)) bug("invalid key");
      top_keys.insert(s.key);
    } else {
      if (!valid_part(s.key.substr(0, dot)) || !valid_part(s.key.substr(dot + 1))) bug("invalid key (one dot at most)");
      sections.insert(s.key.substr(0, dot));
    }
    if (!keys.insert(s.key).second) bug("duplicate key");
    if (!value_matches_type(s.default_value, s.type)) bug("default value does not match the type");
    if (s.type == ParamType::Int || s.type == ParamType::Float) {
      double x = s.type == ParamType::Int ? static_cast<double>(std::get<std::int64_t>(s.default_value))
                                          : std::get<double>(s.default_value);
      if (!(s.min <= s.max)) bug("min > max");
      if (!(x >= s.min && x <= s.max)) bug("default out of range");
    }
    if (s.type == ParamType::Date && !is_valid_date(std::get<std::string>(s.default_value))) bug("invalid default date");
    if (s.type == ParamType::DateList)
      for (const auto& d : std::get<std::vector<std::string>>(s.default_value))
        if (!is_valid_date(d)) bug("invalid default date");
  }
  for (const auto& t : top_keys)
    if (sections.count(t)) throw std::logic_error("ParamSpec '" + t + "': key is also a section name");
}

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

// toml11's messages span several lines; keep the gist on one line.
std::string condense_toml_error(const std::string& what) {
  std::istringstream in(what);
  std::string line, first, hint;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.empty()) continue;
    if (first.empty()) {
      first = t;
      continue;
    }
    auto caret = t.find("^");
    if (caret != std::string::npos) {
      std::string h = trim(t.substr(caret));
      while (!h.empty() && (h[0] == '^' || h[0] == '-' || h[0] == ' ')) h.erase(0, 1);
      if (!h.empty() && hint.empty()) hint = h;
    }
  }
  const std::string prefix = "[error] ";
  if (first.rfind(prefix, 0) == 0) first.erase(0, prefix.size());
  if (first.rfind("toml::", 0) == 0) {
    auto colon = first.find(": ");
    if (colon != std::string::npos) first.erase(0, colon + 2);
  }
  if (!hint.empty() && hint != first) first += " (" + hint + ")";
  return first;
}

// Everything the specs define, arranged for lookups and suggestions.
struct SpecIndex {
  std::map<std::string, const ParamSpec*, std::less<>> by_key;
  std::vector<std::string> section_order;                 // first appearance in specs
  std::map<std::string, std::vector<std::string>, std::less<>> keys_in;   // section ("" = top) -> leaf names

  explicit SpecIndex(const std::vector<ParamSpec>& specs) {
    for (const auto& s : specs) {
      by_key[s.key] = &s;
      std::string sec = section_of(s.key);
      if (!sec.empty() && !keys_in.count(sec)) section_order.push_back(sec);
      keys_in[sec].push_back(leaf_of(s.key));
    }
  }
  bool is_section(std::string_view s) const { return !s.empty() && keys_in.count(std::string(s)) > 0; }

  // Closest spec key to an unknown one, or "" when nothing is close.
  std::string suggest_key(std::string_view key, const std::vector<ParamSpec>& specs) const {
    std::string sec = section_of(key), leaf = leaf_of(key);
    std::size_t best = static_cast<std::size_t>(-1);
    std::string best_key;
    const std::size_t limit = std::max<std::size_t>(2, leaf.size() / 3);
    const auto gap = [](std::size_t a, std::size_t b) { return a > b ? a - b : b - a; };
    for (const auto& s : specs) {
      // The length difference bounds the distance from below: a key too far to be suggested is
      // skipped without the quadratic edit distance (a long unknown key against ~450 specs took
      // seconds; found by fuzzing, docs/fuzzing.md).
      if (gap(key.size(), s.key.size()) > limit && gap(leaf.size(), leaf_of(s.key).size()) > limit) continue;
      std::size_t d = edit_distance(key, s.key);
      std::string ssec = section_of(s.key);
      std::size_t dl = edit_distance(leaf, leaf_of(s.key)) + (ssec == sec ? 0 : 1);
      d = std::min(d, dl);
      if (d < best || (d == best && ssec == sec && section_of(best_key) != sec)) {
        best = d;
        best_key = s.key;
      }
    }
    return best <= limit ? best_key : std::string();
  }
  std::string suggest_section(std::string_view sec) const {
    std::size_t best = static_cast<std::size_t>(-1);
    std::string out;
    for (const auto& s : section_order) {
      std::size_t d = edit_distance(sec, s);
      if (d < best) best = d, out = s;
    }
    return best <= std::max<std::size_t>(2, sec.size() / 3) ? out : std::string();
  }
  std::string list_sections() const {
    std::string out;
    for (const auto& s : section_order) out += (out.empty() ? "[" : ", [") + s + "]";
    return out.empty() ? "none" : out;
  }
  std::string list_keys(const std::string& sec) const {
    auto it = keys_in.find(sec);
    if (it == keys_in.end()) return "none";
    std::string out;
    for (const auto& k : it->second) out += (out.empty() ? "" : ", ") + k;
    return out;
  }
  std::string unknown_key_message(std::string_view key, const std::vector<ParamSpec>& specs) const {
    std::string msg = "unknown key '" + std::string(key) + "'";
    std::string sug = suggest_key(key, specs);
    std::string sec = section_of(key);
    if (!sug.empty()) return msg + " (did you mean '" + sug + "'?)";
    if (sec.empty())
      return msg + " (valid top-level keys: " + list_keys("") + "; sections: " + list_sections() + ")";
    if (is_section(sec)) return msg + " (valid keys in [" + sec + "]: " + list_keys(sec) + ")";
    std::string ssug = suggest_section(sec);
    if (!ssug.empty()) return msg + " (unknown section [" + sec + "]; did you mean [" + ssug + "]?)";
    return msg + " (unknown section [" + sec + "]; valid sections: " + list_sections() + ")";
  }
};

std::string at_line(const std::string& source, const toml::value& v) {
  auto line = v.location().line();
  if (line == 0 || v.location().file_name() == "unknown file") return source + ": ";
  return fmt::format("{}:{}: ", source, line);
}

// toml11 parses nested arrays and inline tables recursively, and copies nested tables
// recursively: a few thousand '[' or a key a.a.a... with thousands of dots, in a file or a --set
// value, overflowed the stack (found by fuzzing, docs/fuzzing.md). Scenarios nest two levels at
// most, so text nesting deeper than this is refused before toml11 sees it.
constexpr int kMaxTomlNesting = 64;

// toml11 copies a value's whole source line into each value it parses, so one long line of many
// values (a 20,000-date holiday list written on one line: a minute of CPU) parses in time
// quadratic in its length; the same list over several lines takes a quarter of a second.
constexpr std::size_t kMaxTomlLineBytes = 20000;

// The 1-based line of `text` longer than kMaxTomlLineBytes, or 0.
std::size_t too_long_line(std::string_view text) {
  std::size_t line = 1, start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == '\n') {
      if (i - start > kMaxTomlLineBytes) return line;
      ++line;
      start = i + 1;
    }
  return 0;
}

// The 1-based line where `text` opens its (kMaxTomlNesting+1)-th nested '[' or '{', or has more
// than kMaxTomlNesting dots in one key (dots since the last newline, '=', ',', '[' or '{'),
// outside strings and comments; 0 if it never nests that deep.
std::size_t too_deep_line(std::string_view text) {
  int depth = 0;
  int dots = 0;
  std::size_t line = 1;
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '\n' || c == '=' || c == ',' || c == '[' || c == '{') dots = 0;
    if (c == '.' && ++dots > kMaxTomlNesting) return line;
    if (c == '\n') {
      ++line;
    } else if (c == '#') {
      while (i + 1 < n && text[i + 1] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      const std::string_view quote = text.substr(i, 3) == std::string(3, c) ? text.substr(i, 3) : text.substr(i, 1);
      for (i += quote.size(); i < n && text.substr(i, quote.size()) != quote; ++i) {
        if (quote.size() == 1 && text[i] == '\n') break;  // unterminated one-line string: toml11 reports it
        if (c == '"' && text[i] == '\\' && i + 1 < n && !(quote.size() == 1 && text[i + 1] == '\n'))
          ++i;  // an escaped character, maybe a quote
        if (text[i] == '\n') ++line;
      }
      if (i < n && text[i] == '\n') --i;  // counted by the loop
      else i += quote.size() - 1;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxTomlNesting) return line;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return 0;
}

// The 1-based line of the first byte sequence that is not UTF-8 (TOML text must be UTF-8), or 0.
// Checked before toml11 sees the text: toml11 3.7 reads out of bounds while reporting invalid
// UTF-8 inside a literal string ('...' or '''...'''): found by fuzzing, docs/fuzzing.md.
std::size_t invalid_utf8_line(std::string_view text) {
  std::size_t line = 1;
  const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
  const auto cont = [&](std::size_t i) { return (byte(i) & 0xC0u) == 0x80u; };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned c = byte(i);
    std::size_t len = 0;
    if (c < 0x80) len = 1;
    else if (c >= 0xC2 && c <= 0xDF) len = cont(i + 1) ? 2 : 0;
    else if (c >= 0xE0 && c <= 0xEF) {
      const unsigned c1 = byte(i + 1);
      const bool ok1 = c == 0xE0 ? (c1 >= 0xA0 && c1 <= 0xBF) : c == 0xED ? (c1 >= 0x80 && c1 <= 0x9F) : cont(i + 1);
      len = ok1 && cont(i + 2) ? 3 : 0;
    } else if (c >= 0xF0 && c <= 0xF4) {
      const unsigned c1 = byte(i + 1);
      const bool ok1 = c == 0xF0 ? (c1 >= 0x90 && c1 <= 0xBF) : c == 0xF4 ? (c1 >= 0x80 && c1 <= 0x8F) : cont(i + 1);
      len = ok1 && cont(i + 2) && cont(i + 3) ? 4 : 0;
    }
    if (len == 0) return line;
    if (c == '\n') ++line;
    i += len;
  }
  return 0;
}

// Parses an override's value text as a TOML value; text that is not one is taken as a string.
toml::value parse_override_value(const std::string& text) {
  std::string t = trim(text);
  if (!t.empty() && t.find_first_of("\n\r") == std::string::npos && !too_deep_line(t) && !too_long_line(t)) {
    try {
      std::istringstream in("v = " + t + "\n");
      toml::value doc = toml::parse(in, "--set");
      if (doc.is_table() && doc.as_table().size() == 1 && doc.contains("v")) return toml::find(doc, "v");
    } catch (const std::exception&) {
      // not TOML: a bare word
    }
  }
  return toml::value(t);
}

// Reads scenario files and overrides into a scenario's values (Scenario::parse_layers), naming
// every problem: each file's after the earlier files', those found in its keys in line order
// (TOML tables are unordered), then the overrides', in order.
class ScenarioReader {
 public:
  using Values = std::map<std::string, ParamValue, std::less<>>;
  using Sections = std::set<std::string, std::less<>>;
  ScenarioReader(const std::vector<ParamSpec>& specs, Values& values, Sections& sections)
      : specs_(specs), idx_(specs), values_(values), sections_(sections) {}

  // One file's keys; a later file's key wins. `base` is allowed only in scenario files.
  void read_file(const std::string& text, const std::string& source, bool base_allowed) {
    source_ = source;
    const std::optional<toml::value> doc = parse_file(text);
    // A file with no key at all (empty, or comments only) is almost certainly not what was meant:
    // it would run the built-in defaults without a word.
    if (base_allowed && doc && doc->is_table() && doc->as_table().empty())
      problems_.push_back(
          source +
          ": no keys (an empty or comment-only scenario file would run docs/scenario.md's "
          "defaults; write at least `name = \"...\"`, or `base = \"feb2024.toml\"` to build on the default)");
    if (doc && doc->is_table())
      for (const auto& [key, v] : doc->as_table()) read_top_level(key, v, base_allowed);
    std::stable_sort(file_problems_.begin(), file_problems_.end());
    for (auto& fp : file_problems_) problems_.push_back(std::move(fp.second));
    file_problems_.clear();
  }

  // One --set key=value; a later one wins.
  void read_override(const std::string& o) {
    const std::string where = "--set " + one_line(o) + ": ";
    if (invalid_utf8_line(o)) {
      problems_.push_back(where + "not UTF-8 text");
      return;
    }
    auto eq = o.find('=');
    if (eq == std::string::npos) {
      problems_.push_back(where + "expected key=value (e.g. --set days=3)");
      return;
    }
    std::string key = trim(std::string_view(o).substr(0, eq));
    if (key.empty()) {
      problems_.push_back(where + "missing key before '=' (expected key=value, e.g. --set days=3)");
      return;
    }
    auto it = idx_.by_key.find(key);
    if (it == idx_.by_key.end()) {
      if (idx_.is_section(key))
        problems_.push_back(where + "'" + key + "' is a section; set one of its keys as " + key +
                            ".<key>=value (keys: " + idx_.list_keys(key) + ")");
      else
        problems_.push_back(where + idx_.unknown_key_message(key, specs_));
      return;
    }
    const ParamSpec& spec = *it->second;
    std::string text = o.substr(eq + 1);
    toml::value v = parse_override_value(text);
    if (spec.type == ParamType::String && !v.is_string()) v = toml::value(trim(text));
    std::string sec = section_of(key);
    if (!sec.empty()) sections_.insert(sec);
    auto r = convert(spec, v);
    if (auto* err = std::get_if<std::string>(&r))
      problems_.push_back(where + *err);
    else
      values_[spec.key] = std::get<ParamValue>(std::move(r));
  }

  std::vector<std::string> take_problems() { return std::move(problems_); }

 private:
  // The file's TOML document, or nothing (and a problem) when the text is not UTF-8, has a line
  // too long or nested too deep, or is not TOML.
  std::optional<toml::value> parse_file(const std::string& text) {
    const std::string& source = source_;
    if (const std::size_t bad_line = invalid_utf8_line(text))
      problems_.push_back(fmt::format("{}:{}: not UTF-8 text (a scenario file must be UTF-8)", source, bad_line));
    else if (const std::size_t line = too_long_line(text))
      problems_.push_back(
          fmt::format("{}:{}: a line longer than {} bytes (write a long list over several lines, a few "
                      "values a line)",
                      source, line, kMaxTomlLineBytes));
    else if (const std::size_t line = too_deep_line(text))
      problems_.push_back(fmt::format(
          "{}:{}: arrays, inline tables or dotted keys nested more than {} levels deep (a scenario needs 2)", source,
          line, kMaxTomlNesting));
    else
      try {
        std::istringstream in{text};
        return toml::parse(in, source);
      } catch (const toml::syntax_error& e) {
        auto line = e.location().line();
        problems_.push_back(fmt::format("{}:{}: TOML syntax error: {}", source, line, condense_toml_error(e.what())));
      } catch (const toml::exception& e) {
        problems_.push_back(
            fmt::format("{}:{}: invalid TOML: {}", source, e.location().line(), condense_toml_error(e.what())));
      } catch (const std::exception& e) {
        problems_.push_back(fmt::format("{}: invalid TOML: {}", source, condense_toml_error(e.what())));
      }
    return std::nullopt;
  }

  // A top-level key of a file: `base`, a section's table, a top-level key, or a problem.
  void read_top_level(const std::string& key, const toml::value& v, bool base_allowed) {
    if (key == kBaseKey) {
      if (!base_allowed)
        report(v,
               "'base' names the scenario file this one builds on; it is allowed only in a scenario file, "
               "not in the built-in default or in text parsed from memory");
      return;   // load() resolved it into the layers
    }
    if (idx_.is_section(key)) {
      read_section(key, v);
      return;
    }
    auto it = idx_.by_key.find(key);
    if (it != idx_.by_key.end()) {
      accept(*it->second, v);
      return;
    }
    if (v.is_table()) {
      std::string sug = idx_.suggest_section(key);
      report(v,
             "unknown section [" + key + "]" +
                 (sug.empty() ? " (valid sections: " + idx_.list_sections() + ")" : " (did you mean [" + sug + "]?)"));
    } else {
      report(v, idx_.unknown_key_message(key, specs_));
    }
  }

  // A section's table: each of its keys, or a problem for an unknown one.
  void read_section(const std::string& key, const toml::value& v) {
    if (!v.is_table()) {
      report(v, "'" + key + "' is a section: write it as a table [" + key + "], got " + describe_toml(v));
      return;
    }
    sections_.insert(key);
    for (const auto& [sub, sv] : v.as_table()) {
      std::string full = key + "." + sub;
      auto it = idx_.by_key.find(full);
      if (it == idx_.by_key.end())
        report(sv, idx_.unknown_key_message(full, specs_));
      else
        accept(*it->second, sv);
    }
  }

  // A file's value for a key, converted to the key's type, or a problem.
  void accept(const ParamSpec& spec, const toml::value& v) {
    auto r = convert(spec, v);
    if (auto* err = std::get_if<std::string>(&r))
      report(v, *err);
    else
      values_[spec.key] = std::get<ParamValue>(std::move(r));
  }

  // A problem of the file being read, at the value's line.
  void report(const toml::value& at, const std::string& msg) {
    file_problems_.emplace_back(at.location().line(), at_line(source_, at) + msg);
  }

  const std::vector<ParamSpec>& specs_;
  SpecIndex idx_;
  Values& values_;
  Sections& sections_;
  std::string source_;   // the file being read
  std::vector<std::string> problems_;
  std::vector<std::pair<std::uint_least32_t, std::string>> file_problems_;   // the file's, with their line
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Scenario

Scenario Scenario::parse(std::string_view toml_text, std::string source, const std::vector<ParamSpec>& specs,
                         const std::vector<std::string>& overrides) {
  return parse_layers({ScenarioLayer{std::string(toml_text), std::move(source)}}, false, specs, overrides);
}

Scenario Scenario::parse_layers(const std::vector<ScenarioLayer>& layers, bool base_allowed,
                                const std::vector<ParamSpec>& specs, const std::vector<std::string>& overrides) {
  check_specs(specs);
  Scenario sc;
  sc.specs_ = specs;
  for (std::size_t k = 0; k < specs.size(); ++k) {
    sc.index_[specs[k].key] = k;
    sc.values_[specs[k].key] = specs[k].default_value;
  }
  sc.source_name_ = layers.back().source;
  sc.source_text_ = layers.back().text;
  for (const auto& layer : layers) sc.base_files_.push_back(layer.source);
  sc.base_files_.pop_back();
  sc.overrides_ = overrides;

  ScenarioReader reader(specs, sc.values_, sc.sections_);
  // 1. The files, the deepest base first; a later file's key wins.
  for (const auto& layer : layers) reader.read_file(layer.text, layer.source, base_allowed);
  // 2. The overrides, in order; a later one wins.
  for (const auto& o : overrides) reader.read_override(o);
  std::vector<std::string> problems = reader.take_problems();
  if (!problems.empty()) throw ScenarioError(std::move(problems));
  return sc;
}

namespace {

std::string read_scenario_file(const std::filesystem::path& file, const std::string& name) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    throw ScenarioError({name + ": cannot read scenario file: no such file"});
  if (std::filesystem::is_directory(file, ec))
    throw ScenarioError({name + ": cannot read scenario file: it is a directory"});
  try {
    return read_input_file(file, "scenario file", kMaxScenarioFileBytes);   // regular, at most 4 MiB
  } catch (const std::runtime_error& e) {
    throw ScenarioError({name + ": cannot read scenario file: " + std::string(e.what()).substr(std::string(e.what()).find("': ") + 3)});
  }
}

// The file's top-level `base` value, if it is a string; anything else is left to parse_layers,
// which reports syntax errors with their line.
std::optional<std::pair<std::string, toml::source_location>> base_of(const std::string& text, const std::string& name) {
  if (too_deep_line(text) || too_long_line(text) || invalid_utf8_line(text)) return std::nullopt;  // parse_layers reports it
  try {
    std::istringstream in(text);
    toml::value doc = toml::parse(in, name);
    if (!doc.is_table() || !doc.contains(std::string(kBaseKey))) return std::nullopt;
    const toml::value& v = toml::find(doc, std::string(kBaseKey));
    if (!v.is_string())
      throw ScenarioError({at_line(name, v) + "'base' must be a string: the path of the scenario file this one builds on, "
                                              "relative to this file (e.g. base = \"feb2024.toml\"), got " + describe_toml(v)});
    return std::make_pair(v.as_string().str, v.location());
  } catch (const toml::exception&) {
    return std::nullopt;
  } catch (const std::out_of_range&) {
    return std::nullopt;
  }
}

}  // namespace

Scenario Scenario::load(const std::filesystem::path& file, const std::vector<ParamSpec>& specs,
                        const std::vector<std::string>& overrides) {
  constexpr std::size_t kMaxBaseDepth = 16;
  std::vector<ScenarioLayer> layers;   // the named file first, then its base, its base's base...
  std::vector<std::filesystem::path> seen;
  std::filesystem::path current = file;
  std::string name = file.string();
  for (;;) {
    std::error_code ec;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(current, ec);
    if (ec) canonical = current;
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) {
      std::string chain;
      for (const auto& l : layers) chain += l.source + " -> ";
      throw ScenarioError({chain + name + ": 'base' files form a cycle"});
    }
    if (layers.size() >= kMaxBaseDepth)
      throw ScenarioError({name + ": more than " + std::to_string(kMaxBaseDepth) + " levels of 'base' files"});
    seen.push_back(canonical);
    std::string text = read_scenario_file(current, name);
    auto base = base_of(text, name);
    layers.push_back({std::move(text), name});
    if (!base) break;
    const std::filesystem::path next = current.parent_path() / base->first;
    const std::string where = name + ":" + std::to_string(base->second.line()) + ": base = \"" + base->first + "\": ";
    if (!std::filesystem::exists(next, ec)) throw ScenarioError({where + "no such file " + next.string()});
    current = next;
    name = next.lexically_normal().string();
  }
  std::vector<std::filesystem::path> dirs;
  for (const auto& l : layers) {
    std::filesystem::path dir = std::filesystem::path(l.source).parent_path();
    if (dir.empty()) dir = ".";
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  std::reverse(layers.begin(), layers.end());
  Scenario sc = parse_layers(layers, true, specs, overrides);
  sc.source_dirs_ = std::move(dirs);
  return sc;
}

const ParamSpec& Scenario::spec_for(std::string_view key, ParamType expected, const char* getter) const {
  auto it = index_.find(key);
  if (it == index_.end()) throw std::logic_error(fmt::format("Scenario::{}: unknown key '{}'", getter, key));
  const ParamSpec& s = specs_[it->second];
  bool ok = s.type == expected || (expected == ParamType::String && s.type == ParamType::Date);
  if (!ok)
    throw std::logic_error(fmt::format("Scenario::{}: key '{}' is a {}, not a {}", getter, key, type_name(s.type),
                                       type_name(expected)));
  return s;
}

bool Scenario::get_bool(std::string_view key) const {
  spec_for(key, ParamType::Bool, "get_bool");
  return std::get<bool>(values_.find(key)->second);
}

std::int64_t Scenario::get_int(std::string_view key) const {
  spec_for(key, ParamType::Int, "get_int");
  return std::get<std::int64_t>(values_.find(key)->second);
}

double Scenario::get_float(std::string_view key) const {
  spec_for(key, ParamType::Float, "get_float");
  return std::get<double>(values_.find(key)->second);
}

const std::string& Scenario::get_string(std::string_view key) const {
  spec_for(key, ParamType::String, "get_string");
  return std::get<std::string>(values_.find(key)->second);
}

const std::vector<std::string>& Scenario::get_list(std::string_view key) const {
  spec_for(key, ParamType::DateList, "get_list");
  return std::get<std::vector<std::string>>(values_.find(key)->second);
}

bool Scenario::has_section(std::string_view section) const { return sections_.count(section) > 0; }

const std::string& Scenario::name() const {
  static const std::string empty;
  auto it = index_.find(std::string_view("name"));
  if (it == index_.end() || specs_[it->second].type != ParamType::String) return empty;
  return std::get<std::string>(values_.find(std::string_view("name"))->second);
}

const std::string& Scenario::source_name() const { return source_name_; }
const std::string& Scenario::source_text() const { return source_text_; }
std::vector<std::string> Scenario::overrides() const { return overrides_; }

namespace {
std::string value_text(const ParamValue& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) return format_float(*d);
  if (auto* s = std::get_if<std::string>(&v)) return toml_quote(*s);
  const auto& list = std::get<std::vector<std::string>>(v);
  std::string out = "[";
  for (std::size_t k = 0; k < list.size(); ++k) out += (k ? ", " : "") + toml_quote(list[k]);
  return out + "]";
}
}  // namespace

std::vector<Scenario::KeyDifference> Scenario::differences_from(const Scenario& other) const {
  if (other.index_.size() != index_.size())
    throw std::logic_error("Scenario::differences_from: the scenarios were parsed with different specs");
  std::vector<std::string> order;   // resolved_toml()'s: top-level keys, then sections in spec order
  for (const auto& s : specs_)
    if (section_of(s.key).empty()) order.push_back(s.key);
  for (const auto& s : specs_)
    if (!section_of(s.key).empty()) order.push_back(s.key);
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    auto section_rank = [&](const std::string& key) {
      const std::string sec = section_of(key);
      if (sec.empty()) return std::size_t{0};
      for (std::size_t k = 0; k < specs_.size(); ++k)
        if (section_of(specs_[k].key) == sec) return k + 1;
      return specs_.size() + 1;
    };
    return section_rank(a) < section_rank(b);
  });
  std::vector<KeyDifference> out;
  for (const auto& key : order) {
    auto theirs = other.values_.find(key);
    if (theirs == other.values_.end())
      throw std::logic_error("Scenario::differences_from: key " + key + " is missing from the other scenario");
    const ParamValue& mine = values_.find(key)->second;
    if (mine != theirs->second) out.push_back({key, value_text(mine), value_text(theirs->second)});
  }
  return out;
}

std::string Scenario::resolved_toml() const {
  auto line = [&](const ParamSpec& s) {
    std::string comment = s.unit.empty() ? one_line(s.doc) : one_line(s.unit) + "; " + one_line(s.doc);
    return leaf_of(s.key) + " = " + value_text(values_.find(s.key)->second) + "  # " + comment + "\n";
  };
  std::string out = "# Resolved scenario '" + one_line(name()) + "' from " + one_line(source_name_) + "\n";
  for (const auto& o : overrides_) out += "# --set " + one_line(o) + "\n";
  for (const auto& s : specs_)
    if (section_of(s.key).empty()) out += line(s);
  std::vector<std::string> order;
  for (const auto& s : specs_) {
    std::string sec = section_of(s.key);
    if (!sec.empty() && std::find(order.begin(), order.end(), sec) == order.end()) order.push_back(sec);
  }
  for (const auto& sec : order) {
    out += "\n[" + sec + "]\n";
    for (const auto& s : specs_)
      if (section_of(s.key) == sec) out += line(s);
  }
  return out;
}

}  // namespace stampede
