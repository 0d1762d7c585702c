#pragma once
// Shared by the run log tests: a small synthetic run and HDF5 C API readers.
#include <hdf5.h>
#include <hdf5_hl.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/record/run_log.hpp"

namespace stampede::test {

// 3 stocks, 2 futures slots, 5 steps a day, 2 agent classes, 3 daily agents, 3 segments.
inline RunHeader sample_header(bool record_step_prices = true) {
  RunHeader h;
  h.scenario_name = "tiny";
  h.scenario_toml = "name = \"tiny\"\n[market]\nstocks = 3\n";
  h.scenario_resolved = "name = \"tiny\"\nseed = 42\n[market]\nstocks = 3\nsteps_per_day = 5\n";
  h.seed = 18446744073709551557ULL;  // needs all 64 bits
  h.threads = 4;
  h.record_step_prices = record_step_prices;
  h.stocks.names = {"S000001", "S000002", "S300003"};
  h.stocks.segment = {0, 1, 2};
  h.stocks.shares_outstanding = {100'000'000, 2'000'000'000, 30'000'000'000};
  h.stocks.index_weight = {0.0, 1.0, 0.0};
  h.stocks.limit_pct = {10, 10, 20};
  h.futures_slots = {"front", "next"};
  h.steps_per_day = 5;
  h.step_minute = {555, 570, 630, 780, 897};
  h.step_phase = {0, 1, 1, 1, 2};
  h.segment_names = {"microcap", "constituent", "large_cap"};
  h.agent_classes = {"retail", "quant fund"};   // the space becomes '_' in flag_meanings
  h.daily_agent_names = {"quant_0", "quant_1", "retail_big"};
  h.daily_agent_class = {1, 1, 0};
  h.daily_agent_id = {17, 18, 3};
  h.agent_state_names = {"normal", "margin_call", "liquidating"};
  h.event_kinds.push_back({"trades", "trades (a kind only this fixture declares)"});
  return h;
}

inline double sample_price(StepIndex step, int stock) { return 10.0 + stock + 0.01 * static_cast<double>(step); }

inline StepFrame sample_step(StepIndex step, int steps_per_day = 5) {
  StepFrame f;
  f.step = step;
  f.day = static_cast<DayIndex>(step / steps_per_day);
  for (int s = 0; s < 3; ++s) f.last_price.push_back(sample_price(step, s));
  f.hedged_index = 5000.0 + static_cast<double>(step);
  f.microcap_index = 2000.0 - static_cast<double>(step);
  f.futures_price = {4990.0 + static_cast<double>(step), 4980.0 + static_cast<double>(step)};
  f.futures_basis = {-10.0, -20.0};
  f.futures_basis_annualised = {-0.12, -0.08};
  f.futures_volume = {step * 10, step * 3};
  f.futures_open_interest = {1000 + step, 500 + step};
  for (int c = 0; c < 2; ++c) {
    const double x = static_cast<double>(step) + 0.5 * c;
    ClassStepRow r;
    r.nav = 1e6 + x;
    r.equity = 2e6 + x;
    r.gross_long = 3e6 + x;
    r.futures_notional = -4e6 - x;
    r.cash = 5e5 + x;
    r.leverage = c == 1 && step == 3 ? std::numeric_limits<double>::quiet_NaN() : r.gross_long / r.equity;
    r.accounts = 100 * (c + 1);
    r.in_margin_call = step * (c + 1);
    r.liquidating = step + c;
    f.classes.push_back(r);
  }
  return f;
}

// Flow of class c in segment g on day `day`.
inline FlowRow sample_flow(DayIndex day, int c, int g) {
  const double base = 1e6 * (day + 1) + 1e4 * c + 100 * g;
  return FlowRow{base + 1, base + 2, base + 3, base + 4};
}

inline DayFrame sample_day(DayIndex day) {
  DayFrame d;
  d.day = day;
  d.date = day == 0 ? "2024-01-02" : "2024-01-03";
  for (int s = 0; s < 3; ++s) {
    d.open.push_back(10.0 + s + day);
    d.high.push_back(11.0 + s + day);
    d.low.push_back(9.0 + s + day);
    d.close.push_back(10.5 + s + day);
    d.turnover.push_back(1e6 * (s + 1) + day);
    d.volume.push_back(100'000 * (s + 1) + day);
    d.limit_up.push_back(s == 2 && day == 1 ? 1 : 0);
    d.limit_down.push_back(s == 0 && day == 1 ? 1 : 0);
    d.value.push_back(10.25 + s + 0.5 * day);
  }
  d.futures_code = day == 0 ? std::vector<std::string>{"IM2401", "IM2402"} : std::vector<std::string>{"IM2402", "IM2403"};
  d.futures_settlement = {4995.0 + day, 4985.0 + day};
  d.futures_expiry = day == 0 ? std::vector<std::string>{"2024-01-19", "2024-02-23"}
                              : std::vector<std::string>{"2024-02-23", "2024-03-15"};
  d.futures_main_slot = day;
  d.hedged_close = 5004.0 + 5 * day;
  d.microcap_close = 1996.0 - 5 * day;
  for (int a = 0; a < 3; ++a) {
    AgentDayRecord r;
    r.nav = 1000.0 * (a + 1) + day;
    r.equity = 900.0 * (a + 1) + day;
    if (!(a == 2 && day == 1)) r.leverage = 1.5 + a;   // agent 2 on day 1 keeps the NaN default
    r.state = (a + day) % 3;
    d.agents.push_back(r);
  }
  for (int c = 0; c < 2; ++c)
    for (int g = 0; g < 3; ++g)
      d.flows.push_back(sample_flow(day, c, g));
  return d;
}

// Writes two days of five steps, trades on every step, one margin call; days_to_write < 2 stops early.
inline void write_sample_run(RunLog& log, int days_to_write = 2) {
  for (DayIndex day = 0; day < days_to_write; ++day) {
    for (int i = 0; i < 5; ++i) {
      StepIndex step = day * 5 + i;
      log.write_step(sample_step(step));
      log.write_events("trades", {EventRow{step, day, 7, "retail", 1, 100 * (step + 1), sample_price(step, 1), "momentum"},
                                  EventRow{step, day, 9, "quant_fund", 2, -200, sample_price(step, 2), ""}});
    }
    if (day == 1)
      log.write_events("margin_calls", {EventRow{9, 1, 42, "snowball_issuer", 1, -5000, 10.99, "knock-in: 中证1000 below 80%"}});
    log.write_day(sample_day(day));
  }
}

inline std::filesystem::path temp_dir() {
  auto d = std::filesystem::temp_directory_path() / "stampede_record_tests";
  std::filesystem::create_directories(d);
  return d;
}

// --- readers (C API; throw on failure so REQUIRE_NOTHROW/CHECK see it)
struct H5Closer {
  hid_t id;
  herr_t (*close)(hid_t);
  ~H5Closer() {
    if (id >= 0) close(id);
  }
};

inline hid_t must(hid_t id, const std::string& what) {
  if (id < 0) throw std::runtime_error("HDF5 failed: " + what);
  return id;
}

inline std::vector<hsize_t> shape_of(hid_t file, const std::string& path) {
  H5Closer ds{must(H5Dopen2(file, path.c_str(), H5P_DEFAULT), path), H5Dclose};
  H5Closer sp{must(H5Dget_space(ds.id), path), H5Sclose};
  int rank = H5Sget_simple_extent_ndims(sp.id);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(sp.id, dims.data(), nullptr);
  return dims;
}

template <class T>
std::vector<T> read_numbers(hid_t file, const std::string& path, hid_t mem_type) {
  H5Closer ds{must(H5Dopen2(file, path.c_str(), H5P_DEFAULT), path), H5Dclose};
  H5Closer sp{must(H5Dget_space(ds.id), path), H5Sclose};
  std::vector<T> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(sp.id)));
  if (!out.empty()) must(H5Dread(ds.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + path);
  return out;
}
inline std::vector<double> read_doubles(hid_t f, const std::string& p) { return read_numbers<double>(f, p, H5T_NATIVE_DOUBLE); }
inline std::vector<std::int64_t> read_int64(hid_t f, const std::string& p) { return read_numbers<std::int64_t>(f, p, H5T_NATIVE_INT64); }
inline std::vector<std::int32_t> read_int32(hid_t f, const std::string& p) { return read_numbers<std::int32_t>(f, p, H5T_NATIVE_INT32); }
inline std::vector<std::uint8_t> read_uint8(hid_t f, const std::string& p) { return read_numbers<std::uint8_t>(f, p, H5T_NATIVE_UINT8); }

inline hid_t vlen_str_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

inline std::vector<std::string> read_strings(hid_t file, const std::string& path) {
  H5Closer ds{must(H5Dopen2(file, path.c_str(), H5P_DEFAULT), path), H5Dclose};
  H5Closer sp{must(H5Dget_space(ds.id), path), H5Sclose};
  H5Closer t{vlen_str_type(), H5Tclose};
  std::vector<char*> raw(static_cast<std::size_t>(H5Sget_simple_extent_npoints(sp.id)));
  if (raw.empty()) return {};
  must(H5Dread(ds.id, t.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "read " + path);
  std::vector<std::string> out(raw.begin(), raw.end());
  H5Dvlen_reclaim(t.id, sp.id, H5P_DEFAULT, raw.data());
  return out;
}

inline bool has_attribute(hid_t obj, const std::string& name) { return H5Aexists(obj, name.c_str()) > 0; }

inline std::string read_string_attribute(hid_t obj, const std::string& name) {
  H5Closer a{must(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "attribute " + name), H5Aclose};
  H5Closer t{vlen_str_type(), H5Tclose};
  char* raw = nullptr;
  must(H5Aread(a.id, t.id, &raw), "read attribute " + name);
  std::string out = raw ? raw : "";
  H5free_memory(raw);
  return out;
}

template <class T>
T read_attribute(hid_t obj, const std::string& name, hid_t mem_type) {
  H5Closer a{must(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "attribute " + name), H5Aclose};
  T v{};
  must(H5Aread(a.id, mem_type, &v), "read attribute " + name);
  return v;
}

inline int complete_flag(const std::filesystem::path& p) {
  H5Closer f{must(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), p.string()), H5Fclose};
  return read_attribute<std::int32_t>(f.id, "complete", H5T_NATIVE_INT32);
}

}  // namespace stampede::test
