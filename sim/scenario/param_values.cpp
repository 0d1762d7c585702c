#include "sim/scenario/param_values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>

#include "sim/scenario/scenario_text.hpp"
#include "sim/scenario/toml_input.hpp"

namespace stampede::scenario_internal {

// Converts and checks one value against its spec. On failure returns the problem text (without
// the location prefix, starting with "key '...': ").
std::variant<ParamValue, std::string> convert(const ParamSpec& spec, const toml::value& v) {
  const std::string who = "key '" + spec.key + "': ";
  auto wrong_type = [&]() -> std::string { return who + type_name(spec.type) + " expected, got " + describe_toml(v); };
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
      if (auto p = check_range(x, as_written(v, v.is_integer() ? std::to_string(v.as_integer()) : format_float(x))))
        return *p;
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
    if (s.type == ParamType::Date && !is_valid_date(std::get<std::string>(s.default_value)))
      bug("invalid default date");
    if (s.type == ParamType::DateList)
      for (const auto& d : std::get<std::vector<std::string>>(s.default_value))
        if (!is_valid_date(d)) bug("invalid default date");
  }
  for (const auto& t : top_keys)
    if (sections.count(t)) throw std::logic_error("ParamSpec '" + t + "': key is also a section name");
}

}   // namespace stampede::scenario_internal
