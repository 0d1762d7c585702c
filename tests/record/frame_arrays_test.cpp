// The declared frame arrays (sim/record/frame_arrays.def): every one in every log, written where
// a frame gives values, its fill value where it does not, only the recorded stocks' columns of
// the liquidity arrays, and frames of the wrong shape refused.
#include <catch2/catch.hpp>

#include "run_log_fixture.hpp"

using namespace stampede;
using namespace stampede::test;
using F = FrameArray;

namespace {

// Step arrays of a sample step: stock s gets best bid 1000 + step, queue 7 * s, ...
void fill_step_arrays(StepFrame& f) {
  FrameArrays& a = f.arrays;
  for (const FrameArraySpec& s : declared_frame_arrays()) {
    if (s.time != ArrayTime::step) continue;
    const std::size_t n = s.axes[0] == ArrayAxis::stock ? 3 : 2;
    for (std::size_t i = 0; i < n; ++i) {
      const auto v = static_cast<std::int64_t>(1000 * (static_cast<int>(s.id) + 1) + 10 * f.step + static_cast<std::int64_t>(i));
      if (s.type == ArrayType::i32) a.i32(s.id).push_back(static_cast<std::int32_t>(v));
      else a.i64(s.id).push_back(v);
    }
  }
}

void fill_day_arrays(DayFrame& d) {
  FrameArrays& a = d.arrays;
  for (const FrameArraySpec& s : declared_frame_arrays()) {
    if (s.time != ArrayTime::day) continue;
    std::size_t n = 1;
    for (ArrayAxis x : s.axes) n *= x == ArrayAxis::stock ? 3 : x == ArrayAxis::agent ? 3 : 2;   // 2 classes, 2 slots
    for (std::size_t i = 0; i < n; ++i) {
      const auto v = static_cast<std::int64_t>(100 * d.day + static_cast<std::int64_t>(i));
      if (s.type == ArrayType::f64) a.f64(s.id).push_back(0.5 + static_cast<double>(v));
      else a.i64(s.id).push_back(v);
    }
  }
}

std::string path_of(F a) { return "/" + spec_of(a).group + "/" + spec_of(a).name; }

hsize_t storage_of(hid_t file, const std::string& path) {
  H5Closer ds{must(H5Dopen2(file, path.c_str(), H5P_DEFAULT), path), H5Dclose};
  return H5Dget_storage_size(ds.id);
}

}  // namespace

