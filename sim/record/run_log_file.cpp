#include "sim/record/run_log_file.hpp"

#include "sim/record/log_prefix.hpp"

#include <hdf5_hl.h>

#include "sim/record/run_log_verify.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <utility>


namespace stampede::record_detail {
namespace {

constexpr std::size_t kEventFlushRows = 1 << 16;
constexpr unsigned kChunkIndexK = 4;   // HDF5's default is 32
constexpr std::size_t kMetadataCacheBytes = std::size_t{4} << 20;
constexpr int kFreeListBytes = 1 << 20;
constexpr const char* kConventions = "CF-1.8";
// /agents/classes datasets in the order of RunLogFile::cls_d_ then cls_i_
const char* const kClassFields[] = {"nav", "equity", "gross_long", "futures_notional", "cash", "leverage",
                                    "accounts", "in_margin_call", "liquidating"};

std::string utc_now_iso() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Copies text into a NUL-padded fixed field, cutting at a UTF-8 character boundary.
void copy_fixed(char* dst, std::size_t bytes, const std::string& s) {
  std::memset(dst, 0, bytes);
  std::size_t n = std::min(bytes, s.size());
  if (n < s.size())
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  std::memcpy(dst, s.data(), n);
}

}  // namespace

std::string RunLogFile::where(const std::string& what) const { return "run log '" + path_ + "': " + what; }

RunLogFile::RunLogFile(const std::filesystem::path& path, const RunHeader& header, const RunLogPrefix* prefix)
    : path_(path.string()),
      n_stocks_(header.stocks.names.size()),
      n_slots_(header.futures_slots.size()),
      record_step_prices_(header.record_step_prices),
      step_block_(header.steps_per_day > 0 ? static_cast<hsize_t>(header.steps_per_day) : 256),
      n_classes_(header.agent_classes.size()),
      n_agents_(header.daily_agent_names.size()),
      n_segments_(header.segment_names.size()) {
  h5::Handle fcpl = h5::plist(H5Pcreate(H5P_FILE_CREATE), "file creation properties");
  h5::check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
            "track link creation order");
  // Every chunked dataset's chunk index starts with one B-tree node sized for 2K chunks; most of the
  // ~265 datasets hold few chunks (event tables, coordinate copies), so smaller nodes keep a short
  // run's log small. Readable by every HDF5 version.
  h5::check(H5Pset_istore_k(fcpl.get(), kChunkIndexK), "chunk index node size");
  // Crash safety: the file is written through ShadowFile (shadow_file.hpp), which keeps the copy at
  // `path` exactly as of the last publish() (after each flush): a kill at any moment leaves a
  // readable log there, and no half-made one while the layout is created.
  shadow_ = std::make_unique<ShadowFile>(path, prefix != nullptr);
  hid_t id = H5Fcreate(shadow_->working_path().c_str(), H5F_ACC_TRUNC, fcpl.get(), shadow_->fapl());
  if (id < 0) {
    std::string stack = h5::take_error_stack();
    throw h5::Error("cannot create run log '" + path_ + "'" + (stack.empty() ? "" : " (HDF5: " + stack + ")"));
  }
  file_ = h5::Handle(id, H5Fclose);
  try {
    // Bounded memory over long runs: HDF5's metadata cache grows with the chunk indexes up to
    // 32 MiB by default, and its free lists never give memory back. Cap both.
    H5AC_cache_config_t mdc{};
    mdc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    h5::check(H5Fget_mdc_config(file_.get(), &mdc), where("get metadata cache configuration"));
    mdc.set_initial_size = true;
    mdc.initial_size = std::min<std::size_t>(mdc.initial_size, kMetadataCacheBytes);
    mdc.max_size = kMetadataCacheBytes;
    mdc.min_size = std::min(mdc.min_size, mdc.initial_size);
    h5::check(H5Fset_mdc_config(file_.get(), &mdc), where("set metadata cache configuration"));
    h5::check(H5set_free_list_limits(kFreeListBytes, kFreeListBytes / 4, kFreeListBytes, kFreeListBytes / 4,
                                     kFreeListBytes, kFreeListBytes / 4),
              where("limit HDF5 free lists"));
    create_layout(header);
    if (prefix) {   // a resumed run: the days before its checkpoint, from the log it resumes
      RunLogPrefix from = *prefix;
      from.source = run_log_resume_path(path);   // where ShadowFile moved the log it resumes
      copy_log_prefix(file_.get(), from);
      days_published_ = static_cast<int>(prefix->days);
    }
    h5::check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), where("flush"));
    shadow_->publish();
    if (prefix) {
      std::error_code ec;
      std::filesystem::remove(run_log_resume_path(path), ec);   // the new log holds the prefix now
    }
  } catch (const std::exception& e) {
    close_handles_quietly();
    shadow_.reset();   // removes the working copy; nothing was published
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) std::filesystem::remove(path, ec);
    throw h5::Error(std::string("cannot create run log '") + path_ + "': " + e.what());
  }
}


