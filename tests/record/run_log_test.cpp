#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <set>

#include "tests/record/run_log_fixture.hpp"

using namespace stampede;
using namespace stampede::test;

namespace {

struct EventOut {  // packed, as read back
  std::int64_t step;
  std::int32_t day;
  std::int32_t agent_id;
  char agent_class[kEventClassBytes];
  std::int32_t instrument;
  std::int64_t quantity;
  double price;
  char reason[kEventReasonBytes];
};

std::vector<EventOut> read_events(hid_t file, const std::string& path) {
  H5Closer ds{must(H5Dopen2(file, path.c_str(), H5P_DEFAULT), path), H5Dclose};
  H5Closer sp{must(H5Dget_space(ds.id), path), H5Sclose};
  H5Closer t{H5Tcreate(H5T_COMPOUND, sizeof(EventOut)), H5Tclose};
  H5Closer cls{H5Tcopy(H5T_C_S1), H5Tclose}, why{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(cls.id, kEventClassBytes);
  H5Tset_strpad(cls.id, H5T_STR_NULLPAD);
  H5Tset_cset(cls.id, H5T_CSET_UTF8);
  H5Tset_size(why.id, kEventReasonBytes);
  H5Tset_strpad(why.id, H5T_STR_NULLPAD);
  H5Tset_cset(why.id, H5T_CSET_UTF8);
  H5Tinsert(t.id, "step", offsetof(EventOut, step), H5T_NATIVE_INT64);
  H5Tinsert(t.id, "day", offsetof(EventOut, day), H5T_NATIVE_INT32);
  H5Tinsert(t.id, "agent_id", offsetof(EventOut, agent_id), H5T_NATIVE_INT32);
  H5Tinsert(t.id, "agent_class", offsetof(EventOut, agent_class), cls.id);
  H5Tinsert(t.id, "instrument", offsetof(EventOut, instrument), H5T_NATIVE_INT32);
  H5Tinsert(t.id, "quantity", offsetof(EventOut, quantity), H5T_NATIVE_INT64);
  H5Tinsert(t.id, "price", offsetof(EventOut, price), H5T_NATIVE_DOUBLE);
  H5Tinsert(t.id, "reason", offsetof(EventOut, reason), why.id);
  std::vector<EventOut> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(sp.id)));
  if (!out.empty()) must(H5Dread(ds.id, t.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + path);
  return out;
}

std::string field(const char* p, std::size_t n) { return std::string(p, strnlen(p, n)); }

bool attached(hid_t file, const std::string& ds_path, const std::string& scale_path, unsigned idx) {
  H5Closer ds{must(H5Dopen2(file, ds_path.c_str(), H5P_DEFAULT), ds_path), H5Dclose};
  H5Closer sc{must(H5Dopen2(file, scale_path.c_str(), H5P_DEFAULT), scale_path), H5Dclose};
  return H5DSis_attached(ds.id, sc.id, idx) > 0;
}

// Every dataset in the file, by path.
std::vector<std::string> all_datasets(hid_t file) {
  std::vector<std::string> out;
  H5Ovisit(
      file, H5_INDEX_NAME, H5_ITER_NATIVE,
      [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(data)->push_back(std::string("/") + name);
        return 0;
      },
      &out);
  return out;
}

// A group's copy of a coordinate holds the same values as the root's.
bool read_strings_or_ints_equal(hid_t file, const std::string& a, const std::string& b) {
  H5Closer ds{must(H5Dopen2(file, a.c_str(), H5P_DEFAULT), a), H5Dclose};
  H5Closer t{must(H5Dget_type(ds.id), a), H5Tclose};
  if (H5Tget_class(t.id) == H5T_STRING) return read_strings(file, a) == read_strings(file, b);
  return read_int64(file, a) == read_int64(file, b);
}

std::filesystem::path fresh(const std::string& name) {
  auto p = temp_dir() / name;
  std::filesystem::remove(p);
  return p;
}

}  // namespace

