#pragma once
// Validation (sim/scenario/scenario.cpp's): a scenario's value against its key's spec (type, range,
// date, run name), and the specs themselves (a programmer's mistake there is a std::logic_error).
#include <string>
#include <toml.hpp>
#include <variant>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace stampede::scenario_internal {

// Converts and checks one value against its spec. On failure returns the problem text (without
// the location prefix, starting with "key '...': ").
std::variant<ParamValue, std::string> convert(const ParamSpec& spec, const toml::value& v);
bool value_matches_type(const ParamValue& v, ParamType t);
// Specs are written by programmers: any inconsistency is a bug, reported as std::logic_error.
void check_specs(const std::vector<ParamSpec>& specs);

}   // namespace stampede::scenario_internal
