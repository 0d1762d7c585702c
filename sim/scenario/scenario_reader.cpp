#include "sim/scenario/scenario_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "sim/scenario/param_values.hpp"
#include "sim/scenario/scenario_text.hpp"
#include "sim/scenario/toml_input.hpp"

namespace stampede::scenario_internal {

SpecIndex::SpecIndex(const std::vector<ParamSpec>& specs) {
  for (const auto& s : specs) {
    by_key[s.key] = &s;
    std::string sec = section_of(s.key);
    if (!sec.empty() && !keys_in.count(sec)) section_order.push_back(sec);
    keys_in[sec].push_back(leaf_of(s.key));
  }
}

std::string SpecIndex::suggest_key(std::string_view key, const std::vector<ParamSpec>& specs) const {
  std::string sec = section_of(key), leaf = leaf_of(key);
  std::size_t best = static_cast<std::size_t>(-1);
  std::string best_key;
  const std::size_t limit = std::max<std::size_t>(2, leaf.size() / 3);
  const auto gap = [](std::size_t a, std::size_t b) { return a > b ? a - b : b - a; };
  for (const auto& s : specs) {
    // The length difference bounds the distance from below: a key too far to be suggested is
    // skipped without the quadratic edit distance (a long unknown key against ~450 specs took
    // seconds; found by fuzzing, docs/fuzzing.md).
    if (gap(key.size(), s.key.size()) > limit && gap(leaf.size(), leaf_of(s.key).size()) > limit) continue;
    std::size_t d = edit_distance(key, s.key);
    std::string ssec = section_of(s.key);
    std::size_t dl = edit_distance(leaf, leaf_of(s.key)) + (ssec == sec ? 0 : 1);
    d = std::min(d, dl);
    if (d < best || (d == best && ssec == sec && section_of(best_key) != sec)) {
      best = d;
      best_key = s.key;
    }
  }
  return best <= limit ? best_key : std::string();
}

std::string SpecIndex::suggest_section(std::string_view sec) const {
  std::size_t best = static_cast<std::size_t>(-1);
  std::string out;
  for (const auto& s : section_order) {
    std::size_t d = edit_distance(sec, s);
    if (d < best) best = d, out = s;
  }
  return best <= std::max<std::size_t>(2, sec.size() / 3) ? out : std::string();
}

std::string SpecIndex::list_sections() const {
  std::string out;
  for (const auto& s : section_order) out += (out.empty() ? "[" : ", [") + s + "]";
  return out.empty() ? "none" : out;
}

std::string SpecIndex::list_keys(const std::string& sec) const {
  auto it = keys_in.find(sec);
  if (it == keys_in.end()) return "none";
  std::string out;
  for (const auto& k : it->second) out += (out.empty() ? "" : ", ") + k;
  return out;
}

std::string SpecIndex::unknown_key_message(std::string_view key, const std::vector<ParamSpec>& specs) const {
  std::string msg = "unknown key '" + std::string(key) + "'";
  std::string sug = suggest_key(key, specs);
  std::string sec = section_of(key);
  if (!sug.empty()) return msg + " (did you mean '" + sug + "'?)";
  if (sec.empty()) return msg + " (valid top-level keys: " + list_keys("") + "; sections: " + list_sections() + ")";
  if (is_section(sec)) return msg + " (valid keys in [" + sec + "]: " + list_keys(sec) + ")";
  std::string ssug = suggest_section(sec);
  if (!ssug.empty()) return msg + " (unknown section [" + sec + "]; did you mean [" + ssug + "]?)";
  return msg + " (unknown section [" + sec + "]; valid sections: " + list_sections() + ")";
}

void ScenarioReader::read_file(const std::string& text, const std::string& source, bool base_allowed) {
  source_ = source;
  const std::optional<toml::value> doc = parse_file(text);
  // A file with no key at all (empty, or comments only) is almost certainly not what was meant:
  // it would run the built-in defaults without a word.
  if (base_allowed && doc && doc->is_table() && doc->as_table().empty())
    problems_.push_back(
        source +
        ": no keys (an empty or comment-only scenario file would run docs/scenario.md's "
        "defaults; write at least `name = \"...\"`, or `base = \"feb2024.toml\"` to build on the default)");
  if (doc && doc->is_table())
    for (const auto& [key, v] : doc->as_table()) read_top_level(key, v, base_allowed);
  std::stable_sort(file_problems_.begin(), file_problems_.end());
  for (auto& fp : file_problems_) problems_.push_back(std::move(fp.second));
  file_problems_.clear();
}

void ScenarioReader::read_override(const std::string& o) {
  const std::string where = "--set " + one_line(o) + ": ";
  if (invalid_utf8_line(o)) {
    problems_.push_back(where + "not UTF-8 text");
    return;
  }
  auto eq = o.find('=');
  if (eq == std::string::npos) {
    problems_.push_back(where + "expected key=value (e.g. --set days=3)");
    return;
  }
  std::string key = trim(std::string_view(o).substr(0, eq));
  if (key.empty()) {
    problems_.push_back(where + "missing key before '=' (expected key=value, e.g. --set days=3)");
    return;
  }
  auto it = idx_.by_key.find(key);
  if (it == idx_.by_key.end()) {
    if (idx_.is_section(key))
      problems_.push_back(where + "'" + key + "' is a section; set one of its keys as " + key +
                          ".<key>=value (keys: " + idx_.list_keys(key) + ")");
    else
      problems_.push_back(where + idx_.unknown_key_message(key, specs_));
    return;
  }
  const ParamSpec& spec = *it->second;
  std::string text = o.substr(eq + 1);
  toml::value v = parse_override_value(text);
  if (spec.type == ParamType::String && !v.is_string()) v = toml::value(trim(text));
  std::string sec = section_of(key);
  if (!sec.empty()) sections_.insert(sec);
  auto r = convert(spec, v);
  if (auto* err = std::get_if<std::string>(&r))
    problems_.push_back(where + *err);
  else
    values_[spec.key] = std::get<ParamValue>(std::move(r));
}

std::optional<toml::value> ScenarioReader::parse_file(const std::string& text) {
  const std::string& source = source_;
  if (const std::size_t bad_line = invalid_utf8_line(text))
    problems_.push_back(fmt::format("{}:{}: not UTF-8 text (a scenario file must be UTF-8)", source, bad_line));
  else if (const std::size_t line = too_long_line(text))
    problems_.push_back(
        fmt::format("{}:{}: a line longer than {} bytes (write a long list over several lines, a few "
                    "values a line)",
                    source, line, kMaxTomlLineBytes));
  else if (const std::size_t line = too_deep_line(text))
    problems_.push_back(
        fmt::format("{}:{}: arrays, inline tables or dotted keys nested more than {} levels deep (a scenario needs 2)",
                    source, line, kMaxTomlNesting));
  else
    try {
      std::istringstream in{text};
      return toml::parse(in, source);
    } catch (const toml::syntax_error& e) {
      auto line = e.location().line();
      problems_.push_back(fmt::format("{}:{}: TOML syntax error: {}", source, line, condense_toml_error(e.what())));
    } catch (const toml::exception& e) {
      problems_.push_back(
          fmt::format("{}:{}: invalid TOML: {}", source, e.location().line(), condense_toml_error(e.what())));
    } catch (const std::exception& e) {
      problems_.push_back(fmt::format("{}: invalid TOML: {}", source, condense_toml_error(e.what())));
    }
  return std::nullopt;
}

void ScenarioReader::read_top_level(const std::string& key, const toml::value& v, bool base_allowed) {
  if (key == kBaseKey) {
    if (!base_allowed)
      report(v,
             "'base' names the scenario file this one builds on; it is allowed only in a scenario file, "
             "not in the built-in default or in text parsed from memory");
    return;   // load() resolved it into the layers
  }
  if (idx_.is_section(key)) {
    read_section(key, v);
    return;
  }
  auto it = idx_.by_key.find(key);
  if (it != idx_.by_key.end()) {
    accept(*it->second, v);
    return;
  }
  if (v.is_table()) {
    std::string sug = idx_.suggest_section(key);
    report(v, "unknown section [" + key + "]" +
                  (sug.empty() ? " (valid sections: " + idx_.list_sections() + ")" : " (did you mean [" + sug + "]?)"));
  } else {
    report(v, idx_.unknown_key_message(key, specs_));
  }
}

void ScenarioReader::read_section(const std::string& key, const toml::value& v) {
  if (!v.is_table()) {
    report(v, "'" + key + "' is a section: write it as a table [" + key + "], got " + describe_toml(v));
    return;
  }
  sections_.insert(key);
  for (const auto& [sub, sv] : v.as_table()) {
    std::string full = key + "." + sub;
    auto it = idx_.by_key.find(full);
    if (it == idx_.by_key.end())
      report(sv, idx_.unknown_key_message(full, specs_));
    else
      accept(*it->second, sv);
  }
}

void ScenarioReader::accept(const ParamSpec& spec, const toml::value& v) {
  auto r = convert(spec, v);
  if (auto* err = std::get_if<std::string>(&r))
    report(v, *err);
  else
    values_[spec.key] = std::get<ParamValue>(std::move(r));
}

void ScenarioReader::report(const toml::value& at, const std::string& msg) {
  file_problems_.emplace_back(at.location().line(), at_line(source_, at) + msg);
}

}   // namespace stampede::scenario_internal
