#pragma once
// The run log: one HDF5 file per simulation run, written by a background thread so the simulation
// never waits on disk. The file layout is documented in docs/hdf5-schema.md (schema
// "stampede-run/2"; `stampede schema` lists every dataset, sim/record/run_log_schema.hpp); it is
// readable by h5py, pandas, xarray (engines h5netcdf and netcdf4), netCDF-C tools, R (hdf5r,
// rhdf5) and MATLAB.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/types.hpp"
#include "sim/record/event_kinds.hpp"
#include "sim/record/frame_arrays.hpp"
#include "sim/record/meta_tables.hpp"

namespace stampede {

struct StockTable {            // static, one entry per stock
  std::vector<std::string> names;            // e.g. "S00123"
  std::vector<std::uint8_t> segment;         // 0 microcap, 1 hedged-index constituent, 2 large cap
  std::vector<std::int64_t> shares_outstanding;
  std::vector<double> index_weight;          // weight in the hedged index at the start (0 if not a constituent)
  std::vector<double> limit_pct;             // 10, 20 or 5
};

// One agent class, one step: totals over its agents (/agents/classes).
struct ClassStepRow {
  double nav = 0, equity = 0, gross_long = 0, futures_notional = 0, cash = 0, leverage = 0;   // yuan; leverage = gross_long/equity (NaN if equity <= 0)
  std::int64_t accounts = 0, in_margin_call = 0, liquidating = 0;
};

// One agent, one day, after the close (/agents/daily).
struct AgentDayRecord {
  double nav = std::numeric_limits<double>::quiet_NaN();
  double equity = std::numeric_limits<double>::quiet_NaN();
  double leverage = std::numeric_limits<double>::quiet_NaN();
  std::int32_t state = 0;   // code into RunHeader::agent_state_names
};

// One agent class, one market segment, one day: yuan traded (/agents/flows).
struct FlowRow {
  double sell_forced = 0, sell_voluntary = 0, sell_aggressive = 0, buy = 0;
};

// The real path that drove the market factor (/market/driver; empty when the factor was random).
struct DriverTable {
  std::string source, column, base_date;     // file read, its column, the close before day 0
  double base_close = 0;
  std::vector<std::string> dates;            // [day] ISO, every trading day of the run
  std::vector<double> close, log_return;     // [day] the column's close; log change from the previous close
};

struct RunHeader {
  std::string scenario_name, scenario_toml, scenario_resolved;  // TOML verbatim; resolved as TOML text
  std::string scenario_hash;                 // SHA-256 hex (sim/engine/scenario_hash.hpp)
  std::uint64_t seed = 0;
  int threads = 1;
  bool record_step_prices = true;
  bool invariants_checked = false;   // every invariant was checked after every step (--check-invariants)
  StockTable stocks;
  std::vector<std::string> futures_slots;    // e.g. {"front","next"}
  int steps_per_day = 0;
  std::vector<std::int32_t> step_minute;     // [steps_per_day] minute of day (e.g. 570 = 9:30) at which each intraday step starts
  std::vector<std::uint8_t> step_phase;      // [steps_per_day] 0 opening auction, 1 continuous, 2 closing auction
  std::vector<std::string> segment_names;    // {"microcap","constituent","large_cap"}; dimension `segment`
  std::vector<std::string> agent_classes;        // dimension `agent_class` (may be empty)
  std::vector<std::string> daily_agent_names;    // dimension `agent` (may be empty): agents with a row per day
  std::vector<std::int32_t> daily_agent_class;   // [agent] index into agent_classes
  std::vector<std::int32_t> daily_agent_id;      // [agent] the engine's agent id
  std::vector<std::string> agent_state_names;    // meanings of AgentDayRecord::state codes 0..n-1 (flag_values/flag_meanings on /agents/daily/state)
  DriverTable driver;
  // [stock] 1 for each stock whose per-step liquidity is written (the frame arrays recorded for
  // `liquidity_stocks`, frame_arrays.def); empty: every stock.
  std::vector<std::uint8_t> liquidity_recorded;
  double futures_tick_points = 0.2;   // index points per futures tick: tick_size of the futures liquidity arrays
  // The /events tables, all created with the file (0 rows until such an event happens), so every
  // log has the same layout; write_events refuses any other kind.
  std::vector<EventKind> event_kinds = declared_event_kinds();
  // /meta/agent_classes: [agent_class] each class's label, section and doc (empty: each class's
  // name as its label); /meta/summary_metrics: the summary_* attributes' units, labels and docs.
  std::vector<AgentClassRow> agent_class_info;
  std::vector<SummaryMetricRow> summary_metrics;
};

// StepFrame and DayFrame: each member the log writes is declared by a line of
// sim/record/frame_fields.def, which the writer, the size checks and the queue estimate walk; a
// member without one is never written. A new dataset is best an entry of frame_arrays.def, filled
// through `arrays` by id (docs/CONTRIBUTING.md, "New run-log dataset").
struct StepFrame {            // one per simulation step
  StepIndex step;
  DayIndex day;
  std::vector<double> last_price;            // [stock] yuan; ignored when record_step_prices is false
  double hedged_index = 0, microcap_index = 0;
  std::vector<double> futures_price, futures_basis, futures_basis_annualised;  // [slot] points, points (futures - index), fraction per year
  std::vector<std::int64_t> futures_volume, futures_open_interest;            // [slot] contracts (volume in that step)
  std::vector<ClassStepRow> classes;         // [agent_class]
  FrameArrays arrays;                        // the step arrays of frame_arrays.def; one left empty reads as its fill value
};

struct DayFrame {             // one per trading day, after the close
  DayIndex day;
  std::string date;                          // ISO "2024-01-02" (checked: it also becomes the CF time coordinate)
  std::vector<double> open, high, low, close, turnover;   // [stock] yuan
  std::vector<std::int64_t> volume;          // [stock] shares
  std::vector<std::uint8_t> limit_up, limit_down;          // [stock] 1 if the stock CLOSED at its limit
  std::vector<double> value;                 // [stock] yuan, the latent fundamental value at the close
  std::vector<std::string> futures_code;     // [slot] e.g. "IM2402"
  std::vector<double> futures_settlement;    // [slot] points
  std::vector<std::string> futures_expiry;   // [slot] ISO last trading day of the slot's contract
  std::int32_t futures_main_slot = 0;        // the slot with the most open interest at the close
  double hedged_close = 0, microcap_close = 0;
  std::vector<AgentDayRecord> agents;        // [agent] (header.daily_agent_names)
  std::vector<FlowRow> flows;                // [agent_class * segments + segment], segments = header.segment_names.size()
  FrameArrays arrays;                        // the day arrays of frame_arrays.def; one left empty reads as its fill value
  std::int64_t state_fingerprint = 0;        // hash of prices, positions and cash at the close (Simulation::state_fingerprint)
};

// agent_class and reason are stored as fixed-length strings of kEventClassBytes and
// kEventReasonBytes bytes; longer text is cut at a UTF-8 character boundary.
struct EventRow {
  StepIndex step;
  DayIndex day;
  std::int32_t agent_id;
  std::string agent_class;
  std::int32_t instrument;
  std::int64_t quantity;
  double price;
  std::string reason;
};
inline constexpr std::size_t kEventClassBytes = 32;
inline constexpr std::size_t kEventReasonBytes = 96;

inline constexpr const char* kRunLogSchema = "stampede-run/2";

// The plain words for a write error that means the disk (or the file size limit, or the quota)
// is full: "the disk is full (No space left on device): " and the like; "" for any other error.
// A sweep stops launching runs on one: every later run would fail the same way.
std::string out_of_space_cause(const std::string& error);

// Where a resumed run's log starts (stampede run --resume, sim/engine/checkpoint.hpp): the first
// `days` trading days of the log it continues, their `steps` steps and, per event kind, the first
// `event_rows` rows, copied into the new log before the run adds to it. `source` is where that
// log was found (the log itself, or run_log_resume_path); RunLog copies from the resume path.
struct RunLogPrefix {
  std::filesystem::path source;
  std::int64_t days = 0, steps = 0;
  std::map<std::string, std::int64_t> event_rows;
};

// Where a resumed log's previous copy waits while it is copied from: `.NAME.h5.resume` beside it.
// It is removed once the new log holds the prefix; a run killed before that resumes from it.
std::filesystem::path run_log_resume_path(const std::filesystem::path& log);

// Frames are checked on the calling thread (sizes against the header, steps and days strictly
// increasing): a malformed frame throws std::invalid_argument at once and is not queued.
class RunLog {
 public:
  // Creates (truncates) the file, creating missing parent directories, writes root attributes with
  // complete = 0, /meta, static tables and the per-day-independent coordinates. Throws
  // std::runtime_error naming the path if the file cannot be created. Starts ONE writer thread:
  // all HDF5 calls after construction happen on that thread only.
  // With `prefix`: the previous log at `path` is kept (moved to run_log_resume_path) and the new
  // one starts with its prefix, published before the constructor returns.
  RunLog(const std::filesystem::path& path, RunHeader header, const RunLogPrefix* prefix = nullptr);
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

