#include "sim/scenario/param_docs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "sim/scenario/scenario_text.hpp"

namespace stampede {

namespace {

constexpr std::string_view kBeginMarker = "<!-- parameters: ";
constexpr std::string_view kEndMarker = "<!-- end of parameters -->";
constexpr std::string_view kTopLevel = "top level";
const std::vector<std::string> kColumns = {"key", "type", "default", "unit", "range", "meaning"};

using scenario_internal::leaf_of;
using scenario_internal::section_of;

// Shortest scientific form that reads back as `x`, as people write it: 2.5e9, 1e-5.
std::string scientific(double x) {
  for (int digits = 0; digits <= 17; ++digits) {
    const std::string s = fmt::format("{:.{}e}", x, digits);
    if (std::stod(s) != x) continue;
    const auto e = s.find('e');
    return s.substr(0, e) + "e" + std::to_string(std::stoi(s.substr(e + 1)));
  }
  return fmt::format("{}", x);
}

// A number in the page as people write it: plain (20000, 0.0005), or scientific when that is
// shorter for a large number or the number is tiny (3.0e5, 1e13, 1e-5). `as_float` (a float
// default) keeps a decimal point (6000.0, 2.0e11) so it never reads as an integer; other numbers
// (bounds, integer defaults) stay plain up to 1e6.
std::string page_number(double x, bool as_float) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  const bool integer = !as_float && x == std::floor(x) && std::fabs(x) < 1e15;
  std::string plain = integer ? fmt::format("{}", static_cast<long long>(x)) : fmt::format("{:f}", x);
  if (plain.find('.') != std::string::npos) {   // shortest decimals that read back as x
    for (int digits = 0; digits <= 17; ++digits) {
      std::string s = fmt::format("{:.{}f}", x, digits);
      if (std::stod(s) == x) {
        plain = s;
        break;
      }
    }
  }
  if (as_float && plain.find('.') == std::string::npos) plain += ".0";
  std::string sci = scientific(x);
  if (as_float && sci.find('.') == std::string::npos) sci.insert(sci.find('e'), ".0");
  const double a = std::fabs(x);
  const double large = as_float ? 1e5 : 1e6;   // 100000 steps reads better than 1e5 steps
  if ((a >= large && sci.size() < plain.size()) || (a > 0 && a < 1e-4)) return sci;
  return plain;
}

std::string double_quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const char* type_text(ParamType t) {
  switch (t) {
    case ParamType::Bool: return "bool";
    case ParamType::Int: return "int";
    case ParamType::Float: return "float";
    case ParamType::String: return "string";
    case ParamType::Date: return "date";
    case ParamType::DateList: return "date list";
  }
  return "?";
}

std::string default_text(const ParamSpec& s) {
  const ParamValue& v = s.default_value;
  std::string text;
  if (const auto* b = std::get_if<bool>(&v))
    text = *b ? "true" : "false";
  else if (const auto* i = std::get_if<std::int64_t>(&v))
    text = std::to_string(*i);
  else if (const auto* d = std::get_if<double>(&v))
    text = page_number(*d, true);
  else if (const auto* str = std::get_if<std::string>(&v))
    text = double_quoted(*str);
  else {
    text = "[";
    const auto& list = std::get<std::vector<std::string>>(v);
    for (std::size_t k = 0; k < list.size(); ++k) text += (k ? ", " : "") + double_quoted(list[k]);
    text += "]";
  }
  return fmt::format("`{}`", text);
}

std::string range_text(const ParamSpec& s) {
  switch (s.type) {
    case ParamType::Bool: return "true/false";
    case ParamType::String: return "-";
    case ParamType::Date: return "\"YYYY-MM-DD\", a real calendar date";
    case ParamType::DateList: return "list of \"YYYY-MM-DD\"";
    case ParamType::Int:
    case ParamType::Float: break;
  }
  const bool lo = std::isfinite(s.min), hi = std::isfinite(s.max);
  if (lo && hi) return page_number(s.min, false) + ".." + page_number(s.max, false);
  if (lo) return "at least " + page_number(s.min, false);
  if (hi) return "at most " + page_number(s.max, false);
  return "any";
}

// A cell's text: a '|' would end the cell.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::vector<std::string> row_cells(const ParamSpec& s) {
  const std::string& meaning = s.long_doc.empty() ? s.doc : s.long_doc;
  return {fmt::format("`{}`", leaf_of(s.key)), type_text(s.type), default_text(s),
          s.unit.empty() ? std::string("-") : cell(s.unit), range_text(s), cell(meaning)};
}

