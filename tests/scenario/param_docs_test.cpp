// The generated parameter tables of docs/scenario.md (sim/scenario/param_docs.hpp): what a row
// shows, how a page's marked tables are rewritten, and how a stale page is reported cell by cell.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/scenario/param_binder.hpp"
#include "sim/scenario/param_docs.hpp"

using namespace stampede;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

namespace {

struct Shop {
  int clerks = 3;
  double margin = 2.5e9;
  bool open = true;
  std::string motto = "buy";
};

std::vector<ParamSpec> shop_specs() {
  ParamBinder<Shop> b{"shop"};
  b.bind(&Shop::clerks, "clerks", 1, 20000, "people", "how many | clerks");
  b.bind(&Shop::margin, "margin", 0, 1e13, "yuan", "a large float").long_doc("a large float, as `docs` word it");
  b.bind(&Shop::open, "open", "", "whether it opens");
  b.bind(&Shop::motto, "motto", "", "what it says");
  auto specs = b.specs();
  specs.insert(specs.begin(),
               ParamSpec{"days", ParamType::Int, std::int64_t{20}, 1, 5000, "trading days", "run length"});
  return specs;
}

const std::string kPage =
    "# Shop\n\nProse stays.\n\n<!-- parameters: top level -->\nstale\n<!-- end of parameters -->\n\n"
    "## [shop]\n\n<!-- parameters: shop -->\n<!-- end of parameters -->\nMore prose.\n";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a generated row shows key, type, default, unit, range and the long doc in place of the doc",
          "[scenario][docs]") {
  const std::string table = parameter_table(shop_specs(), "shop");
  CHECK_THAT(table, Contains("| key | type | default | unit | range | meaning |\n|---|---|---|---|---|---|\n"));
  CHECK_THAT(table, Contains("| `clerks` | int | `3` | people | 1..20000 | how many \\| clerks |\n"));
  CHECK_THAT(table, Contains("| `margin` | float | `2.5e9` | yuan | 0..1e13 | a large float, as `docs` word it |\n"));
  CHECK_THAT(table, Contains("| `open` | bool | `true` | - | true/false | whether it opens |\n"));
  CHECK_THAT(table, Contains("| `motto` | string | `\"buy\"` | - | - | what it says |\n"));
  CHECK_THAT(parameter_table(shop_specs(), ""),
             Contains("| `days` | int | `20` | trading days | 1..5000 | run length |"));
}

TEST_CASE("the page's marked tables are rewritten and its prose kept, the result has no differences",
          "[scenario][docs]") {
  const auto specs = shop_specs();
  const std::string page = with_parameter_tables(kPage, specs);
  CHECK_THAT(page, StartsWith("# Shop\n\nProse stays.\n\n<!-- parameters: top level -->\n| key |"));
  CHECK_THAT(page, Contains("| `clerks` |"));
  CHECK_THAT(page, EndsWith("<!-- end of parameters -->\nMore prose.\n"));
  CHECK(page.find("stale") == std::string::npos);
  CHECK(parameter_table_differences(page, specs).empty());
  CHECK(with_parameter_tables(page, specs) == page);   // idempotent
}

TEST_CASE("a stale page is reported cell by cell, naming section, key and column", "[scenario][docs]") {
  const auto specs = shop_specs();
  const std::string page = with_parameter_tables(kPage, specs);
  auto diff = parameter_table_differences(replaced(page, "| `clerks` | int | `3` | people | 1..20000 |",
                                                   "| `clerks` | int | `4` | people | 0..20000 |"), specs);
  REQUIRE(diff.size() == 2);
  CHECK(diff[0] == "[shop] clerks: default is `4` in the page, `3` in the code");
  CHECK(diff[1] == "[shop] clerks: range is 0..20000 in the page, 1..20000 in the code");
  diff = parameter_table_differences(replaced(page, "what it says", "what it said"), specs);
  REQUIRE(diff.size() == 1);
  CHECK(diff[0] == "[shop] motto: meaning is what it said in the page, what it says in the code");
  diff = parameter_table_differences(replaced(page, "| `open` |", "| `opened` |"), specs);
  REQUIRE(diff.size() == 2);
  CHECK(diff[0] == "[shop] open: not in the page");
  CHECK(diff[1] == "[shop] `opened`: in the page, not in the code");
  diff = parameter_table_differences(replaced(page, "<!-- parameters: shop -->", "<!-- parameters: shops -->"), specs);
  CHECK(std::find(diff.begin(), diff.end(), "[shops]: a table for a section the code does not have") != diff.end());
  CHECK_THAT(diff.back(), Contains("[shop]: no table"));
  CHECK_THROWS_WITH(with_parameter_tables("<!-- parameters: shop -->\n", specs), Contains("never closed"));
  CHECK_THROWS_WITH(with_parameter_tables("<!-- parameters: nope -->\n<!-- end of parameters -->\n", specs),
                    Contains("no section [nope]"));
}
