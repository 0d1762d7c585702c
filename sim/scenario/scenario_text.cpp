#include "sim/scenario/scenario_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <vector>

namespace stampede::scenario_internal {

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

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

// The scenario name becomes the run log's file stem (results/<name>.h5), so it must be a name, not
// a path: a '/' or a leading '.' would write outside results/ or over another file.
std::optional<std::string> run_name_problem(const std::string& name) {
  const std::string allowed =
      " (a name becomes the run log's file name, results/<name>.h5: any text without '/' or NUL, "
      "not starting with '.', at most 200 bytes)";
  if (name.empty()) return "the name is empty" + allowed;
  if (name.size() > 200) return fmt::format("the name is {} bytes long", name.size()) + allowed;
  if (name.front() == '.') return toml_quote(name) + " starts with '.'" + allowed;
  for (char c : name)
    if (c == '/' || c == '\0') return toml_quote(name) + " is a path, not a name" + allowed;
  return std::nullopt;
}

}   // namespace stampede::scenario_internal
