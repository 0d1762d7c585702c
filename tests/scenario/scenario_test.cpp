// Scenario parsing: defaults, overrides, validation messages, resolved_toml round trip, and the
// shipped default scenario.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

using namespace stampede;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

ParamSpec ispec(std::string key, std::int64_t def, double lo, double hi, std::string unit = "") {
  return ParamSpec{std::move(key), ParamType::Int, def, lo, hi, std::move(unit), "an integer"};
}
ParamSpec fspec(std::string key, double def, double lo, double hi, std::string unit = "") {
  return ParamSpec{std::move(key), ParamType::Float, def, lo, hi, std::move(unit), "a float"};
}

// The agent sections shipped in scenarios/feb2024.toml, as the engine author specified them.
std::vector<ParamSpec> agent_specs() {
  return {
      ispec("liquidity_providers.per_stock", 2, 0, 20),
      ispec("liquidity_providers.per_future", 4, 0, 50),
      fspec("liquidity_providers.capital_yuan", 5.0e6, 0, 1e12, "yuan"),
      fspec("liquidity_providers.inventory_yuan", 2.0e6, 0, 1e12, "yuan"),
      fspec("liquidity_providers.futures_capital_yuan", 2.0e8, 0, 1e13, "yuan"),
      ispec("liquidity_providers.half_spread_ticks", 2, 1, 1000, "ticks"),
      fspec("liquidity_providers.vol_spread_mult", 1.5, 0, 100),
      fspec("liquidity_providers.inventory_skew_ticks", 2.0, 0, 1000, "ticks"),
      ispec("liquidity_providers.quote_lots", 10, 1, 100000, "lots"),
      fspec("liquidity_providers.fair_value_weight", 0.3, 0, 1),
      fspec("liquidity_providers.fair_value_noise", 0.002, 0, 1),
      fspec("liquidity_providers.max_inventory_yuan", 4.0e6, 0, 1e12, "yuan"),
      ispec("noise_traders.count", 20000, 0, 10000000),
      fspec("noise_traders.orders_per_day", 3.0, 0, 1000),
      fspec("noise_traders.market_order_share", 0.2, 0, 1),
      fspec("noise_traders.limit_offset_ticks", 5.0, 0, 10000, "ticks"),
      fspec("noise_traders.cash_yuan", 3.0e5, 0, 1e12, "yuan"),
      fspec("noise_traders.holdings_yuan", 3.0e5, 0, 1e12, "yuan"),
      ispec("noise_traders.stocks_held", 5, 1, 100),
      fspec("noise_traders.order_size_lots", 5.0, 1, 100000, "lots"),
      fspec("noise_traders.fundamental_tilt", 0.1, 0, 1),
  };
}

std::vector<ParamSpec> all_specs() {
  auto s = core_param_specs();
  for (auto& a : agent_specs()) s.push_back(a);
  return s;
}

// Small made-up specs covering every type.
std::vector<ParamSpec> toy_specs() {
  return {
      ParamSpec{"name", ParamType::String, std::string("toy"), -kInf, kInf, "", "name"},
      ispec("n", 3, 0, 10, "things"),
      fspec("x", 0.5, 0, 1),
      ParamSpec{"flag", ParamType::Bool, false, -kInf, kInf, "", "a flag"},
      ParamSpec{"day", ParamType::Date, std::string("2024-01-02"), -kInf, kInf, "", "a date"},
      ParamSpec{"days_off", ParamType::DateList, std::vector<std::string>{"2024-02-12"}, -kInf, kInf, "", "dates"},
      ispec("dma.accounts", 10, 0, 1000),
      fspec("dma.leverage", 4.0, 1, 10, "x"),
      fspec("dma.warning_ratio", 0.15, 0, 1),
      ParamSpec{"dma.label", ParamType::String, std::string("dma"), -kInf, kInf, "", "a label"},
  };
}

