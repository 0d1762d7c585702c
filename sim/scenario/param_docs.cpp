#include "sim/scenario/param_docs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace stampede {

namespace {

constexpr std::string_view kBeginMarker = "<!-- parameters: ";
constexpr std::string_view kEndMarker = "<!-- end of parameters -->";
constexpr std::string_view kTopLevel = "top level";
const std::vector<std::string> kColumns = {"key", "type", "default", "unit", "range", "meaning"};

std::string section_of(std::string_view key) {
  const auto dot = key.find('.');
  return dot == std::string_view::npos ? std::string() : std::string(key.substr(0, dot));
}

std::string leaf_of(std::string_view key) {
  const auto dot = key.find('.');
  return std::string(dot == std::string_view::npos ? key : key.substr(dot + 1));
}

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