TEST_CASE("run log round trip: attributes, coordinates, market data, events", "[record]") {
  const auto path = fresh("roundtrip.h5");
  {
    RunLog log(path, sample_header());
    write_sample_run(log);
    log.set_attribute("final_microcap_drawdown", -0.31);
    log.finish(12.5);
  }
  H5Closer f{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path.string()), H5Fclose};
  const hid_t file = f.id;

  SECTION("root attributes") {
    CHECK(read_string_attribute(file, "schema") == "stampede-run/2");
    CHECK(read_string_attribute(file, "Conventions") == "CF-1.8");
    {
      H5Closer a{H5Aopen(file, "seed_text", H5P_DEFAULT), H5Aclose};
      H5Closer t{H5Aget_type(a.id), H5Tclose};
      CHECK(H5Tis_variable_str(t.id) == 0);   // fixed length: Octave's netCDF package reads it
      std::string text(H5Tget_size(t.id), '\0');
      must(H5Aread(a.id, t.id, text.data()), "read seed_text");
      CHECK(text == "18446744073709551557");
    }
    CHECK(!read_string_attribute(file, "version").empty());
    CHECK(!read_string_attribute(file, "git_sha").empty());
    CHECK(read_attribute<std::uint64_t>(file, "seed", H5T_NATIVE_UINT64) == 18446744073709551557ULL);
    CHECK(read_attribute<std::int32_t>(file, "threads", H5T_NATIVE_INT32) == 4);
    CHECK(read_string_attribute(file, "scenario") == "tiny");
    CHECK(read_attribute<std::int32_t>(file, "complete", H5T_NATIVE_INT32) == 1);
    CHECK(read_attribute<double>(file, "wall_time_seconds", H5T_NATIVE_DOUBLE) == 12.5);
    CHECK(read_attribute<double>(file, "final_microcap_drawdown", H5T_NATIVE_DOUBLE) == -0.31);
    CHECK(read_attribute<std::int32_t>(file, "steps_per_day", H5T_NATIVE_INT32) == 5);
    CHECK(read_attribute<std::int32_t>(file, "invariants_checked", H5T_NATIVE_INT32) == 0);
    const std::string created = read_string_attribute(file, "created_utc");
    CHECK(created.size() == 20);
    CHECK(created.back() == 'Z');
  }

  SECTION("meta holds the scenario text") {
    CHECK(read_strings(file, "/meta/scenario_toml") == std::vector<std::string>{sample_header().scenario_toml});
    CHECK(read_strings(file, "/meta/scenario_resolved") == std::vector<std::string>{sample_header().scenario_resolved});
  }

  SECTION("coordinates") {
    CHECK(read_int64(file, "/step") == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK(read_int32(file, "/day") == std::vector<std::int32_t>{0, 1});
    CHECK(read_strings(file, "/date") == std::vector<std::string>{"2024-01-02", "2024-01-03"});
    CHECK(read_int32(file, "/day_of_step") == std::vector<std::int32_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
    CHECK(read_strings(file, "/stock") == sample_header().stocks.names);
    CHECK(read_strings(file, "/futures_slot") == std::vector<std::string>{"front", "next"});
    CHECK(read_int32(file, "/intraday_step") == std::vector<std::int32_t>{0, 1, 2, 3, 4});
    CHECK(read_int32(file, "/step_minute") == sample_header().step_minute);
    CHECK(read_uint8(file, "/step_phase") == sample_header().step_phase);
  }

  SECTION("stocks") {
    CHECK(read_uint8(file, "/market/stocks/segment") == std::vector<std::uint8_t>{0, 1, 2});
    CHECK(read_int64(file, "/market/stocks/shares_outstanding") == sample_header().stocks.shares_outstanding);
    CHECK(read_doubles(file, "/market/stocks/index_weight") == sample_header().stocks.index_weight);
    CHECK(read_doubles(file, "/market/stocks/limit_pct") == sample_header().stocks.limit_pct);
    {
      H5Closer seg{H5Dopen2(file, "/market/stocks/segment", H5P_DEFAULT), H5Dclose};
      CHECK(read_string_attribute(seg.id, "flag_meanings") == "microcap constituent large_cap");
    }
    CHECK(shape_of(file, "/market/stocks/last_price") == std::vector<hsize_t>{10, 3});
    const auto lp = read_doubles(file, "/market/stocks/last_price");
    for (int step = 0; step < 10; ++step)
      for (int s = 0; s < 3; ++s) CHECK(lp[static_cast<std::size_t>(step * 3 + s)] == sample_price(step, s));
    for (const char* name : {"open", "high", "low", "close", "turnover", "volume", "limit_up", "limit_down", "value"})
      CHECK(shape_of(file, std::string("/market/stocks/") + name) == std::vector<hsize_t>{2, 3});
    CHECK(read_doubles(file, "/market/stocks/close") == std::vector<double>{10.5, 11.5, 12.5, 11.5, 12.5, 13.5});
    CHECK(read_doubles(file, "/market/stocks/open") == std::vector<double>{10, 11, 12, 11, 12, 13});
    CHECK(read_int64(file, "/market/stocks/volume") == std::vector<std::int64_t>{100000, 200000, 300000, 100001, 200001, 300001});
    CHECK(read_uint8(file, "/market/stocks/limit_up") == std::vector<std::uint8_t>{0, 0, 0, 0, 0, 1});
    CHECK(read_uint8(file, "/market/stocks/limit_down") == std::vector<std::uint8_t>{0, 0, 0, 1, 0, 0});
    CHECK(read_doubles(file, "/market/stocks/value") == std::vector<double>{10.25, 11.25, 12.25, 10.75, 11.75, 12.75});
  }

  SECTION("index and futures") {
    const auto hedged = read_doubles(file, "/market/index/hedged");
    REQUIRE(hedged.size() == 10);
    CHECK(hedged[7] == 5007.0);
    CHECK(read_doubles(file, "/market/index/microcap")[9] == 1991.0);
    CHECK(read_doubles(file, "/market/index/hedged_close") == std::vector<double>{5004, 5009});
    CHECK(read_doubles(file, "/market/index/microcap_close") == std::vector<double>{1996, 1991});
    CHECK(shape_of(file, "/market/futures/price") == std::vector<hsize_t>{10, 2});
    const auto price = read_doubles(file, "/market/futures/price");
    CHECK(price[2 * 6 + 0] == 4996.0);
    CHECK(price[2 * 6 + 1] == 4986.0);
    CHECK(read_doubles(file, "/market/futures/basis")[3] == -20.0);
    CHECK(read_doubles(file, "/market/futures/basis_annualised")[0] == -0.12);
    CHECK(read_int64(file, "/market/futures/volume")[2 * 4] == 40);
    CHECK(read_int64(file, "/market/futures/open_interest")[2 * 9 + 1] == 509);
    CHECK(read_strings(file, "/market/futures/code") == std::vector<std::string>{"IM2401", "IM2402", "IM2402", "IM2403"});
    CHECK(read_doubles(file, "/market/futures/settlement") == std::vector<double>{4995, 4985, 4996, 4986});
  }

  SECTION("events round trip, one dataset per kind") {
    const auto trades = read_events(file, "/events/trades");
    REQUIRE(trades.size() == 20);
    CHECK(trades[6].step == 3);
    CHECK(trades[6].day == 0);
    CHECK(trades[6].agent_id == 7);
    CHECK(field(trades[6].agent_class, kEventClassBytes) == "retail");
    CHECK(trades[6].instrument == 1);
    CHECK(trades[6].quantity == 400);
    CHECK(trades[6].price == sample_price(3, 1));
    CHECK(field(trades[6].reason, kEventReasonBytes) == "momentum");
    CHECK(field(trades[19].agent_class, kEventClassBytes) == "quant_fund");
    CHECK(field(trades[19].reason, kEventReasonBytes).empty());
    // the same rows field by field, for netCDF-C and Octave (no compound types there)
    CHECK(read_int64(file, "/event_columns/trades/step").size() == 20);
    CHECK(read_int64(file, "/event_columns/trades/step")[6] == 3);
    CHECK(read_int64(file, "/event_columns/trades/quantity")[6] == 400);
    CHECK(read_doubles(file, "/event_columns/trades/price")[6] == sample_price(3, 1));
    CHECK(shape_of(file, "/event_columns/trades/reason") == std::vector<hsize_t>{20, kEventReasonBytes});
    CHECK(attached(file, "/event_columns/trades/reason", "/trades_row", 0));
    CHECK(shape_of(file, "/event_columns/knock_ins/price") == std::vector<hsize_t>{0});
    const auto calls = read_events(file, "/events/margin_calls");
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].quantity == -5000);
    CHECK(field(calls[0].reason, kEventReasonBytes) == "knock-in: 中证1000 below 80%");
  }

  SECTION("agent coordinates") {
    CHECK(read_strings(file, "/agent_class") == std::vector<std::string>{"retail", "quant fund"});
    CHECK(read_strings(file, "/agent") == std::vector<std::string>{"quant_0", "quant_1", "retail_big"});
    CHECK(read_strings(file, "/segment") == std::vector<std::string>{"microcap", "constituent", "large_cap"});
    CHECK(read_int32(file, "/agents/daily/agent_class") == std::vector<std::int32_t>{1, 1, 0});
    CHECK(read_int32(file, "/agents/daily/agent_id") == std::vector<std::int32_t>{17, 18, 3});
    H5Closer cls{must(H5Dopen2(file, "/agents/daily/agent_class", H5P_DEFAULT), "agent_class"), H5Dclose};
    CHECK(read_string_attribute(cls.id, "flag_meanings") == "retail quant_fund");
    H5Closer st{must(H5Dopen2(file, "/agents/daily/state", H5P_DEFAULT), "state"), H5Dclose};
    CHECK(read_string_attribute(st.id, "flag_meanings") == "normal margin_call liquidating");
    H5Closer fv{must(H5Aopen(st.id, "flag_values", H5P_DEFAULT), "flag_values"), H5Aclose};
    H5Closer fvt{H5Aget_type(fv.id), H5Tclose};
    CHECK(H5Tequal(fvt.id, H5T_STD_I32LE) > 0);   // same type as the dataset (CF)
    std::int32_t values[3] = {};
    H5Aread(fv.id, H5T_NATIVE_INT32, values);
    CHECK(values[2] == 2);
  }

  SECTION("agent classes per step") {
    for (const char* name : {"nav", "equity", "gross_long", "futures_notional", "cash", "leverage", "accounts",
                             "in_margin_call", "liquidating"})
      CHECK(shape_of(file, std::string("/agents/classes/") + name) == std::vector<hsize_t>{10, 2});
    std::vector<double> nav, equity, gross, fut, cash, lev;
    std::vector<std::int64_t> accounts, calls, liq;
    for (int step = 0; step < 10; ++step)
      for (const ClassStepRow& r : sample_step(step).classes) {
        nav.push_back(r.nav);
        equity.push_back(r.equity);
        gross.push_back(r.gross_long);
        fut.push_back(r.futures_notional);
        cash.push_back(r.cash);
        lev.push_back(r.leverage);
        accounts.push_back(r.accounts);
        calls.push_back(r.in_margin_call);
        liq.push_back(r.liquidating);
      }
    CHECK(read_doubles(file, "/agents/classes/nav") == nav);
    CHECK(read_doubles(file, "/agents/classes/equity") == equity);
    CHECK(read_doubles(file, "/agents/classes/gross_long") == gross);
    CHECK(read_doubles(file, "/agents/classes/futures_notional") == fut);
    CHECK(read_doubles(file, "/agents/classes/cash") == cash);
    const auto got_lev = read_doubles(file, "/agents/classes/leverage");
    REQUIRE(got_lev.size() == lev.size());
    for (std::size_t i = 0; i < lev.size(); ++i) {
      INFO(i);
      CHECK((std::isnan(lev[i]) ? std::isnan(got_lev[i]) : got_lev[i] == lev[i]));
    }
    CHECK(std::isnan(got_lev[3 * 2 + 1]));
    CHECK(read_int64(file, "/agents/classes/accounts") == accounts);
    CHECK(read_int64(file, "/agents/classes/in_margin_call") == calls);
    CHECK(read_int64(file, "/agents/classes/liquidating") == liq);
  }

  SECTION("agents per day") {
    for (const char* name : {"nav", "equity", "leverage", "state"})
      CHECK(shape_of(file, std::string("/agents/daily/") + name) == std::vector<hsize_t>{2, 3});
    CHECK(read_doubles(file, "/agents/daily/nav") == std::vector<double>{1000, 2000, 3000, 1001, 2001, 3001});
    CHECK(read_doubles(file, "/agents/daily/equity") == std::vector<double>{900, 1800, 2700, 901, 1801, 2701});
    const auto lev = read_doubles(file, "/agents/daily/leverage");
    REQUIRE(lev.size() == 6);
    CHECK(lev[0] == 1.5);
    CHECK(lev[4] == 2.5);
    CHECK(std::isnan(lev[5]));
    CHECK(read_int32(file, "/agents/daily/state") == std::vector<std::int32_t>{0, 1, 2, 1, 2, 0});
  }

  SECTION("flows per day, class and segment") {
    for (const char* name : {"sell_forced", "sell_voluntary", "sell_aggressive", "buy"})
      CHECK(shape_of(file, std::string("/agents/flows/") + name) == std::vector<hsize_t>{2, 2, 3});
    const auto forced = read_doubles(file, "/agents/flows/sell_forced");
    const auto voluntary = read_doubles(file, "/agents/flows/sell_voluntary");
    const auto aggressive = read_doubles(file, "/agents/flows/sell_aggressive");
    const auto buy = read_doubles(file, "/agents/flows/buy");
    REQUIRE(forced.size() == 12);
    for (int day = 0; day < 2; ++day)
      for (int c = 0; c < 2; ++c)
        for (int g = 0; g < 3; ++g) {
          const std::size_t i = static_cast<std::size_t>((day * 2 + c) * 3 + g);  // row-major [day, class, segment]
          const FlowRow r = sample_flow(day, c, g);
          CHECK(forced[i] == r.sell_forced);
          CHECK(voluntary[i] == r.sell_voluntary);
          CHECK(aggressive[i] == r.sell_aggressive);
          CHECK(buy[i] == r.buy);
        }
  }

  SECTION("dimension scales are set and attached to every dimension that uses them") {
    for (const char* scale : {"/step", "/day", "/stock", "/futures_slot", "/intraday_step", "/agent_class", "/agent", "/segment"}) {
      H5Closer ds{must(H5Dopen2(file, scale, H5P_DEFAULT), scale), H5Dclose};
      CHECK(H5DSis_scale(ds.id) > 0);
    }
    const std::map<std::string, std::vector<std::string>> dims = {
        {"/date", {"/day"}},
        {"/day_of_step", {"/step"}},
        {"/step_minute", {"/intraday_step"}},
        {"/step_phase", {"/intraday_step"}},
        {"/market/stocks/segment", {"/stock"}},
        {"/market/stocks/shares_outstanding", {"/stock"}},
        {"/market/stocks/index_weight", {"/stock"}},
        {"/market/stocks/limit_pct", {"/stock"}},
        {"/market/stocks/open", {"/day", "/stock"}},
        {"/market/stocks/high", {"/day", "/stock"}},
        {"/market/stocks/low", {"/day", "/stock"}},
        {"/market/stocks/close", {"/day", "/stock"}},
        {"/market/stocks/volume", {"/day", "/stock"}},
        {"/market/stocks/turnover", {"/day", "/stock"}},
        {"/market/stocks/limit_up", {"/day", "/stock"}},
        {"/market/stocks/limit_down", {"/day", "/stock"}},
        {"/market/stocks/value", {"/day", "/stock"}},
        {"/market/stocks/last_price", {"/step", "/stock"}},
        {"/market/index/hedged", {"/step"}},
        {"/market/index/microcap", {"/step"}},
        {"/market/index/hedged_close", {"/day"}},
        {"/state_fingerprint", {"/day"}},
        {"/market/index/microcap_close", {"/day"}},
        {"/market/futures/price", {"/step", "/futures_slot"}},
        {"/market/futures/basis", {"/step", "/futures_slot"}},
        {"/market/futures/basis_annualised", {"/step", "/futures_slot"}},
        {"/market/futures/volume", {"/step", "/futures_slot"}},
        {"/market/futures/open_interest", {"/step", "/futures_slot"}},
        {"/market/futures/code", {"/day", "/futures_slot"}},
        {"/market/futures/settlement", {"/day", "/futures_slot"}},
        {"/market/futures/expiry", {"/day", "/futures_slot"}},
        {"/market/futures/main_slot", {"/day"}},
        {"/agents/daily/agent_class", {"/agent"}},
        {"/agents/daily/agent_id", {"/agent"}},
        {"/agents/daily/nav", {"/day", "/agent"}},
        {"/agents/daily/equity", {"/day", "/agent"}},
        {"/agents/daily/leverage", {"/day", "/agent"}},
        {"/agents/daily/state", {"/day", "/agent"}},
        {"/agents/flows/sell_forced", {"/day", "/agent_class", "/segment"}},
        {"/agents/flows/sell_voluntary", {"/day", "/agent_class", "/segment"}},
        {"/agents/flows/sell_aggressive", {"/day", "/agent_class", "/segment"}},
        {"/agents/flows/buy", {"/day", "/agent_class", "/segment"}},
        {"/market/driver/date", {"/market/driver/driver_day"}},
        {"/market/driver/close", {"/market/driver/driver_day"}},
        {"/market/driver/log_return", {"/market/driver/driver_day"}},
    };
    std::map<std::string, std::vector<std::string>> all = dims;
    for (const char* name : {"nav", "equity", "gross_long", "futures_notional", "cash", "leverage", "accounts",
                             "in_margin_call", "liquidating"})
      all[std::string("/agents/classes/") + name] = {"/step", "/agent_class"};
    // the declared frame arrays (frame_arrays.def), each on its own axes
    all["/market/stocks/liquidity_recorded"] = {"/stock"};
    for (const FrameArraySpec& a : declared_frame_arrays()) {
      std::vector<std::string> scales{a.time == ArrayTime::step ? "/step" : "/day"};
      for (ArrayAxis x : a.axes) scales.push_back(std::string("/") + to_string(x));
      all["/" + a.group + "/" + a.name] = scales;
    }
    // Each dataset's axes are attached to the scales of its own group (a copy of the root's, so
    // netCDF readers find the coordinates in the group they open).
    auto group_of = [](const std::string& path) { return path.substr(0, path.rfind('/')); };
    for (const auto& [ds, scales] : all)
      for (unsigned i = 0; i < scales.size(); ++i) {
        const std::string scale = scales[i].rfind("/market/driver/", 0) == 0 ? scales[i] : group_of(ds) + scales[i];
        INFO(ds << " dim " << i << " <- " << scale);
        CHECK(attached(file, ds, scale, i));
        if (scale != scales[i]) CHECK(read_strings_or_ints_equal(file, scale, scales[i]));
      }
    // Every array dataset is either a coordinate or listed above (events are checked below).
    const std::set<std::string> coordinates = {"step", "day", "stock", "futures_slot", "intraday_step", "agent_class",
                                               "agent", "segment", "driver_day", "date", "time", "day_of_step"};
    for (const std::string& ds : all_datasets(file)) {
      if (ds.rfind("/meta/", 0) == 0 || ds.rfind("/events/", 0) == 0 || ds.rfind("/event_columns/", 0) == 0) continue;
      if (coordinates.count(ds.substr(ds.rfind('/') + 1)) > 0 && ds != "/date" && ds != "/day_of_step") continue;
      auto ends_with = [&](const std::string& tail) {
        return ds.size() > tail.size() && ds.compare(ds.size() - tail.size(), tail.size(), tail) == 0;
      };
      if (ends_with("_row") || ends_with("_strlen")) continue;   // dimensions without coordinate variables
      if (ends_with("_chars")) continue;                          // text coordinates as characters, below
      INFO(ds);
      CHECK(all.count(ds) == 1);
    }
    // text coordinates also as NUL-padded characters [n, <name>_strlen] (Octave reads no strings)
    {
      H5Closer ds{must(H5Dopen2(file, "/stock_chars", H5P_DEFAULT), "/stock_chars"), H5Dclose};
      CHECK(shape_of(file, "/stock_chars") == std::vector<hsize_t>{3, 7});
      std::vector<char> chars(21);
      H5Closer t{H5Dget_type(ds.id), H5Tclose};
      must(H5Dread(ds.id, t.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, chars.data()), "read /stock_chars");
      CHECK(std::string(chars.data() + 14, 7) == "S300003");
      CHECK(attached(file, "/stock_chars", "/stock", 0));
      CHECK(attached(file, "/stock_chars", "/stock_strlen", 1));
      CHECK(shape_of(file, "/agent_class_chars") == std::vector<hsize_t>{2, 10});   // "quant fund"
    }
    // each event table on its own netCDF dimension <kind>_row, a scale without a coordinate variable
    for (const char* kind : {"trades", "margin_calls", "knock_ins"}) {
      const std::string table = std::string("/events/") + kind;
      INFO(table);
      CHECK(attached(file, table, std::string("/") + kind + "_row", 0));
      CHECK(shape_of(file, std::string("/") + kind + "_row") == shape_of(file, table));
    }
  }

  SECTION("every dataset has units and long_name") {
    for (const std::string& path : all_datasets(file)) {
      H5Closer ds{must(H5Dopen2(file, path.c_str(), H5P_DEFAULT), path), H5Dclose};
      INFO(path);
      CHECK(has_attribute(ds.id, "units"));
      CHECK(has_attribute(ds.id, "long_name"));
      CHECK(!read_string_attribute(ds.id, "long_name").empty());
    }
  }
}

