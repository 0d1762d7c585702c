#pragma once
// docs/scenario.md's reference tables, written from the specs so the page cannot drift from the
// code: `stampede check --doc docs/scenario.md` rewrites them, and a test compares the committed
// page with the specs cell by cell. A generated table sits between two marker lines, with the
// section's prose (written by hand) around them:
//
//   <!-- parameters: dma -->            (or "<!-- parameters: top level -->")
//   | key | type | default | unit | range | meaning |
//   ...
//   <!-- end of parameters -->
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace stampede {

// The table of one section's keys ("" = the top-level keys), in spec order, one row per key:
// key, type, default, unit ("-" when none), range, and the long doc (else the doc).
std::string parameter_table(const std::vector<ParamSpec>& specs, std::string_view section);

// `markdown` with every marked table replaced by the generated one. A marker naming a section
// the specs do not have, or one never closed: std::runtime_error naming its line.
std::string with_parameter_tables(std::string_view markdown, const std::vector<ParamSpec>& specs);

// What differs between the tables in `markdown` and the specs, one message per cell ("[dma]
// leverage: default is `3.0` in the page, `4.0` in the code"), per key missing or extra, and per
// section without a marked table. Empty when the page is up to date.
std::vector<std::string> parameter_table_differences(std::string_view markdown, const std::vector<ParamSpec>& specs);

// A scenario file's comments (scenarios/feb2024.toml). The comment block right above a key line
// (the `#` lines between it and the blank line, section header or key line before) begins with the
// key's spec line, `# unit; range; doc` (unit "-" when none, range as in docs/scenario.md's tables,
// the one-line doc), wrapped at 120 columns on `# ` lines; what follows it in the block is the
// scenario's own explanation of the chosen value, free text.
//
//   # 1/day; 0.01..1; most of a position (as held at the day's start) that forced selling ...
//   # 0.4: brokers cut DMA books faster than managers cut funds (neutral_funds keeps 0.25)
//   forced_day_share = 0.4
//
// Comments before the first key, comments not directly above a key, keys the specs do not have
// (`base`) and the values are left alone.

// The spec line(s) of a key's comment block, each starting with "# ", none longer than 120
// columns (unless one word is).
std::vector<std::string> spec_comment_lines(const ParamSpec& spec);

// One message per key whose comment block does not begin with its spec lines, naming the line,
// section and key and what differs ("line 42: [stocks] microcaps: unit is `shares` in the file,
// `stocks` in the code"). Empty when every block is up to date.
std::vector<std::string> scenario_comment_differences(std::string_view toml, const std::vector<ParamSpec>& specs);

// `toml` with each key's comment block beginning with its spec lines. Of a block that did not,
// the old spec part (the first line that reads `unit; range; ...` and what follows it up to the
// end of the old doc) is replaced, and everything else is kept: the explanation after the old
// doc goes on its own lines after the spec lines; an old doc worded otherwise than the code's is
// kept as free text too; lines above the old spec line (a section's comment) stay above it, as
// their own paragraph. A block without any spec line becomes free text after the spec lines,
// except the comment right after a section header (the section's), which stays above. Keys,
// values and every other line are unchanged, so the text parses to the same scenario; a text
// returned by this function comes back unchanged (a fixed point).
std::string with_spec_comments(std::string_view toml, const std::vector<ParamSpec>& specs);

}  // namespace stampede