std::string table_row(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const auto& c : cells) out += " " + c + " |";
  return out + "\n";
}

// The cells of a markdown table row, trimmed; a '\|' stays inside its cell.
std::vector<std::string> split_row(std::string_view line) {
  std::vector<std::string> cells;
  std::string current;
  for (std::size_t k = 1; k < line.size(); ++k) {   // line[0] is the leading '|'
    if (line[k] == '|' && line[k - 1] != '\\') {
      const auto a = current.find_first_not_of(' '), b = current.find_last_not_of(' ');
      cells.push_back(a == std::string::npos ? std::string() : current.substr(a, b - a + 1));
      current.clear();
    } else {
      current += line[k];
    }
  }
  return cells;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// The section a begin marker names ("" for the top level), or nullopt for any other line.
std::optional<std::string> marked_section(std::string_view line) {
  if (line.substr(0, kBeginMarker.size()) != kBeginMarker) return std::nullopt;
  const auto close = line.find(" -->");
  if (close == std::string_view::npos) return std::nullopt;
  const std::string name(line.substr(kBeginMarker.size(), close - kBeginMarker.size()));
  return name == kTopLevel ? std::string() : name;
}

std::string section_title(const std::string& section) { return section.empty() ? "[top level]" : "[" + section + "]"; }

bool has_section(const std::vector<ParamSpec>& specs, const std::string& section) {
  return std::any_of(specs.begin(), specs.end(), [&](const ParamSpec& s) { return section_of(s.key) == section; });
}

// Each marked table of the page: section -> its rows' cells (header and separator left out).
struct MarkedTables {
  std::map<std::string, std::vector<std::vector<std::string>>> rows;
  std::vector<std::string> problems;
};

MarkedTables read_marked_tables(std::string_view markdown) {
  MarkedTables out;
  std::optional<std::string> open;
  std::size_t open_line = 0;
  const auto lines = lines_of(markdown);
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const std::string_view line = lines[n];
    if (auto section = marked_section(line)) {
      if (open)
        out.problems.push_back(fmt::format("line {}: table {} opened before the one of line {} was closed", n + 1,
                                           section_title(*section), open_line));
      open = *section;
      open_line = n + 1;
      out.rows[*open];
    } else if (line == kEndMarker) {
      if (!open) out.problems.push_back(fmt::format("line {}: end of a parameter table that was never opened", n + 1));
      open.reset();
    } else if (open && line.size() > 1 && line[0] == '|') {
      auto cells = split_row(line);
      if (!cells.empty() && cells[0] != kColumns[0] && cells[0].find_first_not_of("-") != std::string::npos)
        out.rows[*open].push_back(std::move(cells));
    }
  }
  if (open) out.problems.push_back(fmt::format("line {}: parameter table {} is never closed (`{}`)", open_line,
                                               section_title(*open), kEndMarker));
  return out;
}

// --- a scenario file's comment blocks ---------------------------------------------------------

constexpr std::size_t kCommentColumns = 120;

std::string spec_text(const ParamSpec& s) {
  return (s.unit.empty() ? std::string("-") : s.unit) + "; " + range_text(s) + "; " + s.doc;
}

