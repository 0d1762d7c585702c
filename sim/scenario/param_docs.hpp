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

}  // namespace stampede