// Parses and returns the problems (empty when it parsed).
std::vector<std::string> problems_of(std::string_view text, const std::vector<ParamSpec>& specs,
                                     const std::vector<std::string>& overrides = {}) {
  try {
    Scenario::parse(text, "scenarios/x.toml", specs, overrides);
  } catch (const ScenarioError& e) {
    REQUIRE_FALSE(e.problems().empty());
    return e.problems();
  }
  return {};
}

std::string only_problem(std::string_view text, const std::vector<ParamSpec>& specs,
                         const std::vector<std::string>& overrides = {}) {
  auto p = problems_of(text, specs, overrides);
  INFO("problems: " << p.size());
  REQUIRE(p.size() == 1);
  return p[0];
}


void require_same_values(const Scenario& a, const Scenario& b, const std::vector<ParamSpec>& specs) {
  for (const auto& s : specs) {
    INFO("key " << s.key);
    switch (s.type) {
      case ParamType::Bool: CHECK(a.get_bool(s.key) == b.get_bool(s.key)); break;
      case ParamType::Int: CHECK(a.get_int(s.key) == b.get_int(s.key)); break;
      case ParamType::Float: {
        double x = a.get_float(s.key), y = b.get_float(s.key);
        CHECK((x == y || (std::isnan(x) && std::isnan(y))));
        CHECK(std::signbit(x) == std::signbit(y));
        break;
      }
      case ParamType::String:
      case ParamType::Date: CHECK(a.get_string(s.key) == b.get_string(s.key)); break;
      case ParamType::DateList: CHECK(a.get_list(s.key) == b.get_list(s.key)); break;
    }
  }
}

}  // namespace

TEST_CASE("empty text yields every default", "[scenario]") {
  auto sc = Scenario::parse("", "empty", core_param_specs());
  CHECK(sc.name() == "default");
  CHECK(sc.get_int("days") == 20);
  CHECK(sc.get_int("seed") == 20240105);
  CHECK(sc.get_string("start_date") == "2024-01-02");
  CHECK(sc.get_list("holidays").empty());
  CHECK(sc.get_int("session.step_minutes") == 1);
  CHECK(sc.get_int("stocks.microcaps") == 600);
  CHECK(sc.get_float("stocks.microcap_cap_median_yuan") == 2.5e9);
  CHECK(sc.get_float("futures.initial_basis_annual") == -0.06);
  CHECK(sc.get_int("futures.final_settlement_window_minutes") == 120);
  CHECK(sc.get_bool("output.record_step_prices"));
  CHECK(sc.source_name() == "empty");
  CHECK(sc.source_text().empty());
  CHECK(sc.overrides().empty());
  CHECK_FALSE(sc.has_section("stocks"));
}

TEST_CASE("file values override defaults", "[scenario]") {
  const char* text = R"(name = "jan24"
days = 20
start_date = 2024-01-15   # a TOML local date works as well as a string
holidays = ["2024-02-12", "2024-02-13"]
[stocks]
microcaps = 1200
cap_dispersion = 1      # an integer is fine for a float key
[output]
record_step_prices = false
)";
  auto sc = Scenario::parse(text, "scenarios/jan24.toml", core_param_specs());
  CHECK(sc.name() == "jan24");
  CHECK(sc.get_int("days") == 20);
  CHECK(sc.get_string("start_date") == "2024-01-15");
  CHECK(sc.get_list("holidays") == std::vector<std::string>{"2024-02-12", "2024-02-13"});
  CHECK(sc.get_int("stocks.microcaps") == 1200);
  CHECK(sc.get_float("stocks.cap_dispersion") == 1.0);
  CHECK(sc.get_int("stocks.large_caps") == 20);  // untouched key keeps its default
  CHECK_FALSE(sc.get_bool("output.record_step_prices"));
  CHECK(sc.has_section("stocks"));
  CHECK(sc.has_section("output"));
  CHECK_FALSE(sc.has_section("futures"));
  CHECK(sc.source_text() == text);
  CHECK(sc.source_name() == "scenarios/jan24.toml");
}