RunLogFile::~RunLogFile() { close_handles_quietly(); }

void RunLogFile::close_handles_quietly() {
  frame_arrays_.reset();
  for (Series* s : {&last_price_, &hedged_, &microcap_, &f_price_, &f_basis_, &f_basis_ann_, &f_volume_, &f_oi_, &open_,
                    &high_, &low_, &close_, &volume_, &turnover_, &limit_up_, &limit_down_, &value_, &hedged_close_, &fingerprint_,
                    &microcap_close_, &f_code_, &f_settlement_, &a_nav_, &a_equity_, &a_leverage_, &a_state_})
    s->ds.reset();
  for (Series& s : cls_d_) s.ds.reset();
  for (Series& s : cls_i_) s.ds.reset();
  for (Series& s : flow_) s.ds.reset();
  for (auto& [kind, ev] : events_) {
    ev.series.ds.reset();
    ev.row_dim.reset();
    for (Series& c : ev.columns) c.ds.reset();
  }
  for (GroupAxes* g : all_axes()) g->reset();
  for (h5::Handle* h : {&g_stocks_, &g_index_, &g_futures_, &g_events_, &g_event_columns_, &vlen_str_, &event_mem_type_,
                        &event_file_type_, &one_char_, &file_})
    h->reset();
}

void RunLogFile::create_layout(const RunHeader& h) {
  const hid_t root = file_.get();
  const hsize_t n = n_stocks_, slots = n_slots_;
  const hsize_t spd = static_cast<hsize_t>(std::max(h.steps_per_day, 0));
  chunks_.step_block = step_block_;
  vlen_str_ = vlen_string_type();
  const hid_t str = vlen_str_.get();
  const auto fixed_spec = ChunkShapes::fixed_spec;

  // --- root attributes
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

  // --- groups
  h5::Handle gcpl = h5::plist(H5Pcreate(H5P_GROUP_CREATE), "group creation properties");
  h5::check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
            "track link creation order");
  auto make_group = [&](hid_t loc, const char* name) {
    return h5::group(H5Gcreate2(loc, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), where(std::string("create group ") + name));
  };
  h5::Handle g_meta = make_group(root, "meta");
  h5::Handle g_market = make_group(root, "market");
  g_stocks_ = make_group(g_market.get(), "stocks");
  g_index_ = make_group(g_market.get(), "index");
  g_futures_ = make_group(g_market.get(), "futures");
  g_events_ = make_group(root, "events");

  // --- /meta
  auto scalar_text = [&](const char* name, const std::string& text, const char* long_name) {
    h5::Handle space = h5::space(H5Screate(H5S_SCALAR), "scalar space");
    h5::Handle ds = h5::dataset(H5Dcreate2(g_meta.get(), name, str, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                where(std::string("create /meta/") + name));
    const char* p = text.c_str();
    write_all(ds.get(), str, &p, where(std::string("/meta/") + name));
    write_string_attribute(ds.get(), "units", "");
    write_string_attribute(ds.get(), "long_name", long_name);
  };
  scalar_text("scenario_toml", h.scenario_toml, "scenario file as given (TOML)");
  scalar_text("scenario_resolved", h.scenario_resolved, "scenario with every default filled in (TOML)");

  // --- coordinates: every dimension in the root, then each group's own copy (group_axes.hpp)
  const std::string at = where("");
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
    write_flags(ph.get(), {"opening_auction", "continuous", "closing_auction"});
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

  // --- /market/driver: the real daily path that drove the market factor, if the scenario named
  // one (fundamentals.market_driver); always present, with zero rows when the factor was random,
  // so scripts read the same layout from every run.
  {
    h5::Handle g = make_group(g_market.get(), "driver");
    const std::string pd = "/market/driver/";
    const DriverTable& d = h.driver;
    const hsize_t nd = d.dates.size();
    write_string_attribute(g.get(), "source", d.source);
    write_string_attribute(g.get(), "column", d.column);
    write_string_attribute(g.get(), "base_date", d.base_date);
    write_double_attribute(g.get(), "base_close", d.base_close);
    h5::Handle rows = make_dataset(g.get(), fixed_spec("driver_day", H5T_STD_I32LE, nd, "1", "trading-day index the row drives"), where(pd));
    make_scale(rows.get(), "driver_day", dim_ids_.take());
    std::vector<std::int32_t> idx(nd), days(nd);
    for (hsize_t i = 0; i < nd; ++i) {
      idx[i] = static_cast<std::int32_t>(i);
      days[i] = days_since_epoch(d.dates[i]).value_or(0);
    }
    if (nd > 0) write_all(rows.get(), H5T_NATIVE_INT32, idx.data(), where(pd + "driver_day"));
    h5::Handle dates = make_dataset(g.get(), fixed_spec("date", str, nd, "", "calendar date of the row (ISO 8601): the run's trading day"), where(pd));
    if (nd > 0) {
      auto texts = c_strings(d.dates);
      write_all(dates.get(), str, texts.data(), where(pd + "date"));
    }
    attach(dates.get(), rows.get(), 0, where(pd + "date"));
    h5::Handle time = make_dataset(g.get(), fixed_spec("time", H5T_STD_I32LE, nd, kTimeUnits, "calendar date of the row"), where(pd));
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
    column("close", d.close, "points", "close of the driving index that day (the file's column named by the attribute 'column')");
    column("log_return", d.log_return, "1", "log change of the close from the previous one: the market factor's move that day");
  }

  auto series = [&](hid_t loc, const std::string& group, const DatasetSpec& s, hid_t mem) {
    return make_series(loc, s, mem, where(group));
  };

  // --- /market/stocks
  const hid_t gs = g_stocks_.get();
  const std::string ps = "/market/stocks/";
  auto static_stock = [&](const char* name, hid_t ftype, hid_t mtype, const void* data, const char* units, const char* long_name) {
    h5::Handle ds = make_dataset(gs, fixed_spec(name, ftype, n, units, long_name), where(ps));
    if (n > 0) write_all(ds.get(), mtype, data, where(ps + name));
    stocks_axes_.label(ds.get(), {kStockAxis}, where(ps + name));
    return ds;
  };
  {
    h5::Handle seg = static_stock("segment", H5T_STD_U8LE, H5T_NATIVE_UINT8, h.stocks.segment.data(), "1", "market segment of the stock");
    write_flags(seg.get(), h.segment_names);
    static_stock("shares_outstanding", H5T_STD_I64LE, H5T_NATIVE_INT64, h.stocks.shares_outstanding.data(), "share", "shares outstanding");
    static_stock("index_weight", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, h.stocks.index_weight.data(), "1", "weight in the hedged index at the start of the run (0 if not a constituent)");
    static_stock("limit_pct", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, h.stocks.limit_pct.data(), "percent", "daily price limit, percent of the previous close");
  }
  auto daily_stock = [&](const char* name, hid_t ftype, hid_t mtype, const char* units, const char* long_name) {
    Series s = series(gs, ps, chunks_.day_spec(name, ftype, n, units, long_name), mtype);
    stocks_axes_.label(s.ds.get(), {kDayAxis, kStockAxis}, where(ps + name));
    return s;
  };
  open_ = daily_stock("open", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "yuan", "opening price");
  high_ = daily_stock("high", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "yuan", "highest price of the day");
  low_ = daily_stock("low", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "yuan", "lowest price of the day");
  close_ = daily_stock("close", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "yuan", "closing price");
  volume_ = daily_stock("volume", H5T_STD_I64LE, H5T_NATIVE_INT64, "share", "shares traded in the day");
  turnover_ = daily_stock("turnover", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "yuan", "value traded in the day");
  limit_up_ = daily_stock("limit_up", H5T_STD_U8LE, H5T_NATIVE_UINT8, "1", "1 if the stock closed at its upper price limit");
  limit_down_ = daily_stock("limit_down", H5T_STD_U8LE, H5T_NATIVE_UINT8, "1", "1 if the stock closed at its lower price limit");
  value_ = daily_stock("value", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "yuan", "latent fundamental value at the close");
  // Present in every log; with record_step_prices = 0 it grows with the step axis but nothing is
  // written: it reads as NaN and takes no disk space.
  last_price_ = series(gs, ps, chunks_.step_spec("last_price", H5T_IEEE_F64LE, n, "yuan", "last traded price at the end of the step (NaN throughout when record_step_prices = 0)"), H5T_NATIVE_DOUBLE);
  stocks_axes_.label(last_price_.ds.get(), {kStepAxis, kStockAxis}, where(ps + "last_price"));

  // --- /market/index
  const std::string pi = "/market/index/";
  auto index_series = [&](const char* name, Axis rows, const char* long_name) {
    const DatasetSpec s = rows == kStepAxis ? chunks_.step_spec(name, H5T_IEEE_F64LE, kOneD, "points", long_name)
                                            : chunks_.day_spec(name, H5T_IEEE_F64LE, kOneD, "points", long_name);
    Series out = series(g_index_.get(), pi, s, H5T_NATIVE_DOUBLE);
    index_axes_.label(out.ds.get(), {rows}, where(pi + name));
    return out;
  };
  hedged_ = index_series("hedged", kStepAxis, "hedged index (the futures' underlying) at the end of the step");
  microcap_ = index_series("microcap", kStepAxis, "microcap index at the end of the step");
  hedged_close_ = index_series("hedged_close", kDayAxis, "hedged index close");
  microcap_close_ = index_series("microcap_close", kDayAxis, "microcap index close");
  // The state at each close as one number (docs/hdf5-schema.md): two runs that agree on it agree on
  // every price, position and cash balance at that close.
  fingerprint_ = series(root, "/", chunks_.day_spec("state_fingerprint", H5T_STD_I64LE, kOneD, "1",
                                                    "64-bit hash of every close price, account cash, stock and futures position at the close"),
                        H5T_NATIVE_INT64);
  root_axes_.label(fingerprint_.ds.get(), {kDayAxis}, where("/state_fingerprint"));

  // --- /market/futures
  const std::string pf = "/market/futures/";
  const hid_t gf = g_futures_.get();
  auto step_slot = [&](const char* name, hid_t ftype, hid_t mtype, const char* units, const char* long_name) {
    Series s = series(gf, pf, chunks_.step_spec(name, ftype, slots, units, long_name), mtype);
    futures_axes_.label(s.ds.get(), {kStepAxis, kSlotAxis}, where(pf + name));
    return s;
  };
  f_price_ = step_slot("price", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "points", "futures price at the end of the step");
  f_basis_ = step_slot("basis", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "points", "basis: futures price minus hedged index");
  f_basis_ann_ = step_slot("basis_annualised", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "year-1", "annualised basis, fraction of the index per year");
  f_volume_ = step_slot("volume", H5T_STD_I64LE, H5T_NATIVE_INT64, "contract", "contracts traded in the step");
  f_oi_ = step_slot("open_interest", H5T_STD_I64LE, H5T_NATIVE_INT64, "contract", "open interest at the end of the step");
  {
    DatasetSpec s = chunks_.day_spec("code", str, slots, "", "contract code held in the slot that day");
    s.compress = false;  // filters would only see the heap pointers of variable-length strings
    f_code_ = series(gf, pf, s, str);
    futures_axes_.label(f_code_.ds.get(), {kDayAxis, kSlotAxis}, where(pf + "code"));
  }
  f_settlement_ = series(gf, pf, chunks_.day_spec("settlement", H5T_IEEE_F64LE, slots, "points", "daily settlement price"), H5T_NATIVE_DOUBLE);
  futures_axes_.label(f_settlement_.ds.get(), {kDayAxis, kSlotAxis}, where(pf + "settlement"));

  // --- /agents
  {
    const hsize_t nc = n_classes_, na = n_agents_, ng = n_segments_;
    h5::Handle g_agents = make_group(root, "agents");
    h5::Handle g_classes = make_group(g_agents.get(), "classes");
    h5::Handle g_daily = make_group(g_agents.get(), "daily");
    h5::Handle g_flows = make_group(g_agents.get(), "flows");
    classes_axes_ = make_group_axes(g_classes.get(), "/agents/classes/", kStepAxis | kClassAxis, h, chunks_, dim_ids_, str, at);
    daily_axes_ = make_group_axes(g_daily.get(), "/agents/daily/", kDayAxis | kAgentAxis, h, chunks_, dim_ids_, str, at);
    flows_axes_ = make_group_axes(g_flows.get(), "/agents/flows/", kDayAxis | kClassAxis | kSegmentAxis, h, chunks_, dim_ids_, str, at);

    // /agents/classes: [step, agent_class], buffered with the day like the other step datasets
    const std::string pc = "/agents/classes/";
    auto step_class = [&](const char* name, hid_t ftype, hid_t mtype, const char* units, const char* long_name) {
      Series s = series(g_classes.get(), pc, chunks_.step_spec(name, ftype, nc, units, long_name), mtype);
      classes_axes_.label(s.ds.get(), {kStepAxis, kClassAxis}, where(pc + name));
      return s;
    };
    const struct { const char* name; const char* units; const char* long_name; } doubles[kClassDoubles] = {
        {"nav", "yuan", "net asset value of the investors' capital, marked to market, summed over the class's accounts at the end of the step"},
        {"equity", "yuan", "account equity (cash + stocks + unsettled futures P&L - debt), summed over the class's accounts at the end of the step"},
        {"gross_long", "yuan", "stock holdings at market value, summed over the class's accounts at the end of the step"},
        {"futures_notional", "yuan", "signed futures notional at the current futures price (negative = short), summed over the class's accounts"},
        {"cash", "yuan", "cash, summed over the class's accounts at the end of the step"},
        {"leverage", "1", "gross_long / equity of the class (NaN if equity <= 0)"},
    };
    for (int i = 0; i < kClassDoubles; ++i)
      cls_d_[i] = step_class(doubles[i].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, doubles[i].units, doubles[i].long_name);
    cls_i_[0] = step_class("accounts", H5T_STD_I64LE, H5T_NATIVE_INT64, "account", "number of accounts of the class");
    cls_i_[1] = step_class("in_margin_call", H5T_STD_I64LE, H5T_NATIVE_INT64, "account", "accounts of the class in a margin call at the end of the step");
    cls_i_[2] = step_class("liquidating", H5T_STD_I64LE, H5T_NATIVE_INT64, "account", "accounts of the class being liquidated at the end of the step");

    // /agents/daily: [day, agent] plus static [agent]
    const std::string pd = "/agents/daily/";
    auto static_agent = [&](const char* name, const std::vector<std::int32_t>& values, const char* long_name) {
      h5::Handle ds = make_dataset(g_daily.get(), fixed_spec(name, H5T_STD_I32LE, na, "1", long_name), where(pd));
      if (na > 0) write_all(ds.get(), H5T_NATIVE_INT32, values.data(), where(pd + name));
      daily_axes_.label(ds.get(), {kAgentAxis}, where(pd + name));
      return ds;
    };
    {
      h5::Handle cls = static_agent("agent_class", h.daily_agent_class, "agent class of the agent (index into the agent_class dimension)");
      write_int32_flags(cls.get(), h.agent_classes);
      static_agent("agent_id", h.daily_agent_id, "the engine's agent id (as in /events agent_id)");
    }
    auto daily_agent = [&](const char* name, hid_t ftype, hid_t mtype, const char* units, const char* long_name) {
      Series s = series(g_daily.get(), pd, chunks_.day_spec(name, ftype, na, units, long_name), mtype);
      daily_axes_.label(s.ds.get(), {kDayAxis, kAgentAxis}, where(pd + name));
      return s;
    };
    a_nav_ = daily_agent("nav", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "yuan", "net asset value of the agent's investors' capital at the close");
    a_equity_ = daily_agent("equity", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "yuan", "account equity of the agent at the close");
    a_leverage_ = daily_agent("leverage", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "1", "gross long / equity of the agent at the close (NaN if equity <= 0)");
    a_state_ = daily_agent("state", H5T_STD_I32LE, H5T_NATIVE_INT32, "1", "agent state at the close (see flag_meanings)");
    write_int32_flags(a_state_.ds.get(), h.agent_state_names);

    // /agents/flows: [day, agent_class, segment]
    const std::string pfl = "/agents/flows/";
    auto flow = [&](const char* name, const char* long_name) {
      const hsize_t cg = std::max<hsize_t>(ng, 1);
      const hsize_t cc = std::clamp<hsize_t>(kMaxDayChunkCols / cg, 1, std::max<hsize_t>(nc, 1));
      DatasetSpec sp{name, H5T_IEEE_F64LE, {0, nc, ng}, {kUnlimited, std::max<hsize_t>(nc, 1), cg},
                     {chunks_.day_rows(cc * cg, sizeof(double)), cc, cg}, true, "yuan", long_name};
      Series s = series(g_flows.get(), pfl, sp, H5T_NATIVE_DOUBLE);
      flows_axes_.label(s.ds.get(), {kDayAxis, kClassAxis, kSegmentAxis}, where(pfl + name));
      return s;
    };
    flow_[0] = flow("sell_forced", "value sold by the class in the segment's stocks through forced orders (margin call, liquidation, redemption, risk limit, knock-in hedge)");
    flow_[1] = flow("sell_voluntary", "value sold by the class in the segment's stocks through voluntary (not forced) orders");
    flow_[2] = flow("sell_aggressive", "value sold by the class in the segment's stocks as the aggressor (taker), forced or not");
    flow_[3] = flow("buy", "value bought by the class in the segment's stocks");
  }
  // --- the declared per-frame arrays (frame_arrays.def), in the groups above or their own
  frame_arrays_.create(root, h, chunks_, dim_ids_, str, [this](const std::string& path) -> GroupAxes* {
    for (GroupAxes* g : all_axes())
      if (g->path == path) return g;
    return nullptr;
  }, at);
  create_event_tables(h);
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

void RunLogFile::add_step(const StepFrame& f) {
  b_step_.push_back(f.step);
  b_day_of_step_.push_back(f.day);
  if (record_step_prices_) b_last_price_.insert(b_last_price_.end(), f.last_price.begin(), f.last_price.end());
  b_hedged_.push_back(f.hedged_index);
  b_microcap_.push_back(f.microcap_index);
  b_f_price_.insert(b_f_price_.end(), f.futures_price.begin(), f.futures_price.end());
  b_f_basis_.insert(b_f_basis_.end(), f.futures_basis.begin(), f.futures_basis.end());
  b_f_basis_ann_.insert(b_f_basis_ann_.end(), f.futures_basis_annualised.begin(), f.futures_basis_annualised.end());
  b_f_volume_.insert(b_f_volume_.end(), f.futures_volume.begin(), f.futures_volume.end());
  b_f_oi_.insert(b_f_oi_.end(), f.futures_open_interest.begin(), f.futures_open_interest.end());
  for (const ClassStepRow& c : f.classes) {
    b_cls_d_[0].push_back(c.nav);
    b_cls_d_[1].push_back(c.equity);
    b_cls_d_[2].push_back(c.gross_long);
    b_cls_d_[3].push_back(c.futures_notional);
    b_cls_d_[4].push_back(c.cash);
    b_cls_d_[5].push_back(c.leverage);
    b_cls_i_[0].push_back(c.accounts);
    b_cls_i_[1].push_back(c.in_margin_call);
    b_cls_i_[2].push_back(c.liquidating);
  }
  frame_arrays_.add_step(f.arrays);
  if (b_step_.size() >= step_block_) flush_steps();
}

void RunLogFile::flush_steps() {
  const hsize_t n = b_step_.size();
  if (n == 0) return;
  for (GroupAxes* g : all_axes()) g->append_steps(n, b_step_.data(), b_day_of_step_.data(), where(""));
  if (record_step_prices_)
    last_price_.append(n, b_last_price_.data(), where("/market/stocks/last_price"));
  else
    last_price_.extend(n, where("/market/stocks/last_price"));
  hedged_.append(n, b_hedged_.data(), where("/market/index/hedged"));
  microcap_.append(n, b_microcap_.data(), where("/market/index/microcap"));
  f_price_.append(n, b_f_price_.data(), where("/market/futures/price"));
  f_basis_.append(n, b_f_basis_.data(), where("/market/futures/basis"));
  f_basis_ann_.append(n, b_f_basis_ann_.data(), where("/market/futures/basis_annualised"));
  f_volume_.append(n, b_f_volume_.data(), where("/market/futures/volume"));
  f_oi_.append(n, b_f_oi_.data(), where("/market/futures/open_interest"));
  for (int i = 0; i < kClassDoubles; ++i) {
    cls_d_[i].append(n, b_cls_d_[i].data(), where(std::string("/agents/classes/") + kClassFields[i]));
    b_cls_d_[i].clear();
  }
  for (int i = 0; i < kClassInts; ++i) {
    cls_i_[i].append(n, b_cls_i_[i].data(), where(std::string("/agents/classes/") + kClassFields[kClassDoubles + i]));
    b_cls_i_[i].clear();
  }
  frame_arrays_.flush_steps(n, b_step_.data(), b_day_of_step_.data(), where(""));
  for (auto* v : {&b_last_price_, &b_hedged_, &b_microcap_, &b_f_price_, &b_f_basis_, &b_f_basis_ann_}) v->clear();
  b_step_.clear();
  b_day_of_step_.clear();
  b_f_volume_.clear();
  b_f_oi_.clear();
}

void RunLogFile::add_day(const DayFrame& f) {
  flush_steps();
  for (GroupAxes* g : all_axes()) g->append_day(f.day, f.date, where(""));
  const std::string ps = "/market/stocks/";
  open_.append(1, f.open.data(), where(ps + "open"));
  high_.append(1, f.high.data(), where(ps + "high"));
  low_.append(1, f.low.data(), where(ps + "low"));
  close_.append(1, f.close.data(), where(ps + "close"));
  volume_.append(1, f.volume.data(), where(ps + "volume"));
  turnover_.append(1, f.turnover.data(), where(ps + "turnover"));
  limit_up_.append(1, f.limit_up.data(), where(ps + "limit_up"));
  limit_down_.append(1, f.limit_down.data(), where(ps + "limit_down"));
  value_.append(1, f.value.data(), where(ps + "value"));
  hedged_close_.append(1, &f.hedged_close, where("/market/index/hedged_close"));
  fingerprint_.append(1, &f.state_fingerprint, where("/state_fingerprint"));
  microcap_close_.append(1, &f.microcap_close, where("/market/index/microcap_close"));
  auto codes = c_strings(f.futures_code);
  f_code_.append(1, codes.data(), where("/market/futures/code"));
  f_settlement_.append(1, f.futures_settlement.data(), where("/market/futures/settlement"));
  const std::string pd = "/agents/daily/";
  auto agent_column = [&](Series& s, double AgentDayRecord::*field, const char* name) {
    s_d_.clear();
    for (const AgentDayRecord& a : f.agents) s_d_.push_back(a.*field);
    s.append(1, s_d_.data(), where(pd + name));
  };
  agent_column(a_nav_, &AgentDayRecord::nav, "nav");
  agent_column(a_equity_, &AgentDayRecord::equity, "equity");
  agent_column(a_leverage_, &AgentDayRecord::leverage, "leverage");
  s_i_.clear();
  for (const AgentDayRecord& a : f.agents) s_i_.push_back(a.state);
  a_state_.append(1, s_i_.data(), where(pd + "state"));
  const std::pair<double FlowRow::*, const char*> flows[kFlowFields] = {
      {&FlowRow::sell_forced, "sell_forced"}, {&FlowRow::sell_voluntary, "sell_voluntary"},
      {&FlowRow::sell_aggressive, "sell_aggressive"}, {&FlowRow::buy, "buy"}};
  for (int i = 0; i < kFlowFields; ++i) {
    s_d_.clear();
    for (const FlowRow& r : f.flows) s_d_.push_back(r.*(flows[i].first));
    flow_[i].append(1, s_d_.data(), where("/agents/flows/" + std::string(flows[i].second)));
  }
  frame_arrays_.add_day(f.day, f.date, f.arrays, where(""));
  flush_events();
  h5::check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), where("flush after day " + std::to_string(f.day)));
  // Count the day as kept as soon as the log's name shows it, even if making the next working copy
  // then fails (a full disk): the error message says how many days the log keeps.
  const int visible_before = shadow_->publishes();
  try {
    shadow_->publish();
  } catch (...) {
    if (shadow_->publishes() > visible_before) ++days_published_;
    throw;
  }
  ++days_published_;
}