TEST_CASE("declared frame arrays: every one written, recorded stocks only, the rest at the fill value", "[record][frame_arrays]") {
  const auto path = temp_dir() / "frame_arrays.h5";
  RunHeader h = sample_header();
  h.liquidity_recorded = {1, 0, 1};   // the middle stock's liquidity is not recorded
  h.futures_tick_points = 0.2;
  {
    RunLog log(path, h);
    for (DayIndex day = 0; day < 2; ++day) {
      for (int i = 0; i < 5; ++i) {
        StepFrame f = sample_step(day * 5 + i);
        if (!(day == 1 && i == 4)) fill_step_arrays(f);   // the last step gives none: it reads as fill
        log.write_step(std::move(f));
      }
      DayFrame d = sample_day(day);
      fill_day_arrays(d);
      log.write_day(std::move(d));
    }
    log.finish(1.0);
  }
  H5Closer file{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open"), H5Fclose};
  for (const FrameArraySpec& s : declared_frame_arrays()) {
    INFO(path_of(s.id));
    const std::vector<hsize_t> shape = shape_of(file.id, path_of(s.id));
    REQUIRE(shape[0] == (s.time == ArrayTime::step ? 10u : 2u));
  }
  const std::vector<std::int32_t> bid = read_int32(file.id, path_of(F::stock_best_bid));   // [10 steps, 3 stocks]
  const int id = static_cast<int>(F::stock_best_bid) + 1;
  CHECK(bid[0] == 1000 * id + 0);
  CHECK(bid[1] == -1);                       // not recorded
  CHECK(bid[2] == 1000 * id + 2);
  CHECK(bid[3 * 3 + 2] == 1000 * id + 30 + 2);
  CHECK(bid[9 * 3 + 0] == -1);               // a step without values
  const std::vector<std::int64_t> queue = read_int64(file.id, path_of(F::futures_limit_down_queue));   // [10, 2]
  CHECK(queue[2 * 2 + 1] == 1000 * (static_cast<int>(F::futures_limit_down_queue) + 1) + 20 + 1);
  const std::vector<std::int64_t> held = read_int64(file.id, path_of(F::class_holdings));   // [2 days, 2 classes, 3 stocks]
  REQUIRE(held.size() == 12);
  CHECK(held[6 + 5] == 100 + 5);
  const std::vector<double> per_unit = read_doubles(file.id, path_of(F::agent_nav_per_unit));
  CHECK(per_unit == std::vector<double>{0.5, 1.5, 2.5, 100.5, 101.5, 102.5});
  CHECK(read_uint8(file.id, "/market/stocks/liquidity_recorded") == std::vector<std::uint8_t>{1, 0, 1});
  {
    H5Closer ds{must(H5Dopen2(file.id, path_of(F::futures_best_bid).c_str(), H5P_DEFAULT), "futures best_bid"), H5Dclose};
    double tick = 0;
    H5Closer attr{must(H5Aopen(ds.id, "tick_size", H5P_DEFAULT), "tick_size"), H5Aclose};
    H5Aread(attr.id, H5T_NATIVE_DOUBLE, &tick);
    CHECK(tick == 0.2);
    CHECK(read_string_attribute(ds.id, "tick_units") == "points");
    CHECK(read_string_attribute(ds.id, "units") == "tick");
  }
  // New groups carry their own coordinates.
  CHECK(read_strings(file.id, "/agents/stocks/stock") == h.stocks.names);
  CHECK(read_strings(file.id, "/agents/futures/futures_slot") == h.futures_slots);
  CHECK(read_int32(file.id, "/agents/stocks/day") == std::vector<std::int32_t>{0, 1});
}

TEST_CASE("no stock recorded: the liquidity arrays are there, read as fill and take no disk space", "[record][frame_arrays]") {
  const auto path = temp_dir() / "frame_arrays_off.h5";
  RunHeader h = sample_header();
  h.liquidity_recorded = {0, 0, 0};
  {
    RunLog log(path, h);
    for (int i = 0; i < 5; ++i) {
      StepFrame f = sample_step(i);
      fill_step_arrays(f);
      for (const FrameArraySpec& s : declared_frame_arrays())   // what the engine sends: no stock values
        if (s.recorded == ArrayRecorded::liquidity_stocks) (s.type == ArrayType::i32 ? f.arrays.i32(s.id).clear() : f.arrays.i64(s.id).clear());
      log.write_step(std::move(f));
    }
    log.write_day(sample_day(0));   // no day arrays: they read as fill (0, NaN)
    log.finish(1.0);
  }
  H5Closer file{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open"), H5Fclose};
  CHECK(shape_of(file.id, path_of(F::stock_limit_down_queue)) == std::vector<hsize_t>{5, 3});
  CHECK(storage_of(file.id, path_of(F::stock_limit_down_queue)) == 0);
  CHECK(read_int64(file.id, path_of(F::stock_limit_down_queue)) == std::vector<std::int64_t>(15, -1));
  CHECK(storage_of(file.id, path_of(F::futures_best_ask)) > 0);
  CHECK(read_int64(file.id, path_of(F::class_sold_forced)) == std::vector<std::int64_t>(6, 0));
  const std::vector<double> per_unit = read_doubles(file.id, path_of(F::agent_nav_per_unit));
  CHECK(per_unit.size() == 3);
  CHECK(std::isnan(per_unit[0]));
}

TEST_CASE("a frame array of the wrong shape or time axis is refused", "[record][frame_arrays]") {
  RunLog log(temp_dir() / "frame_arrays_bad.h5", sample_header());
  StepFrame f = sample_step(0);
  f.arrays.i32(F::stock_best_bid) = {1, 2};   // 3 stocks
  CHECK_THROWS_WITH(log.write_step(f), Catch::Contains("market/stocks/best_bid has 2 entries, expected 3"));
  StepFrame g = sample_step(0);
  g.arrays.i64(F::class_holdings) = std::vector<std::int64_t>(6, 0);
  CHECK_THROWS_WITH(log.write_step(g), Catch::Contains("is a day array"));
  CHECK_THROWS_AS(f.arrays.i64(F::stock_best_bid), std::logic_error);   // declared int32
  log.close();
}