TEST_CASE("overrides from --set win over the file in order and may create a section", "[scenario]") {
  const char* text = "days = 20\n[stocks]\nmicrocaps = 1200\n";
  std::vector<std::string> sets{"days=3", "stocks.microcaps=200", "futures.margin_rate=0.2", "name=foo",
                                "days = 4", "output.record_step_prices=false", "holidays=[\"2024-02-12\"]",
                                "start_date=2024-01-05"};
  auto sc = Scenario::parse(text, "x.toml", core_param_specs(), sets);
  CHECK(sc.get_int("days") == 4);  // the later --set wins
  CHECK(sc.get_int("stocks.microcaps") == 200);
  CHECK(sc.get_float("futures.margin_rate") == 0.2);
  CHECK(sc.has_section("futures"));  // created by --set
  CHECK(sc.name() == "foo");         // bare word taken as a string
  CHECK_FALSE(sc.get_bool("output.record_step_prices"));
  CHECK(sc.get_list("holidays") == std::vector<std::string>{"2024-02-12"});
  CHECK(sc.get_string("start_date") == "2024-01-05");
  CHECK(sc.overrides() == sets);
  CHECK_FALSE(sc.has_section("session"));

  SECTION("string keys take any text verbatim") {
    auto s2 = Scenario::parse("", "x", core_param_specs(), {"name=2024", "name = \"quoted run\""});
    CHECK(s2.name() == "quoted run");
    auto s3 = Scenario::parse("", "x", core_param_specs(), {"name=2024"});
    CHECK(s3.name() == "2024");
  }
}

TEST_CASE("unknown keys are reported with line and suggestion or the valid keys", "[scenario]") {
  auto specs = core_param_specs();
  SECTION("misspelt key in a section") {
    auto p = only_problem("days = 3\n[stocks]\nmicrocap = 3\n", specs);
    CHECK(p == "scenarios/x.toml:3: unknown key 'stocks.microcap' (did you mean 'stocks.microcaps'?)");
  }
  SECTION("unrelated key lists the section's keys") {
    auto p = only_problem("[session]\nstep_minutes = 5\nzzzzzzzzzz = 1\n", specs);
    CHECK_THAT(p, Contains("scenarios/x.toml:3: unknown key 'session.zzzzzzzzzz'"));
    CHECK_THAT(p, Contains("valid keys in [session]: step_minutes"));
  }
  SECTION("a section key at top level suggests its section") {
    auto p = only_problem("microcaps = 3\n", specs);
    CHECK(p == "scenarios/x.toml:1: unknown key 'microcaps' (did you mean 'stocks.microcaps'?)");
  }
  SECTION("misspelt section") {
    auto p = only_problem("\n[stoks]\nmicrocaps = 3\n", specs);
    CHECK_THAT(p, Contains("scenarios/x.toml:2: unknown section [stoks]"));
    CHECK_THAT(p, Contains("did you mean [stocks]?"));
  }
  SECTION("--set with a misspelt key") {
    auto p = only_problem("", toy_specs(), {"dma.leverge=3"});
    CHECK(p == "--set dma.leverge=3: unknown key 'dma.leverge' (did you mean 'dma.leverage'?)");
  }
  SECTION("--set with an unknown section lists the sections") {
    auto p = only_problem("", specs, {"qqqqqqq.x=1"});
    CHECK_THAT(p, StartsWith("--set qqqqqqq.x=1: unknown key 'qqqqqqq.x'"));
    CHECK_THAT(p, Contains("[stocks]"));
  }
  SECTION("--set naming a section") {
    auto p = only_problem("", specs, {"stocks=3"});
    CHECK_THAT(p, StartsWith("--set stocks=3: 'stocks' is a section"));
  }
  SECTION("a section given as a plain value") {
    auto p = only_problem("stocks = 5\n", specs);
    CHECK_THAT(p, StartsWith("scenarios/x.toml:1: 'stocks' is a section"));
  }
}

TEST_CASE("malformed --set", "[scenario]") {
  auto specs = core_param_specs();
  CHECK_THAT(only_problem("", specs, {"days"}), StartsWith("--set days: expected key=value"));
  CHECK_THAT(only_problem("", specs, {"=3"}), StartsWith("--set =3: missing key"));
}