void RunLogFile::add_events(const std::string& kind, const std::vector<EventRow>& rows) {
  auto it = events_.find(kind);
  if (it == events_.end()) throw h5::Error(where("event kind '" + kind + "' is not declared"));   // RunLog checks first
  auto& pending = it->second.pending;
  pending.reserve(pending.size() + rows.size());
  for (const EventRow& r : rows) {
    PackedEvent p{};
    p.step = r.step;
    p.day = r.day;
    p.agent_id = r.agent_id;
    copy_fixed(p.agent_class, kEventClassBytes, r.agent_class);
    p.instrument = r.instrument;
    p.quantity = r.quantity;
    p.price = r.price;
    copy_fixed(p.reason, kEventReasonBytes, r.reason);
    pending.push_back(p);
  }
  if (pending.size() >= kEventFlushRows) write_events(kind, it->second);
}

void RunLogFile::flush_events() {
  for (auto& [kind, ev] : events_) write_events(kind, ev);
}

void RunLogFile::set_attribute(const std::string& name, double value) {
  write_double_attribute(file_.get(), name, value);
}

void RunLogFile::mark_interrupted(int signal, StepIndex last_step, DayIndex day) {
  write_int32_attribute(file_.get(), "interrupted_signal", signal);
  write_attribute(file_.get(), "interrupted_after_step", H5T_STD_I64LE, H5T_NATIVE_INT64, &last_step);
  write_int32_attribute(file_.get(), "interrupted_day", day);
}