// `text`'s words on "# " lines of at most kCommentColumns (a longer word gets a line of its own).
std::vector<std::string> wrap_comment(std::string_view text) {
  std::vector<std::string> out;
  std::string line = "#";
  std::size_t pos = 0;
  while (true) {
    pos = text.find_first_not_of(' ', pos);
    if (pos == std::string_view::npos) break;
    const auto end = std::min(text.find(' ', pos), text.size());
    const std::string_view word = text.substr(pos, end - pos);
    if (line.size() > 1 && line.size() + 1 + word.size() > kCommentColumns) {
      out.push_back(line);
      line = "#";
    }
    line += " ";
    line += word;
    pos = end;
  }
  if (line.size() > 1) out.push_back(line);
  return out;
}

std::string_view trimmed(std::string_view s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string_view::npos) return {};
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

bool is_comment(std::string_view line) { return !line.empty() && line[0] == '#'; }

// A comment line's text: after the '#' and one space.
std::string_view comment_text(std::string_view line) {
  line.remove_prefix(1);
  if (!line.empty() && line[0] == ' ') line.remove_prefix(1);
  return line;
}

// The section a `[section]` header line opens, or nullopt for any other line.
std::optional<std::string> header_section(std::string_view line) {
  const std::string_view t = trimmed(line);
  if (t.size() < 2 || t[0] != '[' || t[1] == '[') return std::nullopt;
  const auto close = t.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  return std::string(trimmed(t.substr(1, close - 1)));
}

// The key a `key = value` line sets, or "" for any other line.
std::string line_key(std::string_view line) {
  const std::string_view t = trimmed(line);
  std::size_t n = 0;
  while (n < t.size() && (std::isalnum(static_cast<unsigned char>(t[n])) || t[n] == '_' || t[n] == '-')) ++n;
  if (n == 0) return {};
  const std::string_view rest = trimmed(t.substr(n));
  return !rest.empty() && rest[0] == '=' ? std::string(t.substr(0, n)) : std::string();
}

// The old spec fields of a comment text that reads `unit; range; rest`: the offsets of the two
// "; " (a unit of at most 60 characters, a range of at most 100), else nullopt.
std::optional<std::pair<std::size_t, std::size_t>> spec_fields(std::string_view text) {
  const auto first = text.find("; ");
  if (first == std::string_view::npos || first == 0 || first > 60) return std::nullopt;
  if (text.substr(0, first).find(". ") != std::string_view::npos) return std::nullopt;
  const auto second = text.find("; ", first + 2);
  if (second == std::string_view::npos || second - first - 2 > 100) return std::nullopt;
  return std::make_pair(first, second);
}

// The lower-case words (letters and digits) of `text`, without those that change nothing.
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && word != "the" && word != "a" && word != "an" && word != "number" && word != "of" &&
        word != "s")
      out.push_back(word);
    word.clear();
  };
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else
      flush();
  }
  flush();
  return out;
}

// True when `old_doc` (a file's first sentence after its old unit and range) is an older wording
// of the spec's doc: at least 80% of its words are in the doc or the long doc, so dropping it
// loses next to nothing. Else it is kept as free text.
bool reworded(std::string_view old_doc, const ParamSpec& spec) {
  const auto old_words = words(old_doc);
  if (old_words.empty()) return false;
  auto known = words(spec.doc);
  const auto more = words(spec.long_doc);
  known.insert(known.end(), more.begin(), more.end());
  std::size_t found = 0;
  for (const auto& w : old_words) found += std::find(known.begin(), known.end(), w) != known.end() ? 1 : 0;
  return found * 5 >= old_words.size() * 4;
}

// One key's comment block: lines [begin, end) of the file, `end` the key line.
struct CommentBlock {
  std::size_t begin, end;
  std::string section, leaf;
  const ParamSpec* spec;
  bool after_header;   // the block starts right after a section header, or before any key
};