TEST_CASE("run log destroyed without finish stays incomplete but keeps written days", "[record]") {
  const auto path = fresh("aborted.h5");
  {
    RunLog log(path, sample_header());
    write_sample_run(log, 1);
    log.write_step(sample_step(5));  // a step of an unfinished day
  }
  CHECK(complete_flag(path) == 0);
  H5Closer f{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path.string()), H5Fclose};
  CHECK(std::isnan(read_attribute<double>(f.id, "wall_time_seconds", H5T_NATIVE_DOUBLE)));
  CHECK(read_int32(f.id, "/day") == std::vector<std::int32_t>{0});
  CHECK(shape_of(f.id, "/market/stocks/close") == std::vector<hsize_t>{1, 3});
  CHECK(shape_of(f.id, "/market/stocks/last_price") == std::vector<hsize_t>{6, 3});
  CHECK(read_events(f.id, "/events/trades").size() == 10);
  // declared tables exist from the start, empty until such an event happens
  CHECK(shape_of(f.id, "/events/margin_calls") == std::vector<hsize_t>{0});
  CHECK(shape_of(f.id, "/events/knock_ins") == std::vector<hsize_t>{0});
}

TEST_CASE("run log without step prices: last_price present, all NaN, nothing stored", "[record]") {
  const auto path = fresh("no_step_prices.h5");
  {
    RunLog log(path, sample_header(false));
    StepFrame f = sample_step(0);
    f.last_price.clear();  // ignored anyway
    log.write_step(f);
    log.write_step(sample_step(1));
    log.write_day(sample_day(0));
    log.finish(1.0);
  }
  H5Closer f{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path.string()), H5Fclose};
  // the same layout as every log: the dataset is there, grows with the steps, reads as NaN
  CHECK(shape_of(f.id, "/market/stocks/last_price") == std::vector<hsize_t>{2, 3});
  for (double x : read_doubles(f.id, "/market/stocks/last_price")) CHECK(std::isnan(x));
  {
    H5Closer ds{must(H5Dopen2(f.id, "/market/stocks/last_price", H5P_DEFAULT), "last_price"), H5Dclose};
    CHECK(H5Dget_storage_size(ds.id) == 0);
  }
  CHECK(read_int64(f.id, "/step") == std::vector<std::int64_t>{0, 1});
  CHECK(read_attribute<std::int32_t>(f.id, "record_step_prices", H5T_NATIVE_INT32) == 0);
  CHECK(read_attribute<std::int32_t>(f.id, "complete", H5T_NATIVE_INT32) == 1);
}