TEST_CASE("wrong types name the expected type", "[scenario]") {
  auto specs = core_param_specs();
  CHECK(only_problem("days = \"five\"\n", specs) ==
        "scenarios/x.toml:1: key 'days': integer expected, got string \"five\"");
  CHECK_THAT(only_problem("[futures]\nmargin_rate = \"high\"\n", specs),
             StartsWith("scenarios/x.toml:2: key 'futures.margin_rate': number expected"));
  CHECK_THAT(only_problem("[output]\nrecord_step_prices = 1\n", specs),
             StartsWith("scenarios/x.toml:2: key 'output.record_step_prices': boolean expected"));
  CHECK_THAT(only_problem("name = 3\n", specs), StartsWith("scenarios/x.toml:1: key 'name': string expected"));
  CHECK_THAT(only_problem("holidays = \"2024-02-12\"\n", specs),
             StartsWith("scenarios/x.toml:1: key 'holidays': array of dates"));
  CHECK_THAT(only_problem("start_date = 20240102\n", specs), StartsWith("scenarios/x.toml:1: key 'start_date': date"));
  CHECK_THAT(only_problem("", specs, {"days=abc"}), StartsWith("--set days=abc: key 'days': integer expected"));
}

TEST_CASE("integer and float rules", "[scenario]") {
  auto specs = core_param_specs();
  // Int keys reject any float, even an integral one.
  CHECK(only_problem("days = 3.5\n", specs) == "scenarios/x.toml:1: key 'days': integer expected, got float 3.5");
  CHECK_THAT(only_problem("days = 3.0\n", specs), Contains("integer expected, got float 3.0"));
  CHECK_THAT(only_problem("", specs, {"days=3.0"}), Contains("integer expected"));
  // Float keys accept integers.
  auto sc = Scenario::parse("[indices]\nhedged_base = 5000\n", "x", specs, {"futures.tick_points=1"});
  CHECK(sc.get_float("indices.hedged_base") == 5000.0);
  CHECK(sc.get_float("futures.tick_points") == 1.0);
  // Scientific notation and underscores are TOML floats/integers.
  auto sc2 = Scenario::parse("[stocks]\nmicrocap_cap_median_yuan = 3e9\nmicrocaps = 1_000\n", "x", specs);
  CHECK(sc2.get_float("stocks.microcap_cap_median_yuan") == 3e9);
  CHECK(sc2.get_int("stocks.microcaps") == 1000);
  // nan is never allowed.
  CHECK_THAT(only_problem("[fundamentals]\nmarket_vol_annual = nan\n", specs), Contains("nan is not allowed"));
}

TEST_CASE("out of range values name the allowed range and unit", "[scenario]") {
  auto specs = core_param_specs();
  CHECK(only_problem("[stocks]\n\nmicrocaps = -5\n", specs) ==
        "scenarios/x.toml:3: key 'stocks.microcaps': -5 is out of range, allowed 0..20000 (stocks)");
  CHECK(only_problem("days = 0\n", specs) ==
        "scenarios/x.toml:1: key 'days': 0 is out of range, allowed 1..5000 (trading days)");
  CHECK(only_problem("[futures]\nmargin_rate = 1.5\n", specs) ==
        "scenarios/x.toml:2: key 'futures.margin_rate': 1.5 is out of range, allowed 0.01..1");
  CHECK(only_problem("", specs, {"stocks.board_20pct_share=2"}) ==
        "--set stocks.board_20pct_share=2: key 'stocks.board_20pct_share': 2 is out of range, allowed 0..1");
  // Bounds are inclusive.
  auto sc = Scenario::parse("days = 5000\n[stocks]\nmicrocaps = 0\nboard_20pct_share = 1.0\n", "x", specs);
  CHECK(sc.get_int("days") == 5000);
  CHECK(sc.get_float("stocks.board_20pct_share") == 1.0);
  // Any seed a sweep or ensemble derives (63 bits) is a valid seed, up to the largest TOML integer.
  CHECK(Scenario::parse("seed = 9211737291177135858\n", "x", specs).get_int("seed") == 9211737291177135858);
  CHECK(Scenario::parse("seed = 9223372036854775807\n", "x", specs).get_int("seed") == 9223372036854775807);
  CHECK_THAT(only_problem("seed = -1\n", specs), Contains("out of range"));
  // Open-ended ranges are described as such.
  auto toy = toy_specs();
  toy.push_back(fspec("lo_only", 1.0, 0, kInf, "yuan"));
  CHECK_THAT(only_problem("lo_only = -1\n", toy), Contains("allowed at least 0 (yuan)"));
}