struct ScenarioLines {
  std::vector<std::string_view> lines;
  std::vector<CommentBlock> blocks;
};

ScenarioLines scenario_lines(std::string_view toml, const std::vector<ParamSpec>& specs) {
  ScenarioLines out;
  out.lines = lines_of(toml);
  std::map<std::string, const ParamSpec*> by_key;
  for (const auto& s : specs) by_key[s.key] = &s;
  std::string section;
  bool key_seen = false;
  for (std::size_t n = 0; n < out.lines.size(); ++n) {
    if (auto opened = header_section(out.lines[n])) {
      section = *opened;
      continue;
    }
    const std::string leaf = line_key(out.lines[n]);
    if (leaf.empty()) continue;
    std::size_t begin = n;
    while (begin > 0 && is_comment(out.lines[begin - 1])) --begin;
    const auto spec = by_key.find(section.empty() ? leaf : section + "." + leaf);
    if (spec != by_key.end())
      out.blocks.push_back({begin, n, section, leaf, spec->second,
                            !key_seen || (begin > 0 && header_section(out.lines[begin - 1]).has_value())});
    key_seen = true;
  }
  return out;
}

// What a block holds: the comment lines above its old spec line, the old spec line's fields, and
// its free text.
struct BlockParts {
  std::vector<std::string> above;   // verbatim lines
  bool has_spec = false;
  std::string unit, range, doc;    // the old fields (doc: as far as it matched, else its first sentence)
  bool doc_matches = false;        // the old doc is the code's
  bool doc_reworded = false;       // the old doc says what the code's (or its long doc) says, in other words
  std::vector<std::string> free;   // "# " lines
};

BlockParts block_parts(const std::vector<std::string_view>& lines, const CommentBlock& b) {
  BlockParts out;
  std::size_t start = b.end;
  for (std::size_t n = b.begin; n < b.end; ++n)
    if (spec_fields(comment_text(lines[n]))) {
      start = n;
      break;
    }
  if (start == b.end) {   // no spec line: the section's comment, or the key's own explanation
    for (std::size_t n = b.begin; n < b.end; ++n) (b.after_header ? out.above : out.free).emplace_back(lines[n]);
    return out;
  }
  for (std::size_t n = b.begin; n < start; ++n) out.above.emplace_back(lines[n]);
  out.has_spec = true;
  // The spec line and the lines after it, joined by single spaces; where each line starts.
  std::string joined;
  std::vector<std::size_t> line_start;
  for (std::size_t n = start; n < b.end; ++n) {
    if (n > start) joined += ' ';
    line_start.push_back(joined.size());
    joined += comment_text(lines[n]);
  }
  const auto [first, second] = *spec_fields(joined);
  out.unit = joined.substr(0, first);
  out.range = joined.substr(first + 2, second - first - 2);
  const std::size_t rest = second + 2;
  const std::string& doc = b.spec->doc;
  std::size_t free = rest;   // where the free text starts in `joined`
  if (joined.compare(rest, doc.size(), doc) == 0) {
    out.doc = doc;
    out.doc_matches = true;
    free = rest + doc.size();
  } else {
    auto sentence_end = joined.find(". ", rest);
    if (sentence_end == std::string::npos) sentence_end = joined.size();
    out.doc = joined.substr(rest, sentence_end - rest);
    if (!out.doc.empty() && out.doc.back() == '.') out.doc.pop_back();
    if (reworded(out.doc, *b.spec)) {   // an older wording of the code's doc: the spec line replaces it
      out.doc_reworded = true;
      free = sentence_end;
    }
  }
  if (out.doc_matches || out.doc_reworded) {   // what ends the old doc: a full stop, a ';', ':' or ','
    if (free < joined.size() && std::string_view(".;:,").find(joined[free]) != std::string_view::npos) ++free;
    while (free < joined.size() && joined[free] == ' ') ++free;
  }
  if (free >= joined.size()) return out;
  // The free text: the lines it fills, kept as they are when it starts a line; else the rest of
  // the line it starts on, then the lines after it: plain lines are re-wrapped as one paragraph, a
  // block with indented or empty lines keeps its lines.
  std::size_t line = 0;
  while (line + 1 < line_start.size() && line_start[line + 1] <= free) ++line;
  if (free == line_start[line]) {
    for (std::size_t n = start + line; n < b.end; ++n) out.free.emplace_back(lines[n]);
    return out;
  }
  bool plain = true;
  for (std::size_t n = start + line + 1; n < b.end; ++n) {
    const std::string_view text = comment_text(lines[n]);
    if (text.empty() || text[0] == ' ' || lines[n].substr(0, 2) != "# ") plain = false;
  }
  const std::size_t line_end = line + 1 < line_start.size() ? line_start[line + 1] - 1 : joined.size();
  if (plain) {
    out.free = wrap_comment(std::string_view(joined).substr(free));
  } else {
    out.free = wrap_comment(std::string_view(joined).substr(free, line_end - free));
    for (std::size_t n = start + line + 1; n < b.end; ++n) out.free.emplace_back(lines[n]);
  }
  return out;
}