  void write_step(StepFrame frame);     // queued, returns at once (bounded queue: blocks only if the writer is far behind)
  void write_day(DayFrame frame);       // queued; the writer flushes the file (H5Fflush) after writing a day
  // Appends to /events/<kind>; a kind not in the header's event_kinds throws std::invalid_argument.
  void write_events(const std::string& kind, std::vector<EventRow> rows);
  void set_attribute(const std::string& name, double value);   // extra root attribute (queued too)
  // Queued: once everything queued before it is written (the last day queued is published),
  // writes `bytes` to `path` crash-safely (a temporary file beside it, then rename). A failure is
  // a warning on stderr, not an error of the log. For checkpoints.
  void write_file(const std::filesystem::path& path, std::vector<char> bytes);
  // Waits until everything queued so far is written (tests stop a run at a known point).
  void sync();

  // Drains the queue, writes wall_time_seconds, sets complete = 1, closes the file. Rethrows any
  // error the writer met. Calling anything but the destructor afterwards throws std::logic_error.
  void finish(double wall_seconds);
  // Records that the run was stopped early by `signal` (SIGINT, SIGTERM) after global step
  // `last_step` (-1: none) of trading day `day`: root attributes interrupted_signal,
  // interrupted_after_step, interrupted_day (queued). complete stays 0.
  void mark_interrupted(int signal, StepIndex last_step, DayIndex day);
  // Drains the queue, writes what is pending (the steps of an unfinished day too) and closes the
  // file, leaving complete = 0. Rethrows any error the writer met. Afterwards as after finish().
  void close();
  // Without finish() or close(): drains and closes, leaving complete = 0. Never throws; an error the writer
  // met that no call has rethrown is printed to stderr.
  ~RunLog();

  const std::filesystem::path& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stampede