TEST_CASE("run log creates missing parent directories and truncates an old file", "[record]") {
  const auto dir = temp_dir() / "nested" / "a" / "b";
  std::filesystem::remove_all(temp_dir() / "nested");
  const auto path = dir / "run.h5";
  {
    RunLog log(path, sample_header());
    write_sample_run(log);
    log.finish(2.0);
  }
  {
    RunLog log(path, sample_header());
    log.write_step(sample_step(0));
    log.finish(3.0);
  }
  H5Closer f{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path.string()), H5Fclose};
  CHECK(read_int64(f.id, "/step") == std::vector<std::int64_t>{0});
  CHECK(shape_of(f.id, "/day") == std::vector<hsize_t>{0});
}

TEST_CASE("two run logs can be written at the same time", "[record]") {
  const auto a = fresh("parallel_a.h5"), b = fresh("parallel_b.h5");
  {
    RunLog la(a, sample_header()), lb(b, sample_header(false));
    write_sample_run(la);
    write_sample_run(lb);
    la.finish(1.0);
  }
  CHECK(complete_flag(a) == 1);
  CHECK(complete_flag(b) == 0);
}

TEST_CASE("sample run log for check_run_log.py", "[record]") {
  // Left in the build tree: python3 tests/record/check_run_log.py <build>/record_sample_run.h5 --extra-event-kind trades
  const std::filesystem::path path = std::filesystem::path(STAMPEDE_BINARY_DIR) / "record_sample_run.h5";
  RunLog log(path, sample_header());
  write_sample_run(log);
  log.set_attribute("peak_basis_points", -20.0);
  log.finish(0.25);
  CHECK(complete_flag(path) == 1);
}

