#pragma once
// The text of scenario keys, values and messages (sim/scenario/scenario.cpp's helpers): how a key
// splits into section and leaf, how a value or a range is written back, which names are close.
// Toml-free, like scenario.hpp.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "sim/scenario/scenario.hpp"

namespace stampede::scenario_internal {

// "boolean", "integer", "date (\"YYYY-MM-DD\")"...: a type as problems name it.
const char* type_name(ParamType t);
// "section.key" -> "section" ("" for a top-level key) and "key".
std::string section_of(std::string_view key);
std::string leaf_of(std::string_view key);
// Text safe inside a TOML comment or a one-line message: no line breaks or control characters.
std::string one_line(std::string s);
// Shortest text that reads back as the same double; always looks like a TOML float.
std::string format_float(double x);
// A bound in a message: integers plainly, other values shortest.
std::string format_bound(double x);
// A spec's allowed values as problems name them: "0..1 (yuan)", "at least 0"...
std::string range_text(const ParamSpec& s);
// A TOML basic string holding `s`, escaped.
std::string toml_quote(std::string_view s);
// "YYYY-MM-DD" naming a real calendar day.
bool is_valid_date(std::string_view s);
// Levenshtein distance: how far an unknown key is from a known one.
std::size_t edit_distance(std::string_view a, std::string_view b);
std::string trim(std::string_view s);
// Why `name` cannot be a scenario's name (it becomes the run log's file name), or nothing.
std::optional<std::string> run_name_problem(const std::string& name);

}   // namespace stampede::scenario_internal