bool begins_with_spec(const std::vector<std::string_view>& lines, const CommentBlock& b,
                      const std::vector<std::string>& spec) {
  if (b.end - b.begin < spec.size()) return false;
  for (std::size_t k = 0; k < spec.size(); ++k)
    if (lines[b.begin + k] != spec[k]) return false;
  return true;
}

}  // namespace

std::string parameter_table(const std::vector<ParamSpec>& specs, std::string_view section) {
  std::string out = table_row(kColumns);
  out += "|---|---|---|---|---|---|\n";
  for (const auto& s : specs)
    if (section_of(s.key) == section) out += table_row(row_cells(s));
  return out;
}

std::string with_parameter_tables(std::string_view markdown, const std::vector<ParamSpec>& specs) {
  const MarkedTables tables = read_marked_tables(markdown);
  if (!tables.problems.empty()) throw std::runtime_error(tables.problems.front());
  std::string out;
  bool inside = false;
  const auto lines = lines_of(markdown);
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const std::string_view line = lines[n];
    const bool ends_text = n + 1 == lines.size() && markdown.back() != '\n';   // no newline to keep
    if (auto section = marked_section(line)) {
      if (!has_section(specs, *section))
        throw std::runtime_error(fmt::format("line {}: no section {} in the code", n + 1, section_title(*section)));
      out += std::string(line) + "\n" + parameter_table(specs, *section);
      inside = true;
      continue;
    }
    if (line == kEndMarker) inside = false;
    if (!inside) out += std::string(line) + (ends_text ? "" : "\n");
  }
  return out;
}

std::vector<std::string> parameter_table_differences(std::string_view markdown, const std::vector<ParamSpec>& specs) {
  const MarkedTables tables = read_marked_tables(markdown);
  std::vector<std::string> out = tables.problems;
  std::vector<std::string> sections;   // in spec order, "" (top level) included
  for (const auto& s : specs)
    if (std::find(sections.begin(), sections.end(), section_of(s.key)) == sections.end())
      sections.push_back(section_of(s.key));
  for (const auto& [section, rows] : tables.rows)
    if (std::find(sections.begin(), sections.end(), section) == sections.end())
      out.push_back(section_title(section) + ": a table for a section the code does not have");
  for (const auto& section : sections) {
    const std::string title = section_title(section);
    const auto table = tables.rows.find(section);
    if (table == tables.rows.end()) {
      const std::string name = section.empty() ? std::string(kTopLevel) : section;
      out.push_back(title + ": no table (add `" + std::string(kBeginMarker) + name + " -->` and `" +
                    std::string(kEndMarker) + "`)");
      continue;
    }
    std::map<std::string, const std::vector<std::string>*> page;   // key cell -> row
    for (const auto& row : table->second) page[row.front()] = &row;
    for (const auto& s : specs) {
      if (section_of(s.key) != section) continue;
      const std::vector<std::string> want = row_cells(s);
      const auto found = page.find(want[0]);
      if (found == page.end()) {
        out.push_back(title + " " + leaf_of(s.key) + ": not in the page");
        continue;
      }
      const std::vector<std::string>& have = *found->second;
      for (std::size_t c = 1; c < want.size(); ++c) {
        const std::string got = c < have.size() ? have[c] : std::string("(no cell)");
        if (got != want[c])
          out.push_back(fmt::format("{} {}: {} is {} in the page, {} in the code", title, leaf_of(s.key), kColumns[c],
                                    got, want[c]));
      }
      page.erase(found);
    }
    for (const auto& [key, row] : page) out.push_back(title + " " + key + ": in the page, not in the code");
  }
  return out;
}

}  // namespace stampede