TEST_CASE("run log with no stocks, no futures slots and no intraday schedule", "[record]") {
  const auto path = fresh("empty_universe.h5");
  RunHeader h;
  h.scenario_name = "empty";
  h.event_kinds = {{"nothing", "a kind that never happens"}};
  {
    RunLog log(path, h);
    StepFrame f;   // by name: a positional initializer would shift silently when StepFrame gains a member
    f.step = 0;
    f.day = 0;
    f.hedged_index = 1.0;
    f.microcap_index = 2.0;
    log.write_step(f);
    f.step = 1;
    log.write_step(f);
    DayFrame d;
    d.day = 0;
    d.date = "2024-01-02";
    d.hedged_close = 3.0;
    d.microcap_close = 4.0;
    log.write_day(d);
    log.write_events("nothing", {});
    log.finish(0.5);
  }
  H5Closer f{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path.string()), H5Fclose};
  CHECK(shape_of(f.id, "/market/stocks/last_price") == std::vector<hsize_t>{2, 0});
  CHECK(shape_of(f.id, "/market/futures/code") == std::vector<hsize_t>{1, 0});
  CHECK(shape_of(f.id, "/stock") == std::vector<hsize_t>{0});
  CHECK(shape_of(f.id, "/intraday_step") == std::vector<hsize_t>{0});
  CHECK(read_doubles(f.id, "/market/index/microcap") == std::vector<double>{2.0, 2.0});
  CHECK(shape_of(f.id, "/events/nothing") == std::vector<hsize_t>{0});
  CHECK(read_attribute<std::int32_t>(f.id, "complete", H5T_NATIVE_INT32) == 1);
  // no agent classes, no daily agents, no segments: zero-length dimensions, attached all the same
  for (const char* scale : {"/agent_class", "/agent", "/segment"}) CHECK(shape_of(f.id, scale) == std::vector<hsize_t>{0});
  CHECK(shape_of(f.id, "/agents/classes/nav") == std::vector<hsize_t>{2, 0});
  CHECK(shape_of(f.id, "/agents/classes/accounts") == std::vector<hsize_t>{2, 0});
  CHECK(shape_of(f.id, "/agents/daily/state") == std::vector<hsize_t>{1, 0});
  CHECK(shape_of(f.id, "/agents/daily/agent_id") == std::vector<hsize_t>{0});
  CHECK(shape_of(f.id, "/agents/flows/sell_forced") == std::vector<hsize_t>{1, 0, 0});
  CHECK(attached(f.id, "/agents/flows/buy", "/agents/flows/day", 0));
  CHECK(attached(f.id, "/agents/flows/buy", "/agents/flows/agent_class", 1));
  CHECK(attached(f.id, "/agents/flows/buy", "/agents/flows/segment", 2));
  CHECK(attached(f.id, "/agents/daily/nav", "/agents/daily/agent", 1));
}