TEST_CASE("dates must be real calendar dates", "[scenario]") {
  auto specs = core_param_specs();
  CHECK(only_problem("start_date = \"2023-02-29\"\n", specs) ==
        "scenarios/x.toml:1: key 'start_date': \"2023-02-29\" is not a valid date (expected \"YYYY-MM-DD\")");
  CHECK_NOTHROW(Scenario::parse("start_date = \"2024-02-29\"\n", "x", specs));  // leap year
  CHECK_THAT(only_problem("start_date = \"2024-1-2\"\n", specs), Contains("is not a valid date"));
  CHECK_THAT(only_problem("start_date = \"yesterday\"\n", specs), Contains("is not a valid date"));
  CHECK_THAT(only_problem("", specs, {"start_date=2024-13-01"}), Contains("\"2024-13-01\" is not a valid date"));
  auto p = only_problem("holidays = [\"2024-02-12\", \"2024-02-30\", 7]\n", specs);
  CHECK_THAT(p, StartsWith("scenarios/x.toml:1: key 'holidays':"));
  CHECK_THAT(p, Contains("\"2024-02-30\" is not a valid date"));
  CHECK_THAT(p, Contains("element 3 is integer 7"));
}

TEST_CASE("TOML syntax errors are reported with their line", "[scenario]") {
  auto specs = core_param_specs();
  auto p = only_problem("days = 3\nseed = 1\n[stocks\nmicrocaps = 3\n", specs);
  CHECK_THAT(p, StartsWith("scenarios/x.toml:3: TOML syntax error"));
  auto q = only_problem("days = 3\n\ndays = 4\n", specs);
  CHECK_THAT(q, StartsWith("scenarios/x.toml:3: TOML syntax error"));
  auto r = only_problem("days = 3\nseed =\n", specs);
  CHECK_THAT(r, StartsWith("scenarios/x.toml:2: TOML syntax error"));
  // A syntax error does not hide problems in the overrides.
  auto both = problems_of("days = \n", specs, {"dayz=3"});
  REQUIRE(both.size() == 2);
  CHECK_THAT(both[0], Contains("TOML syntax error"));
  CHECK_THAT(both[1], StartsWith("--set dayz=3: unknown key 'dayz' (did you mean 'days'?)"));
}

TEST_CASE("every problem is reported together with file problems in line order", "[scenario]") {
  const char* text = R"(days = 0
start_date = "2024-02-30"
[stocks]
microcap = 3
large_caps = 2.5
[futures]
margin_rate = -1
)";
  std::vector<std::string> p;
  try {
    Scenario::parse(text, "scenarios/x.toml", core_param_specs(), {"seed", "dma.leverage=3", "days=9999"});
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    p = e.problems();
    // what() joins them with newlines.
    std::string joined;
    for (std::size_t k = 0; k < p.size(); ++k) joined += (k ? "\n" : "") + p[k];
    CHECK(std::string(e.what()) == joined);
  }
  REQUIRE(p.size() == 8);
  CHECK_THAT(p[0], StartsWith("scenarios/x.toml:1: key 'days'"));
  CHECK_THAT(p[1], StartsWith("scenarios/x.toml:2: key 'start_date'"));
  CHECK_THAT(p[2], StartsWith("scenarios/x.toml:4: unknown key 'stocks.microcap'"));
  CHECK_THAT(p[3], StartsWith("scenarios/x.toml:5: key 'stocks.large_caps': integer expected"));
  CHECK_THAT(p[4], StartsWith("scenarios/x.toml:7: key 'futures.margin_rate'"));
  CHECK_THAT(p[5], StartsWith("--set seed:"));
  CHECK_THAT(p[6], StartsWith("--set dma.leverage=3: unknown key"));
  CHECK_THAT(p[7], StartsWith("--set days=9999: key 'days': 9999 is out of range"));
}

