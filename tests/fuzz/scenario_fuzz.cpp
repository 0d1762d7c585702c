// Fuzz target: the scenario loader, TOML text plus --set overrides, against every key the
// built-in agents declare (what `stampede run/check SCENARIO.toml --set ...` does).
//
// Input: TOML text, optionally followed by a line that is exactly "--set"; each line after it is
// one override (key=value), as one --set argument.
// Loaded inputs must also keep the documented promise of Scenario::resolved_toml(): it parses
// back, with the same specs, to identical values.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agents/builtin_agents.hpp"
#include "fuzz_target.hpp"
#include "sim/scenario/scenario.hpp"

namespace {

using stampede::ParamSpec;
using stampede::ParamType;
using stampede::Scenario;
using stampede::ScenarioError;

const std::vector<ParamSpec>& specs() {
  static const std::vector<ParamSpec> s = stampede::builtin_agents().all_params();
  return s;
}

bool same_float(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
}

void check_round_trip(const Scenario& sc) {
  const std::string resolved = sc.resolved_toml();
  Scenario back;
  try {
    back = Scenario::parse(resolved, "resolved", specs());
  } catch (const ScenarioError& e) {
    FUZZ_CHECK(false, "resolved_toml() does not parse back:\n%s\n--- resolved text:\n%s", e.what(), resolved.c_str());
  }
  for (const ParamSpec& spec : specs()) {
    const char* k = spec.key.c_str();
    switch (spec.type) {
      case ParamType::Bool: FUZZ_CHECK(sc.get_bool(k) == back.get_bool(k), "%s differs after round trip", k); break;
      case ParamType::Int: FUZZ_CHECK(sc.get_int(k) == back.get_int(k), "%s differs after round trip", k); break;
      case ParamType::Float:
        FUZZ_CHECK(same_float(sc.get_float(k), back.get_float(k)), "%s: %.17g became %.17g", k, sc.get_float(k),
                   back.get_float(k));
        break;
      case ParamType::String:
      case ParamType::Date:
        FUZZ_CHECK(sc.get_string(k) == back.get_string(k), "%s: '%s' became '%s'", k, sc.get_string(k).c_str(),
                   back.get_string(k).c_str());
        break;
      case ParamType::DateList: FUZZ_CHECK(sc.get_list(k) == back.get_list(k), "%s differs after round trip", k); break;
    }
  }
  for (const ParamSpec& spec : specs()) {
    const std::string section = spec.key.substr(0, spec.key.find('.'));
    if (section != spec.key && sc.has_section(section)) {
      // resolved_toml() writes every section, so the read-back mentions all of them.
      FUZZ_CHECK(back.has_section(section), "section [%s] lost in the round trip", section.c_str());
    }
  }
}

}  // namespace

bool stampede_fuzz_one(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view toml = input;
  std::vector<std::string> overrides;
  // The first line that is exactly "--set" (after a newline, or at the very start) ends the TOML.
  std::size_t sep = input.rfind("--set\n", 0) == 0 ? 0 : input.find("\n--set\n");
  if (sep == std::string_view::npos && input.size() >= 6 && input.substr(input.size() - 6) == "\n--set") sep = input.size() - 6;
  if (sep != std::string_view::npos) {
    toml = input.substr(0, sep == 0 ? 0 : sep + 1);
    std::string_view rest = input.substr(std::min(input.size(), sep == 0 ? 6 : sep + 7));
    while (!rest.empty()) {
      const std::size_t nl = rest.find('\n');
      overrides.emplace_back(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    }
  }
  try {
    const Scenario sc = Scenario::parse(toml, "fuzz.toml", specs(), overrides);
    check_round_trip(sc);
    return true;
  } catch (const ScenarioError& e) {
    FUZZ_CHECK(!e.problems().empty(), "ScenarioError with no problem listed");
    for (const std::string& p : e.problems()) FUZZ_CHECK(!p.empty(), "ScenarioError with an empty problem");
    if (fuzz_verbose()) std::fprintf(stderr, "%s\n", e.what());
    return false;
  }
}
