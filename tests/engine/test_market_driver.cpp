// A real daily index path driving the market factor (fundamentals.market_driver): the loader checks
// the file against the trading calendar and refuses calibration targets; each driven day's factor
// move lands exactly on the path while the steps in between keep their noise; the path is in the
// run header (and so in the log).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "agents/builtin_agents.hpp"
#include "sim/engine/market_driver.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/market/fundamentals.hpp"
#include "sim/market/universe.hpp"
#include "small_world.hpp"

using namespace stampede;

namespace {

// A scenario file and a CSV side by side in a fresh directory; returns the scenario's path.
std::filesystem::path write_case(const std::string& name, const std::string& csv, const std::string& extra = "",
                                 const std::string& driver = "closes.csv") {
  const auto dir = std::filesystem::temp_directory_path() / ("stampede_driver_" + name);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "closes.csv") << csv;
  std::ofstream(dir / "s.toml") << "start_date = \"2024-02-07\"\ndays = 3\n"
                                   "holidays = [\"2024-02-09\", \"2024-02-12\"]\n"
                                   "[fundamentals]\nmarket_driver = \"" << driver << "\"\n" << extra;
  return dir / "s.toml";
}

const char* kGoodCsv =
    "date,csi300,microcap\n"
    "2024-02-05,3200.0,178.6\n"
    "2024-02-06,3311.7,171.5\n"
    "2024-02-07,3343.6,155.6\n"
    "2024-02-08,3364.9,172.1\n"
    "2024-02-13,3400.0,175.0\n";   // 9 and 12 Feb are holidays; a weekend between

Scenario load(const std::filesystem::path& file) { return Scenario::load(file, builtin_agents().all_params()); }