TEST_CASE("resolved_toml round-trips through parse with identical values", "[scenario]") {
  auto specs = all_specs();
  for (auto& s : toy_specs())
    if (s.key != "name") s.key = "toy_" + s.key, specs.push_back(s);
  // Awkward values: escapes, negative zero, tiny and huge floats, extreme ints, many dates.
  const char* text = R"(name = "tricky \"name\" \\ with\ttab\u0001"
seed = 9000000000000000000
holidays = ["2024-02-09", "2024-02-12", "2024-02-13"]
toy_x = 0.1
toy_dma.leverage = 3.3333333333333335
[fundamentals]
market_drift_annual = -0.0
size_drift_annual = 1e-300
idio_vol_annual = 2.9999999999999996
[stocks]
large_cap_median_yuan = 9.999999999999998e12
)";
  auto a = Scenario::parse(text, "scenarios/x.toml", specs, {"noise_traders.count=7", "futures.limit_pct=20"});
  std::string resolved = a.resolved_toml();
  INFO(resolved);
  auto b = Scenario::parse(resolved, "resolved", specs);
  require_same_values(a, b, specs);
  CHECK(b.name() == "tricky \"name\" \\ with\ttab\x01");
  CHECK(b.get_int("noise_traders.count") == 7);
  // Resolving again is a fixed point (apart from the header naming the source).
  auto strip_header = [](std::string s) {
    while (!s.empty() && s[0] == '#') s.erase(0, s.find('\n') + 1);
    return s;
  };
  CHECK(strip_header(b.resolved_toml()) == strip_header(resolved));

  // Layout: top-level keys first, then sections in spec order, every line commented.
  auto pos = [&](const std::string& needle) { return resolved.find(needle); };
  REQUIRE(pos("\nseed = ") != std::string::npos);
  CHECK(pos("\nseed = ") < pos("[session]"));
  CHECK(pos("[session]") < pos("[stocks]"));
  CHECK(pos("[stocks]") < pos("[fundamentals]"));
  CHECK(pos("[futures]") < pos("[output]"));
  CHECK(pos("[output]") < pos("[liquidity_providers]"));
  CHECK(pos("[liquidity_providers]") < pos("[noise_traders]"));
  CHECK_THAT(resolved, Contains("microcaps = 600  # stocks; stocks outside the hedged index"));
  CHECK_THAT(resolved, Contains("microcap_cap_median_yuan = 2500000000.0  # yuan;"));
}

TEST_CASE("resolved_toml of the defaults round-trips", "[scenario]") {
  auto specs = core_param_specs();
  auto a = Scenario::parse("", "x", specs);
  auto b = Scenario::parse(a.resolved_toml(), "y", specs);
  require_same_values(a, b, specs);
  CHECK(b.has_section("stocks"));
}

// The shipped default scenario is checked against the real agent specs in tests/engine.

TEST_CASE("load reports a missing file by path", "[scenario]") {
  std::filesystem::path missing = std::filesystem::path(STAMPEDE_BINARY_DIR) / "no_such_dir" / "nope.toml";
  try {
    Scenario::load(missing, core_param_specs());
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK_THAT(e.problems()[0], StartsWith(missing.string() + ": "));
  }
  // A directory is not a scenario either.
  CHECK_THROWS_AS(Scenario::load(STAMPEDE_SOURCE_DIR, core_param_specs()), ScenarioError);
}

TEST_CASE("load names the file in messages and applies overrides", "[scenario]") {
  auto dir = std::filesystem::temp_directory_path() / "stampede_scenario_test";
  std::filesystem::create_directories(dir);
  auto file = dir / "bad.toml";
  {
    std::ofstream out(file);
    out << "days = 2\n[stocks]\nmicrocaps = -1\n";
  }
  try {
    Scenario::load(file, core_param_specs());
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK_THAT(e.problems()[0], StartsWith(file.string() + ":3: key 'stocks.microcaps'"));
  }
  {
    std::ofstream out(file);
    out << "days = 2\n";
  }
  auto sc = Scenario::load(file, core_param_specs(), {"days=7"});
  CHECK(sc.get_int("days") == 7);
  CHECK(sc.source_name() == file.string());
  std::filesystem::remove_all(dir);
}