void RunLogFile::finish(double wall_seconds) {
  flush_steps();
  flush_events();
  write_double_attribute(file_.get(), "wall_time_seconds", wall_seconds);
  write_int32_attribute(file_.get(), "complete", 1);
  close();
}

std::string RunLogFile::abandon(const std::string& error) {
  close_handles_quietly();   // the working copy's HDF5 file: whatever it still fails to write is dropped
  h5::take_error_stack();
  const bool in_place = !shadow_->crash_safe();
  if (!shadow_->abandon())
    return in_place ? "the run log '" + path_ + "' was removed (this file system made it be written in place, so it may be damaged)"
                    : "no run log was left (nothing of it had been written)";
  // The published copy is consistent and stays untouched: the error goes into the working copy,
  // now equal to it, which then replaces it atomically (a few kB more; on a full disk or at the
  // file size limit that may fail: the log stays as published, and the error goes beside it).
  std::string recorded = ", the error in its root attribute 'error'";
  try {
    if (!shadow_->copy_ready()) throw std::runtime_error("its working copy could not be restored");
    h5::Handle fapl = h5::plist(H5Pcreate(H5P_FILE_ACCESS), "file access properties");
    h5::Handle file = h5::file(H5Fopen(shadow_->working_path().c_str(), H5F_ACC_RDWR, fapl.get()), "reopen");
    write_string_attribute(file.get(), "error", error);
    file.close("close");
    shadow_->commit_copy();
  } catch (const std::exception& e) {
    h5::take_error_stack();
    std::error_code ec;
    std::filesystem::remove(shadow_->working_path(), ec);
    const std::string why = e.what();
    recorded = "; the error could not be recorded in it (" + why.substr(0, std::min<std::size_t>(why.find(" ("), 120)) + ")";
    // Beside it then, in a small text file (the working copy just removed made the room).
    const std::string side = path_ + ".error";
    std::ofstream out(side, std::ios::binary | std::ios::trunc);
    out << error << '\n';
    out.close();
    if (out) recorded += ", so it is in '" + side + "'";
  }
  return "the run log '" + path_ + "' keeps the " + std::to_string(days_published_) + " trading day" +
         (days_published_ == 1 ? "" : "s") + " written before it, readable, with complete = 0" + recorded;
}

void RunLogFile::close() {
  flush_steps();
  flush_events();
  h5::Handle file = std::move(file_);
  close_handles_quietly();  // everything but the file, whose close is checked
  file.close(where("close"));
  shadow_->publish_final();
}

}  // namespace stampede::record_detail