std::string problems_of(const Scenario& s) {
  try {
    check_scenario_data(s);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a driver file matching the calendar gives one move per trading day from the close before",
          "[driver]") {
  const Scenario s = load(write_case("good", kGoodCsv));
  const auto d = load_market_driver(s, scenario_calendar(s));
  REQUIRE(d.has_value());
  CHECK(d->base_date == "2024-02-06");
  CHECK(d->base_close == 3311.7);
  CHECK(d->dates == std::vector<std::string>{"2024-02-07", "2024-02-08", "2024-02-13"});
  REQUIRE(d->log_return.size() == 3);
  CHECK(d->log_return[0] == Approx(std::log(3343.6 / 3311.7)).epsilon(1e-14));
  CHECK(d->log_return[2] == Approx(std::log(3400.0 / 3364.9)).epsilon(1e-14));
}

TEST_CASE("a trading day the file lacks is an error naming the file and the day", "[driver]") {
  const std::string csv = "date,csi300\n2024-02-06,3311.7\n2024-02-07,3343.6\n2024-02-13,3400.0\n";
  const std::string e = problems_of(load(write_case("missing", csv)));
  CHECK(e.find("closes.csv") != std::string::npos);
  CHECK(e.find("2024-02-08") != std::string::npos);
  CHECK(e.find("no row") != std::string::npos);
}

TEST_CASE("a row on a day the scenario does not trade is an error naming file and line", "[driver]") {
  const std::string csv = "date,csi300\n2024-02-06,3311.7\n2024-02-07,3343.6\n2024-02-08,3364.9\n"
                          "2024-02-09,3370.0\n2024-02-13,3400.0\n";
  const std::string e = problems_of(load(write_case("extra", csv)));
  CHECK(e.find("closes.csv:5") != std::string::npos);
  CHECK(e.find("2024-02-09 is not a trading day") != std::string::npos);
}

TEST_CASE("calibration targets are refused as drivers", "[driver]") {
  const std::string e = problems_of(load(write_case("target", kGoodCsv, "market_driver_column = \"microcap\"\n")));
  CHECK(e.find("calibration target") != std::string::npos);
}

TEST_CASE("malformed driver files are errors that say what is wrong", "[driver]") {
  CHECK(problems_of(load(write_case("nobase", "date,csi300\n2024-02-07,1\n2024-02-08,2\n2024-02-13,3\n")))
            .find("no row before the first trading day") != std::string::npos);
  CHECK(problems_of(load(write_case("short", "date,csi300\n2024-02-06,1\n2024-02-07,2\n")))
            .find("ends before") != std::string::npos);
  CHECK(problems_of(load(write_case("nocol", "date,csi500\n2024-02-06,1\n"))).find("no column 'csi300'") !=
        std::string::npos);
  CHECK(problems_of(load(write_case("badnum", "date,csi300\n2024-02-06,x\n2024-02-07,2\n2024-02-08,2\n2024-02-13,3\n")))
            .find("closes.csv:2") != std::string::npos);
  CHECK(problems_of(load(write_case("nofile", kGoodCsv, "", "nowhere.csv")))
            .find("no such file") != std::string::npos);
}

TEST_CASE("the built-in copy of the shipped index file is found from anywhere", "[driver]") {
  const Scenario s = Scenario::parse(
      "days = 37\nholidays = [\"2024-02-09\", \"2024-02-12\", \"2024-02-13\", \"2024-02-14\", \"2024-02-15\", "
      "\"2024-02-16\"]\n[fundamentals]\nmarket_driver = \"data/china_index_closes_2023_2024.csv\"\n",
      "text", builtin_agents().all_params());
  const auto d = load_market_driver(s, scenario_calendar(s));
  REQUIRE(d.has_value());
  CHECK(d->source == "built-in data/china_index_closes_2023_2024.csv");
  CHECK(d->base_date == "2023-12-29");
  CHECK(d->dates.back() == "2024-02-29");
  CHECK(d->close.front() == 3386.3522);   // CSI 300 on 2 January 2024
}

TEST_CASE("a driven market factor lands on the path at every close and wanders in between", "[driver][fundamentals]") {
  UniverseParams up;
  up.microcaps = 5;
  up.constituents = 5;
  up.large_caps = 2;
  const Universe u = make_universe(up, 7);
  FactorParams p;
  p.market_drift = -5.0;   // unused when driven
  Fundamentals f(u, p, 11);
  const std::vector<double> path{0.02, -0.05, 0.0};
  f.drive_market(path, 240.0);
  double expected = 0;
  for (int day = 0; day < 3; ++day) {
    double max_gap = 0;
    const double start = f.market_factor();
    for (int k = 0; k < 240; ++k) {
      f.advance(1.0, day);
      const double linear = start + path[day] * (k + 1) / 240.0;
      max_gap = std::max(max_gap, std::abs(f.market_factor() - linear));
    }
    expected += path[day];
    CHECK(f.market_factor() == Approx(expected).margin(1e-12));
    CHECK(max_gap > 1e-4);   // intraday noise stays (market_vol 18%: about 0.5% a day)
  }
  CHECK_THROWS(f.advance(1.0, 3));   // no move for a day beyond the path
}

TEST_CASE("a driven run carries its path in the run header, one row per trading day", "[driver]") {
  const AgentRegistry reg = builtin_agents();
  const Scenario s = test::small_world(reg, {"fundamentals.market_driver=\"data/china_index_closes_2023_2024.csv\""});
  Simulation sim(s, reg);
  const RunHeader h = sim.make_header(s, 1);
  REQUIRE(h.driver.dates.size() == static_cast<std::size_t>(sim.calendar().size()));
  for (int d = 0; d < sim.calendar().size(); ++d) CHECK(h.driver.dates[static_cast<std::size_t>(d)] == sim.calendar().iso(d));
  CHECK(h.driver.column == "csi300");
  const Scenario random = test::small_world(reg);
  CHECK(Simulation(random, reg).make_header(random, 1).driver.dates.empty());
}

TEST_CASE("the real targets are read beside a run for reference only, where the driver file has them", "[driver]") {
  const Scenario s = Scenario::parse(
      "days = 3\n[fundamentals]\nmarket_driver = \"data/china_index_closes_2023_2024.csv\"\n", "text",
      builtin_agents().all_params());
  const RealReference r = load_real_reference(s, scenario_calendar(s));
  REQUIRE(r.microcap.has_value());
  REQUIRE(r.hedged.has_value());
  CHECK(r.microcap->base_close == 287190.5);      // Wind microcap on 29 December 2023
  CHECK(r.hedged->close.front() == 5854.7494);    // CSI 1000 on 2 January 2024
  // A driver file without those columns: no reference, and no error.
  const Scenario own = load(write_case("noref", "date,csi300\n2024-02-06,1\n2024-02-07,2\n2024-02-08,2\n2024-02-13,3\n"));
  const RealReference none = load_real_reference(own, scenario_calendar(own));
  CHECK_FALSE(none.microcap.has_value());
  CHECK_FALSE(none.hedged.has_value());
}
