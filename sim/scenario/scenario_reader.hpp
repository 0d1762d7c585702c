#pragma once
// Reading scenario files and --set overrides into a scenario's values (Scenario::parse_layers),
// naming every problem, and the index of the specs that words the suggestions ("did you mean").
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <toml.hpp>
#include <utility>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace stampede::scenario_internal {

// Everything the specs define, arranged for lookups and suggestions.
struct SpecIndex {
  std::map<std::string, const ParamSpec*, std::less<>> by_key;
  std::vector<std::string> section_order;                                 // first appearance in specs
  std::map<std::string, std::vector<std::string>, std::less<>> keys_in;   // section ("" = top) -> leaf names

  explicit SpecIndex(const std::vector<ParamSpec>& specs);
  bool is_section(std::string_view s) const { return !s.empty() && keys_in.count(std::string(s)) > 0; }

  // Closest spec key to an unknown one, or "" when nothing is close.
  std::string suggest_key(std::string_view key, const std::vector<ParamSpec>& specs) const;
  // Closest section to an unknown one, or "".
  std::string suggest_section(std::string_view sec) const;
  // "[a], [b]" ("none" without sections); a section's leaf names, "a, b" ("none" for no section).
  std::string list_sections() const;
  std::string list_keys(const std::string& sec) const;
  // "unknown key 'x'", with the closest key, or the keys or sections there are.
  std::string unknown_key_message(std::string_view key, const std::vector<ParamSpec>& specs) const;
};

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
  void read_file(const std::string& text, const std::string& source, bool base_allowed);

  // One --set key=value; a later one wins.
  void read_override(const std::string& o);

  std::vector<std::string> take_problems() { return std::move(problems_); }

 private:
  // The file's TOML document, or nothing (and a problem) when the text is not UTF-8, has a line
  // too long or nested too deep, or is not TOML.
  std::optional<toml::value> parse_file(const std::string& text);

  // A top-level key of a file: `base`, a section's table, a top-level key, or a problem.
  void read_top_level(const std::string& key, const toml::value& v, bool base_allowed);

  // A section's table: each of its keys, or a problem for an unknown one.
  void read_section(const std::string& key, const toml::value& v);

  // A file's value for a key, converted to the key's type, or a problem.
  void accept(const ParamSpec& spec, const toml::value& v);

  // A problem of the file being read, at the value's line.
  void report(const toml::value& at, const std::string& msg);

  const std::vector<ParamSpec>& specs_;
  SpecIndex idx_;
  Values& values_;
  Sections& sections_;
  std::string source_;   // the file being read
  std::vector<std::string> problems_;
  std::vector<std::pair<std::uint_least32_t, std::string>> file_problems_;   // the file's, with their line
};

}   // namespace stampede::scenario_internal