namespace {
void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
}
}  // namespace

TEST_CASE("a scenario file builds on its base file: base keys, then its own, then --set", "[scenario]") {
  auto dir = std::filesystem::temp_directory_path() / "stampede_scenario_base_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "variants");
  write_file(dir / "main.toml", "name = \"main\"\ndays = 40\n[stocks]\nmicrocaps = 500\nlarge_caps = 7\n");
  write_file(dir / "variants" / "short.toml", "base = \"../main.toml\"\nname = \"short\"\ndays = 5\n");
  write_file(dir / "variants" / "shorter.toml", "base = \"short.toml\"\n[stocks]\nmicrocaps = 50\n");

  auto sc = Scenario::load(dir / "variants" / "shorter.toml", core_param_specs(), {"stocks.large_caps=3"});
  CHECK(sc.name() == "short");                     // from the middle file
  CHECK(sc.get_int("days") == 5);                  // the middle file overrides the base
  CHECK(sc.get_int("stocks.microcaps") == 50);     // the named file overrides both
  CHECK(sc.get_int("stocks.large_caps") == 3);     // --set overrides every file
  REQUIRE(sc.base_files().size() == 2);
  CHECK_THAT(sc.base_files()[0], Contains("main.toml"));
  // The resolved text stands alone: it needs none of the files.
  auto again = Scenario::parse(sc.resolved_toml(), "resolved", core_param_specs());
  CHECK(again.get_int("stocks.microcaps") == 50);
  CHECK(again.get_int("days") == 5);
  std::filesystem::remove_all(dir);
}

