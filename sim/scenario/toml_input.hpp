#pragma once
// Where scenario text meets toml11 (sim/scenario/scenario.cpp's reading): the guards that refuse
// text toml11 would take too long or too deep a stack to parse, and the adapters of its values
// and errors to the words of a scenario problem. The one scenario header that includes toml11.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <toml.hpp>

namespace stampede::scenario_internal {

// toml11 parses nested arrays and inline tables recursively, and copies nested tables
// recursively: a few thousand '[' or a key a.a.a... with thousands of dots, in a file or a --set
// value, overflowed the stack (found by fuzzing, docs/fuzzing.md). Scenarios nest two levels at
// most, so text nesting deeper than this is refused before toml11 sees it.
inline constexpr int kMaxTomlNesting = 64;

// toml11 copies a value's whole source line into each value it parses, so one long line of many
// values (a 20,000-date holiday list written on one line: a minute of CPU) parses in time
// quadratic in its length; the same list over several lines takes a quarter of a second.
inline constexpr std::size_t kMaxTomlLineBytes = 20000;

// The 1-based line of `text` longer than kMaxTomlLineBytes, or 0.
std::size_t too_long_line(std::string_view text);
// The 1-based line where `text` opens its (kMaxTomlNesting+1)-th nested '[' or '{', or has more
// than kMaxTomlNesting dots in one key, outside strings and comments; 0 if it never nests that deep.
std::size_t too_deep_line(std::string_view text);
// The 1-based line of the first byte sequence that is not UTF-8 (TOML text must be UTF-8), or 0.
std::size_t invalid_utf8_line(std::string_view text);
// toml11's messages span several lines; keep the gist on one line.
std::string condense_toml_error(const std::string& what);
// "integer 3", "string \"x\"", "table"...: a value as problems name it.
std::string describe_toml(const toml::value& v);
// A date's text, from a TOML string or local date; nothing for other values.
std::optional<std::string> date_text(const toml::value& v);
// A number as it was written in the TOML text, or `fallback` when the text is not at hand.
std::string as_written(const toml::value& v, const std::string& fallback);
// "file:line: " of a value (just "file: " when it has no line).
std::string at_line(const std::string& source, const toml::value& v);
// Parses an override's value text as a TOML value; text that is not one is taken as a string.
toml::value parse_override_value(const std::string& text);

}   // namespace stampede::scenario_internal
