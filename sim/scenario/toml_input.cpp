#include "sim/scenario/toml_input.hpp"

#include <fmt/format.h>

#include <sstream>

#include "sim/scenario/scenario_text.hpp"

namespace stampede::scenario_internal {

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
        if (quote.size() == 1 && text[i] == '\n') break;   // unterminated one-line string: toml11 reports it
        if (c == '"' && text[i] == '\\' && i + 1 < n && !(quote.size() == 1 && text[i + 1] == '\n'))
          ++i;   // an escaped character, maybe a quote
        if (text[i] == '\n') ++line;
      }
      if (i < n && text[i] == '\n')
        --i;   // counted by the loop
      else
        i += quote.size() - 1;
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
    if (c < 0x80)
      len = 1;
    else if (c >= 0xC2 && c <= 0xDF)
      len = cont(i + 1) ? 2 : 0;
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
    auto caret = t.find('^');
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

std::string at_line(const std::string& source, const toml::value& v) {
  auto line = v.location().line();
  if (line == 0 || v.location().file_name() == "unknown file") return source + ": ";
  return fmt::format("{}:{}: ", source, line);
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

}   // namespace stampede::scenario_internal
