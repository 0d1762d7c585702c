// Scenario: parsing in layers (files, then --set overrides), loading a file with its 'base' chain,
// the typed getters and the resolved text. The helpers live next door, by what they do:
// scenario_reader.* reads the text into values (naming every problem), param_values.* checks a
// value against its spec, toml_input.* guards toml11's input and words its values, scenario_text.*
// writes keys, values and ranges back. toml11 stays inside sim/scenario's .cpp files and their
// internal headers; scenario.hpp is toml-free.
#include "sim/scenario/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <system_error>
#include <toml.hpp>

#include "sim/scenario/param_values.hpp"
#include "sim/scenario/scenario_data.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_text.hpp"
#include "sim/scenario/toml_input.hpp"

namespace stampede {

using namespace scenario_internal;   // this file's helpers, split out by what they do

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
// Scenario

Scenario Scenario::parse(std::string_view toml_text, std::string source, const std::vector<ParamSpec>& specs,
                         const std::vector<std::string>& overrides) {
  return parse_layers({ScenarioLayer{std::string(toml_text), std::move(source)}}, false, specs, overrides);
}

Scenario Scenario::parse_layers(const std::vector<ScenarioLayer>& layers, bool base_allowed,
                                const std::vector<ParamSpec>& specs, const std::vector<std::string>& overrides) {
  check_specs(specs);
  Scenario sc = with_defaults(specs);
  sc.note_sources(layers, overrides);
  sc.read_values(layers, base_allowed);
  return sc;
}

Scenario Scenario::with_defaults(const std::vector<ParamSpec>& specs) {
  Scenario sc;
  sc.specs_ = specs;
  for (std::size_t k = 0; k < specs.size(); ++k) {
    sc.index_[specs[k].key] = k;
    sc.values_[specs[k].key] = specs[k].default_value;
  }
  return sc;
}

void Scenario::note_sources(const std::vector<ScenarioLayer>& layers, const std::vector<std::string>& overrides) {
  source_name_ = layers.back().source;
  source_text_ = layers.back().text;
  for (const auto& layer : layers) base_files_.push_back(layer.source);
  base_files_.pop_back();
  overrides_ = overrides;
}

void Scenario::read_values(const std::vector<ScenarioLayer>& layers, bool base_allowed) {
  ScenarioReader reader(specs_, values_, sections_);
  // 1. The files, the deepest base first; a later file's key wins.
  for (const auto& layer : layers) reader.read_file(layer.text, layer.source, base_allowed);
  // 2. The overrides, in order; a later one wins.
  for (const auto& o : overrides_) reader.read_override(o);
  std::vector<std::string> problems = reader.take_problems();
  if (!problems.empty()) throw ScenarioError(std::move(problems));
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
