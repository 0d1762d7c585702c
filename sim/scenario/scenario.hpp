#pragma once
// Scenarios: the TOML file (plus --set overrides) that fully describes a run. Every key is
// declared by a ParamSpec (type, default, range, unit, one-line doc); parsing validates the
// text against the specs and collects every problem before failing, so a user sees all
// mistakes at once. Core keys are declared in core_param_specs(); agents add their own specs.
// A key whose value lives in a struct is declared by binding it to the member
// (sim/scenario/param_binder.hpp), which gives its spec and its loading from one line.
// See docs/scenario.md for the user-facing reference.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace stampede {

using ParamValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;

// Date: "YYYY-MM-DD" (a TOML string or a TOML local date), validated as a real calendar date.
// DateList: TOML array of such dates.
enum class ParamType { Bool, Int, Float, String, Date, DateList };

struct ParamSpec {
  std::string key;             // "days" (top level) or "section.name"
  ParamType type;
  ParamValue default_value;    // Float as double, Int as int64_t, Date as string, DateList as vector<string>
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();   // inclusive, Int/Float only
  std::string unit;            // e.g. "yuan", "1/year", "trading days", "" when dimensionless
  std::string doc;             // one line: what it means
  // The key's wording in docs/scenario.md when the one-line doc leaves out too much (examples,
  // costs, history); empty: the doc. Not part of the resolved scenario, so run logs and
  // `stampede check` do not change with it.
  std::string long_doc = {};
};

// Everything the user can fix, one message per problem; what() joins them with newlines.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const;

 private:
  std::vector<std::string> problems_;
};

class Scenario {
 public:
  Scenario() = default;  // empty: no keys (every getter throws std::logic_error)

  // Parses TOML text against `specs`. `source` names the text in messages. `overrides` are
  // "key=value" strings (from --set) applied after the file; the value is parsed as a TOML value,
  // and text that is not a valid TOML value is taken as a string (so --set name=foo works; for
  // String keys any value is taken verbatim, so --set name=2024 works too). Throws ScenarioError
  // listing every problem found. A malformed spec list (duplicate key, bad default) is a
  // programming bug: std::logic_error.
  static Scenario parse(std::string_view toml_text, std::string source, const std::vector<ParamSpec>& specs,
                        const std::vector<std::string>& overrides = {});
  // Reads the file (missing/unreadable -> ScenarioError naming the path), then parse(). A file
  // may build on another: a top-level `base = "other.toml"` (relative to the file) is read
  // first, and this file's keys then override it (chains allowed, cycles rejected).
  static Scenario load(const std::filesystem::path& file, const std::vector<ParamSpec>& specs,
                       const std::vector<std::string>& overrides = {});

  // Unknown key or a getter of the wrong type: std::logic_error (a programming bug).
  bool get_bool(std::string_view key) const;
  std::int64_t get_int(std::string_view key) const;
  double get_float(std::string_view key) const;
  const std::string& get_string(std::string_view key) const;              // String and Date
  const std::vector<std::string>& get_list(std::string_view key) const;   // DateList

  // True when the TOML text or an override mentioned this section at all.
  bool has_section(std::string_view section) const;
  const std::string& name() const;         // the "name" key ("" if the specs have none)
  const std::string& source_name() const;
  const std::string& source_text() const;  // verbatim TOML of the named file (not of its bases)
  // The `base` files it builds on, the deepest first ("" entries never occur); empty if none.
  const std::vector<std::string>& base_files() const { return base_files_; }
  // Directories of the named file and of the files it builds on (the named file's first): where
  // data files the scenario names are looked up (sim/scenario/scenario_data.hpp). Empty for text
  // given to parse().
  const std::vector<std::filesystem::path>& source_dirs() const { return source_dirs_; }
  // Every key of every spec after defaults and overrides: top-level keys first, then [section]
  // tables in spec order, each line followed by "# unit; doc". Valid TOML that parse() accepts
  // back (with the same specs) yielding identical values.
  std::string resolved_toml() const;
  std::vector<std::string> overrides() const;

  // One key whose value differs between two scenarios of the same specs, values as TOML text.
  struct KeyDifference {
    std::string key, value, other_value;
  };
  // Every key whose value here differs from `other`'s, in resolved_toml() order (`stampede check
  // --diff`). Scenarios parsed with different specs: std::logic_error.
  std::vector<KeyDifference> differences_from(const Scenario& other) const;

 private:
  struct ScenarioLayer {
    std::string text, source;
  };
  static Scenario parse_layers(const std::vector<ScenarioLayer>& layers, bool base_allowed,
                               const std::vector<ParamSpec>& specs, const std::vector<std::string>& overrides);
  // parse_layers' steps: every key at its default; where the text came from; the files' values
  // then the overrides' (ScenarioError naming every problem).
  static Scenario with_defaults(const std::vector<ParamSpec>& specs);
  void note_sources(const std::vector<ScenarioLayer>& layers, const std::vector<std::string>& overrides);
  void read_values(const std::vector<ScenarioLayer>& layers, bool base_allowed);
  const ParamSpec& spec_for(std::string_view key, ParamType expected, const char* getter) const;

  std::vector<ParamSpec> specs_;
  std::map<std::string, std::size_t, std::less<>> index_;   // key -> position in specs_
  std::map<std::string, ParamValue, std::less<>> values_;
  std::set<std::string, std::less<>> sections_;
  std::string source_name_;
  std::string source_text_;
  std::vector<std::string> overrides_;
  std::vector<std::string> base_files_;
  std::vector<std::filesystem::path> source_dirs_;
};

// The top-level key naming the file a scenario builds on.
inline constexpr std::string_view kBaseKey = "base";

// The core keys (top level, [session], [stocks], [fundamentals], [indices], [futures], [output]).
const std::vector<ParamSpec>& core_param_specs();

}  // namespace stampede