namespace stampede {

std::vector<std::string> spec_comment_lines(const ParamSpec& spec) { return wrap_comment(spec_text(spec)); }

std::vector<std::string> scenario_comment_differences(std::string_view toml, const std::vector<ParamSpec>& specs) {
  const ScenarioLines file = scenario_lines(toml, specs);
  std::vector<std::string> out;
  for (const auto& b : file.blocks) {
    const std::vector<std::string> spec = spec_comment_lines(*b.spec);
    if (begins_with_spec(file.lines, b, spec)) continue;
    const std::string where = fmt::format("line {}: {} {}", b.end + 1, section_title(b.section), b.leaf);
    const BlockParts parts = block_parts(file.lines, b);
    if (!parts.has_spec) {
      out.push_back(where + ": no spec line above it (`" + spec.front() + (spec.size() > 1 ? " ...`)" : "`)"));
      continue;
    }
    const std::size_t before = out.size();
    const std::string unit = b.spec->unit.empty() ? std::string("-") : b.spec->unit;
    if (parts.unit != unit)
      out.push_back(fmt::format("{}: unit is `{}` in the file, `{}` in the code", where, parts.unit, unit));
    if (parts.range != range_text(*b.spec))
      out.push_back(
          fmt::format("{}: range is `{}` in the file, `{}` in the code", where, parts.range, range_text(*b.spec)));
    if (!parts.doc_matches)
      out.push_back(fmt::format("{}: doc is `{}` in the file, `{}` in the code", where, parts.doc, b.spec->doc));
    if (!parts.above.empty())
      out.push_back(where +
                    ": comment lines above its spec line (a section's comment: a blank line before the spec line)");
    if (out.size() == before)
      out.push_back(where + ": the spec line is wrapped otherwise, or the explanation is on its last line (`" +
                    spec.back() + "` then the explanation on lines of its own)");
  }
  return out;
}

std::string with_spec_comments(std::string_view toml, const std::vector<ParamSpec>& specs) {
  const ScenarioLines file = scenario_lines(toml, specs);
  std::string out;
  std::size_t next = 0;   // the first line not yet copied
  for (const auto& b : file.blocks) {
    const std::vector<std::string> spec = spec_comment_lines(*b.spec);
    if (begins_with_spec(file.lines, b, spec)) continue;
    for (; next < b.begin; ++next) out += std::string(file.lines[next]) + "\n";
    const BlockParts parts = block_parts(file.lines, b);
    for (const auto& line : parts.above) out += line + "\n";
    if (!parts.above.empty()) out += "\n";
    for (const auto& line : spec) out += line + "\n";
    for (const auto& line : parts.free) out += line + "\n";
    next = b.end;
  }
  for (; next < file.lines.size(); ++next) {
    const bool ends_text = next + 1 == file.lines.size() && toml.back() != '\n';
    out += std::string(file.lines[next]) + (ends_text ? "" : "\n");
  }
  return out;
}

}   // namespace stampede
