// The run log's layout (RunLogFile::create_layout, run_log_file.hpp): root attributes, /meta, the
// coordinates of every group, /market/driver and the text labels as characters; the datasets of
// frame_fields.def and frame_arrays.def are created by their writers at their places here.
#include <chrono>
#include <ctime>
#include <limits>
#include <utility>

#include "sim/market/session_clock.hpp"
#include "sim/record/run_log_file.hpp"
#include "sim/record/run_log_verify.hpp"

namespace stampede::record_detail {
namespace {

constexpr const char* kConventions = "CF-1.8";

std::string utc_now_iso() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

void RunLogFile::create_layout(const RunHeader& h) {
  const hid_t root = file_.get();
  chunks_.step_block = step_block_;
  vlen_str_ = vlen_string_type();
  const hid_t str = vlen_str_.get();
  const std::string at = where("");

  write_root_attributes(h);
  h5::Handle g_meta = new_group(root, "meta");
  h5::Handle g_market = new_group(root, "market");
  g_stocks_ = new_group(g_market.get(), "stocks");
  g_index_ = new_group(g_market.get(), "index");
  g_futures_ = new_group(g_market.get(), "futures");
  g_events_ = new_group(root, "events");
  write_meta(g_meta.get(), h);
  create_coordinates(h);
  create_driver_table(g_market.get(), h.driver);

  // --- the datasets of frame_fields.def, each group's at its place in the layout
  fields_.create_group("market/stocks", g_stocks_.get(), stocks_axes_, h, chunks_, str, at);
  fields_.create_group("market/index", g_index_.get(), index_axes_, h, chunks_, str, at);
  fields_.create_group("", root, root_axes_, h, chunks_, str, at);
  fields_.create_group("market/futures", g_futures_.get(), futures_axes_, h, chunks_, str, at);
  create_agent_groups(h);
  fields_.check_all_created();   // a declared field in a group the layout lacks fails every log at once
  // --- the declared per-frame arrays (frame_arrays.def), in the groups above or their own
  frame_arrays_.create(
      root, h, chunks_, dim_ids_, str,
      [this](const std::string& path) -> GroupAxes* {
        for (GroupAxes* g : all_axes())
          if (g->path == path) return g;
        return nullptr;
      },
      at);
  create_event_tables(h);
}

h5::Handle RunLogFile::new_group(hid_t loc, const char* name) const {
  return make_group(loc, name, where(std::string("create group ") + name));
}

// The root's attributes: the schema, the build's and the run's identity, and the flags a reader
// checks first (complete, wall time: updated when the run ends).
void RunLogFile::write_root_attributes(const RunHeader& h) {
  const hid_t root = file_.get();
  write_string_attribute(root, "schema", kRunLogSchema);
  write_string_attribute(root, "Conventions", kConventions);
  // The build's identity, as reuse_problem checks it (run_log_verify.hpp).
  write_string_attribute(root, "version", this_build().version);
  write_string_attribute(root, "git_sha", this_build().git_sha);
  write_string_attribute(root, "code_hash", this_build().code_hash);
  write_string_attribute(root, "scenario_hash", h.scenario_hash);
  write_uint64_attribute(root, "seed", h.seed);
  // The seed again as text: R's rhdf5 reads a uint64 attribute as NA, Octave as a double. Fixed
  // length, because Octave's netCDF package reads no variable-length string.
  write_fixed_string_attribute(root, "seed_text", std::to_string(h.seed));
  write_int32_attribute(root, "threads", h.threads);
  write_string_attribute(root, "scenario", h.scenario_name);
  write_int32_attribute(root, "complete", 0);
  write_double_attribute(root, "wall_time_seconds", std::numeric_limits<double>::quiet_NaN());
  write_string_attribute(root, "created_utc", utc_now_iso());
  write_int32_attribute(root, "steps_per_day", h.steps_per_day);
  write_int32_attribute(root, "record_step_prices", h.record_step_prices ? 1 : 0);
  write_int32_attribute(root, "invariants_checked", h.invariants_checked ? 1 : 0);
}

// /meta: the scenario as given and resolved, and the registries (meta_tables.hpp) as JSON arrays
// of {name, label, units..., doc}.
void RunLogFile::write_meta(hid_t g_meta, const RunHeader& h) {
  const hid_t str = vlen_str_.get();
  auto scalar_text = [&](const char* name, const std::string& text, const char* long_name) {
    write_scalar_text(g_meta, "/meta/", name, str, text, long_name, where(""));
  };
  scalar_text("scenario_toml", h.scenario_toml, "scenario file as given (TOML)");
  scalar_text("scenario_resolved", h.scenario_resolved, "scenario with every default filled in (TOML)");
  std::vector<AgentClassRow> classes = h.agent_class_info;
  for (std::size_t c = classes.size(); c < h.agent_classes.size(); ++c)
    classes.push_back({h.agent_classes[c], h.agent_classes[c], "", ""});
  scalar_text("event_kinds", event_kinds_json(h.event_kinds), kMetaEventKindsLongName);
  scalar_text("agent_classes", agent_classes_json(classes), kMetaAgentClassesLongName);
  scalar_text("summary_metrics", summary_metrics_json(h.summary_metrics), kMetaSummaryMetricsLongName);
}

// The coordinates: every dimension in the root, the intraday step's, the text labels as
// characters, then the market groups' own copies (group_axes.hpp).
void RunLogFile::create_coordinates(const RunHeader& h) {
  const hid_t root = file_.get();
  const hid_t str = vlen_str_.get();
  const std::string at = where("");
  const hsize_t spd = static_cast<hsize_t>(std::max(h.steps_per_day, 0));
  const auto fixed_spec = ChunkShapes::fixed_spec;
  const unsigned every_axis = kStepAxis | kDayAxis | kStockAxis | kSlotAxis | kClassAxis | kAgentAxis | kSegmentAxis;
  root_axes_ = make_group_axes(root, "/", every_axis, h, chunks_, dim_ids_, str, at);
  h5::Handle intraday = make_dataset(root, fixed_spec("intraday_step", H5T_STD_I32LE, spd, "1", "position of a step within its trading day"), where("/"));
  make_scale(intraday.get(), "intraday_step", dim_ids_.take());
  {
    std::vector<std::int32_t> idx(spd);
    for (hsize_t i = 0; i < spd; ++i) idx[i] = static_cast<std::int32_t>(i);
    if (spd > 0) write_all(intraday.get(), H5T_NATIVE_INT32, idx.data(), where("/intraday_step"));
    h5::Handle ds = make_dataset(root, fixed_spec("step_minute", H5T_STD_I32LE, spd, "min", "minute of the day at which the intraday step starts (570 = 09:30)"), where("/"));
    if (spd > 0) write_all(ds.get(), H5T_NATIVE_INT32, h.step_minute.data(), where("/step_minute"));
    attach(ds.get(), intraday.get(), 0, where("/step_minute"));
    h5::Handle ph = make_dataset(root, fixed_spec("step_phase", H5T_STD_U8LE, spd, "1", "trading phase of the intraday step"), where("/"));
    if (spd > 0) write_all(ph.get(), H5T_NATIVE_UINT8, h.step_phase.data(), where("/step_phase"));
    write_flags(ph.get(), step_phase_names());
    attach(ph.get(), intraday.get(), 0, where("/step_phase"));
  }
  // The text coordinates again as character arrays ([n, <name>_strlen] of single bytes, netCDF's
  // NC_CHAR): Octave's netCDF package reads no string variable. Dates: the numeric `time`.
  for (const auto& [name, values] : {std::pair{"stock", &h.stocks.names}, std::pair{"futures_slot", &h.futures_slots},
                                     std::pair{"agent_class", &h.agent_classes}, std::pair{"agent", &h.daily_agent_names},
                                     std::pair{"segment", &h.segment_names}})
    write_char_labels(name, *values);
  stocks_axes_ = make_group_axes(g_stocks_.get(), "/market/stocks/",
                                 kStepAxis | kDayAxis | kStockAxis, h, chunks_, dim_ids_, str, at);
  index_axes_ = make_group_axes(g_index_.get(), "/market/index/", kStepAxis | kDayAxis, h, chunks_, dim_ids_, str, at);
  futures_axes_ = make_group_axes(g_futures_.get(), "/market/futures/", kStepAxis | kDayAxis | kSlotAxis, h, chunks_, dim_ids_, str, at);
}

// /market/driver: the real daily path that drove the market factor, if the scenario named one
// (fundamentals.market_driver); always present, with zero rows when the factor was random, so
// scripts read the same layout from every run.
void RunLogFile::create_driver_table(hid_t g_market, const DriverTable& d) {
  const hid_t str = vlen_str_.get();
  const auto fixed_spec = ChunkShapes::fixed_spec;
  h5::Handle g = new_group(g_market, "driver");
  const std::string pd = "/market/driver/";
  const hsize_t nd = d.dates.size();
  write_string_attribute(g.get(), "source", d.source);
  write_string_attribute(g.get(), "column", d.column);
  write_string_attribute(g.get(), "base_date", d.base_date);
  write_double_attribute(g.get(), "base_close", d.base_close);
  h5::Handle rows =
      make_dataset(g.get(), fixed_spec("driver_day", H5T_STD_I32LE, nd, "1", "trading-day index the row drives"),
                   where(pd));
  make_scale(rows.get(), "driver_day", dim_ids_.take());
  std::vector<std::int32_t> idx(nd), days(nd);
  for (hsize_t i = 0; i < nd; ++i) {
    idx[i] = static_cast<std::int32_t>(i);
    days[i] = days_since_epoch(d.dates[i]).value_or(0);
  }
  if (nd > 0) write_all(rows.get(), H5T_NATIVE_INT32, idx.data(), where(pd + "driver_day"));
  h5::Handle dates =
      make_dataset(g.get(),
                   fixed_spec("date", str, nd, "", "calendar date of the row (ISO 8601): the run's trading day"),
                   where(pd));
  if (nd > 0) {
    auto texts = c_strings(d.dates);
    write_all(dates.get(), str, texts.data(), where(pd + "date"));
  }
  attach(dates.get(), rows.get(), 0, where(pd + "date"));
  h5::Handle time =
      make_dataset(g.get(), fixed_spec("time", H5T_STD_I32LE, nd, kTimeUnits, "calendar date of the row"), where(pd));
  if (nd > 0) write_all(time.get(), H5T_NATIVE_INT32, days.data(), where(pd + "time"));
  write_string_attribute(time.get(), "standard_name", "time");
  write_string_attribute(time.get(), "calendar", "proleptic_gregorian");
  attach(time.get(), rows.get(), 0, where(pd + "time"));
  auto column = [&](const char* name, const std::vector<double>& v, const char* units, const char* long_name) {
    h5::Handle ds = make_dataset(g.get(), fixed_spec(name, H5T_IEEE_F64LE, nd, units, long_name), where(pd));
    if (nd > 0) write_all(ds.get(), H5T_NATIVE_DOUBLE, v.data(), where(pd + name));
    attach(ds.get(), rows.get(), 0, where(pd + name));
    write_string_attribute(ds.get(), "coordinates", "date time");
  };
  column("close", d.close, "points",
         "close of the driving index that day (the file's column named by the attribute 'column')");
  column("log_return", d.log_return, "1",
         "log change of the close from the previous one: the market factor's move that day");
}

// /agents: the classes' per-step figures, the daily agents' rows and the classes' flows, each
// group with its coordinates and its datasets of frame_fields.def.
void RunLogFile::create_agent_groups(const RunHeader& h) {
  const hid_t root = file_.get();
  const hid_t str = vlen_str_.get();
  const std::string at = where("");
  h5::Handle g_agents = new_group(root, "agents");
  h5::Handle g_classes = new_group(g_agents.get(), "classes");
  h5::Handle g_daily = new_group(g_agents.get(), "daily");
  h5::Handle g_flows = new_group(g_agents.get(), "flows");
  classes_axes_ =
      make_group_axes(g_classes.get(), "/agents/classes/", kStepAxis | kClassAxis, h, chunks_, dim_ids_, str, at);
  daily_axes_ = make_group_axes(g_daily.get(), "/agents/daily/", kDayAxis | kAgentAxis, h, chunks_, dim_ids_, str, at);
  flows_axes_ = make_group_axes(g_flows.get(), "/agents/flows/", kDayAxis | kClassAxis | kSegmentAxis, h, chunks_,
                                dim_ids_, str, at);

  fields_.create_group("agents/classes", g_classes.get(), classes_axes_, h, chunks_, str, at);
  fields_.create_group("agents/daily", g_daily.get(), daily_axes_, h, chunks_, str, at);
  fields_.create_group("agents/flows", g_flows.get(), flows_axes_, h, chunks_, str, at);
}

void RunLogFile::write_char_labels(const std::string& name, const std::vector<std::string>& values) {
  const hid_t root = file_.get();
  const std::string chars = name + "_chars", strlen = name + "_strlen";
  hsize_t width = 0;
  for (const auto& v : values) width = std::max<hsize_t>(width, v.size());
  h5::Handle len_dim = make_dataset(root, ChunkShapes::fixed_spec(strlen, H5T_IEEE_F32LE, width, "1",
                                                                  "character position in " + chars),
                                    where("/"));
  make_scale(len_dim.get(), kDimensionWithoutVariable, dim_ids_.take());
  h5::Handle one_char = h5::type(H5Tcopy(H5T_C_S1), "copy char type");
  h5::check(H5Tset_size(one_char.get(), 1), "size char type");
  h5::check(H5Tset_strpad(one_char.get(), H5T_STR_NULLPAD), "pad char type");
  DatasetSpec spec{chars, one_char.get(), {values.size(), width}, {values.size(), width}, {}, false, "",
                   name + " as characters, NUL-padded (for readers without strings, e.g. Octave's netCDF package)"};
  h5::Handle ds = make_dataset(root, spec, where("/"));
  std::vector<char> bytes(values.size() * width, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) std::copy(values[i].begin(), values[i].end(), bytes.begin() + static_cast<std::ptrdiff_t>(i * width));
  if (!bytes.empty()) write_all(ds.get(), one_char.get(), bytes.data(), where("/" + chars));
  attach(ds.get(), root_axes_.scale(name == "stock" ? kStockAxis : name == "futures_slot" ? kSlotAxis
                                    : name == "agent_class" ? kClassAxis : name == "agent" ? kAgentAxis : kSegmentAxis),
         0, where("/" + chars));
  attach(ds.get(), len_dim.get(), 1, where("/" + chars));
}

}  // namespace stampede::record_detail