TEST_CASE("base files: errors name the file and line, cycles and missing files are rejected", "[scenario]") {
  auto dir = std::filesystem::temp_directory_path() / "stampede_scenario_base_errors";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto problems_of = [&](const std::filesystem::path& f) {
    try {
      Scenario::load(f, core_param_specs());
    } catch (const ScenarioError& e) {
      return e.problems();
    }
    return std::vector<std::string>{};
  };
  // A bad key in the base is reported against the base file.
  write_file(dir / "base.toml", "days = 3\n[stocks]\nmicrocaps = -1\n");
  write_file(dir / "child.toml", "base = \"base.toml\"\ndays = 0\n");
  auto p = problems_of(dir / "child.toml");
  REQUIRE(p.size() == 2);
  CHECK_THAT(p[0], StartsWith((dir / "base.toml").string() + ":3: key 'stocks.microcaps'"));
  CHECK_THAT(p[1], StartsWith((dir / "child.toml").string() + ":2: key 'days'"));
  // Missing base.
  write_file(dir / "orphan.toml", "base = \"nowhere.toml\"\n");
  p = problems_of(dir / "orphan.toml");
  REQUIRE(p.size() == 1);
  CHECK_THAT(p[0], StartsWith((dir / "orphan.toml").string() + ":1: base = \"nowhere.toml\": no such file"));
  // Not a string.
  write_file(dir / "typed.toml", "days = 2\nbase = 3\n");
  p = problems_of(dir / "typed.toml");
  REQUIRE(p.size() == 1);
  CHECK_THAT(p[0], Contains("'base' must be a string"));
  // A cycle.
  write_file(dir / "a.toml", "base = \"b.toml\"\n");
  write_file(dir / "b.toml", "base = \"a.toml\"\n");
  p = problems_of(dir / "a.toml");
  REQUIRE(p.size() == 1);
  CHECK_THAT(p[0], Contains("cycle"));
  // Text parsed from memory (the built-in default) cannot name a base.
  CHECK_THROWS_WITH(Scenario::parse("base = \"x.toml\"\n", "text", core_param_specs()), Contains("allowed only in a scenario file"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("getters with an unknown key or the wrong type are programming bugs", "[scenario]") {
  auto sc = Scenario::parse("", "x", core_param_specs());
  CHECK_THROWS_AS(sc.get_int("dayz"), std::logic_error);
  CHECK_THROWS_AS(sc.get_float("days"), std::logic_error);
  CHECK_THROWS_AS(sc.get_int("stocks.cap_dispersion"), std::logic_error);
  CHECK_THROWS_AS(sc.get_bool("name"), std::logic_error);
  CHECK_THROWS_AS(sc.get_list("start_date"), std::logic_error);
  CHECK_THROWS_AS(sc.get_string("holidays"), std::logic_error);
  CHECK(sc.get_string("start_date") == "2024-01-02");  // a Date reads as a string
  // ScenarioError is a runtime_error, not a logic_error: the two never mix.
  CHECK_THROWS_AS(Scenario::parse("days = 0", "x", core_param_specs()), std::runtime_error);
}

TEST_CASE("inconsistent specs are programming bugs", "[scenario]") {
  auto dup = toy_specs();
  dup.push_back(ispec("n", 1, 0, 2));
  CHECK_THROWS_AS(Scenario::parse("", "x", dup), std::logic_error);
  std::vector<ParamSpec> bad_default{ispec("n", 50, 0, 10)};
  CHECK_THROWS_AS(Scenario::parse("", "x", bad_default), std::logic_error);
  std::vector<ParamSpec> bad_type{ParamSpec{"n", ParamType::Int, 1.5, 0, 10, "", ""}};
  CHECK_THROWS_AS(Scenario::parse("", "x", bad_type), std::logic_error);
  std::vector<ParamSpec> too_deep{ispec("a.b.c", 1, 0, 2)};
  CHECK_THROWS_AS(Scenario::parse("", "x", too_deep), std::logic_error);
}

TEST_CASE("core specs are consistent", "[scenario]") {
  const auto& specs = core_param_specs();
  CHECK(specs.size() == 47);
  for (const auto& s : specs) {
    INFO("key " << s.key);
    CHECK_FALSE(s.doc.empty());
    CHECK(s.doc.find('\n') == std::string::npos);
  }
  CHECK_NOTHROW(Scenario::parse("", "x", specs));
}

TEST_CASE("a scenario name is a file name, never a path: the run log is results/<name>.h5", "[scenario]") {
  const auto specs = core_param_specs();
  CHECK_THAT(only_problem("name = \"/tmp/victim\"\n", specs),
             Contains("scenarios/x.toml:1: key 'name': \"/tmp/victim\" is a path, not a name"));
  CHECK_THAT(only_problem("name = \"../../x\"\n", specs), Contains("key 'name': \"../../x\" starts with '.'"));
  CHECK_THAT(only_problem("name = \"\"\n", specs), Contains("key 'name': the name is empty"));
  CHECK_THAT(only_problem("", specs, {"name=a/b"}), Contains("key 'name': \"a/b\" is a path"));
  CHECK_THAT(only_problem("name = \"x\"\n", specs, {"name=.hidden"}), Contains("starts with '.'"));
  CHECK(problems_of("name = \"feb 2024 (run 2)\"\n", specs).empty());   // any other text is a name
}

TEST_CASE("an empty or comment-only scenario file is an error, not a silent run of the defaults", "[scenario]") {
  auto dir = std::filesystem::temp_directory_path() / "stampede_scenario_empty_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const std::string text : {"", "# only a comment\n\n"}) {
    write_file(dir / "empty.toml", text);
    try {
      Scenario::load(dir / "empty.toml", core_param_specs());
      FAIL("an empty scenario file was accepted");
    } catch (const ScenarioError& e) {
      REQUIRE(e.problems().size() == 1);
      CHECK_THAT(e.problems()[0], Contains("empty.toml: no keys"));
    }
  }
  write_file(dir / "one.toml", "name = \"one\"\n");   // one key is enough
  CHECK(Scenario::load(dir / "one.toml", core_param_specs()).name() == "one");
  std::filesystem::remove_all(dir);
}