TEST_CASE("run log with agent classes but no daily agents, and segments but no classes", "[record]") {
  SECTION("classes, no daily agents") {
    const auto path = fresh("classes_only.h5");
    RunHeader h = sample_header();
    h.daily_agent_names.clear();
    h.daily_agent_class.clear();
    h.daily_agent_id.clear();
    {
      RunLog log(path, h);
      for (int i = 0; i < 5; ++i) log.write_step(sample_step(i));
      DayFrame d = sample_day(0);
      d.agents.clear();
      log.write_day(d);
      log.finish(1.0);
    }
    H5Closer f{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path.string()), H5Fclose};
    CHECK(shape_of(f.id, "/agents/daily/nav") == std::vector<hsize_t>{1, 0});
    CHECK(shape_of(f.id, "/agents/classes/cash") == std::vector<hsize_t>{5, 2});
    CHECK(read_doubles(f.id, "/agents/flows/buy").size() == 6);
  }
  SECTION("segments, no classes") {
    const auto path = fresh("segments_only.h5");
    RunHeader h = sample_header();
    h.agent_classes.clear();
    h.daily_agent_names.clear();
    h.daily_agent_class.clear();
    h.daily_agent_id.clear();
    {
      RunLog log(path, h);
      StepFrame s = sample_step(0);
      s.classes.clear();
      log.write_step(s);
      DayFrame d = sample_day(0);
      d.agents.clear();
      d.flows.clear();
      log.write_day(d);
      log.finish(1.0);
    }
    H5Closer f{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path.string()), H5Fclose};
    CHECK(shape_of(f.id, "/agents/flows/sell_voluntary") == std::vector<hsize_t>{1, 0, 3});
    CHECK(read_strings(f.id, "/segment").size() == 3);
    CHECK(shape_of(f.id, "/agents/classes/leverage") == std::vector<hsize_t>{1, 0});
  }
}
