// RunLog: checks frames on the caller's thread, queues them, and hands them to one writer thread
// that owns the HDF5 file (run_log_file.cpp). Errors met by the writer are kept and rethrown on the
// caller's thread.
#include "sim/record/run_log.hpp"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <variant>

#include "sim/core/replace_file.hpp"
#include "sim/record/frame_fields.hpp"
#include "sim/record/h5_handle.hpp"
#include "sim/record/run_log_file.hpp"

namespace stampede {
namespace {

struct EventsMsg {
  std::string kind;
  std::vector<EventRow> rows;
};
struct AttributeMsg {
  std::string name;
  double value;
};
struct FinishMsg {
  double wall_seconds;
};
struct CloseMsg {};
struct InterruptMsg {
  int signal;
  StepIndex last_step;
  DayIndex day;
};
struct FileMsg {
  std::filesystem::path path;
  std::vector<char> bytes;
};
struct SyncMsg {
  std::shared_ptr<std::promise<void>> done;
};
using Message = std::variant<StepFrame, DayFrame, EventsMsg, AttributeMsg, FinishMsg, CloseMsg, InterruptMsg, FileMsg, SyncMsg>;

// The queue holds at most this much (estimated) frame data; a producer waits beyond it.
constexpr std::size_t kMaxQueuedBytes = std::size_t{32} << 20;   // a few days of a large world: memory stays bounded
constexpr std::size_t kMaxQueuedMessages = std::size_t{1} << 16;

std::size_t estimate_bytes(const Message& m) {
  struct {
    // by the declared fields and arrays (frame_fields.hpp), so a new dataset is counted too
    std::size_t operator()(const StepFrame& f) const { return sizeof f + queued_bytes(f); }
    std::size_t operator()(const DayFrame& f) const { return sizeof f + queued_bytes(f); }
    std::size_t operator()(const EventsMsg& e) const { return sizeof e + e.rows.size() * (sizeof(EventRow) + 32); }
    std::size_t operator()(const AttributeMsg&) const { return sizeof(AttributeMsg); }
    std::size_t operator()(const FinishMsg&) const { return 0; }
    std::size_t operator()(const CloseMsg&) const { return 0; }
    std::size_t operator()(const InterruptMsg&) const { return 0; }
    std::size_t operator()(const FileMsg& f) const { return sizeof f + f.bytes.size(); }
    std::size_t operator()(const SyncMsg&) const { return 0; }
  } visitor;
  return std::visit(visitor, m);
}

const char* const kReservedAttributes[] = {"schema", "Conventions", "version", "git_sha", "seed", "seed_text", "threads", "scenario",
                                           "complete", "wall_time_seconds", "created_utc", "steps_per_day",
                                           "record_step_prices", "invariants_checked", "writer_cpu_seconds", "interrupted_signal", "interrupted_after_step",
                                           "interrupted_day", "error", "code_hash", "scenario_hash"};

// CPU time of the calling thread (the writer's: compressing and writing the log).
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

constexpr std::size_t kUnchecked = ~std::size_t{0};

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("RunLog: " + what);
}

template <class T>
void require_size(const std::vector<T>& v, std::size_t n, const char* field, const char* per) {
  if (v.size() == n) return;   // the message is built only when needed: this runs for every frame
  require(false, std::string(field) + " has " + std::to_string(v.size()) + " entries, expected " + std::to_string(n) +
                     " (one per " + per + ")");
}

void validate_header(const RunHeader& h) {
  const std::size_t n = h.stocks.names.size();
  for (const FrameFieldSpec& s : declared_frame_fields())   // the header's datasets (frame_fields.def)
    if (s.of_header != nullptr && s.of_header(h).count != row_elements(s.axes, h))
      require(false, s.member + " has " + std::to_string(s.of_header(h).count) + " entries, expected " +
                         std::to_string(row_elements(s.axes, h)) + " (one per " + per_element_words(s.axes) + ")");
  require(h.steps_per_day >= 0, "steps_per_day is negative");
  const auto spd = static_cast<std::size_t>(h.steps_per_day);
  require_size(h.step_minute, spd, "step_minute", "intraday step");
  require_size(h.step_phase, spd, "step_phase", "intraday step");
  const std::size_t agents = h.daily_agent_names.size();
  if (!h.liquidity_recorded.empty()) require_size(h.liquidity_recorded, n, "liquidity_recorded", "stock");
  std::set<std::string> kinds;
  for (const EventKind& k : h.event_kinds) {
    require(!k.name.empty() && k.name != "." && k.name.find('/') == std::string::npos,
            "event kind '" + k.name + "' is not a valid dataset name (empty, '.' or contains '/')");
    require(kinds.insert(k.name).second, "event kind '" + k.name + "' is declared twice");
  }
  for (std::size_t i = 0; i < agents; ++i)
    require(h.daily_agent_class[i] >= 0 && static_cast<std::size_t>(h.daily_agent_class[i]) < h.agent_classes.size(),
            "daily_agent_class[" + std::to_string(i) + "] = " + std::to_string(h.daily_agent_class[i]) +
                " is not an index into agent_classes (" + std::to_string(h.agent_classes.size()) + " classes)");
}

// Elements per row of each declared frame array, from the header's dimensions.
std::array<std::size_t, kFrameArrayCount> frame_array_sizes(const RunHeader& h) {
  std::array<std::size_t, kFrameArrayCount> out{};
  for (const FrameArraySpec& s : declared_frame_arrays()) out[static_cast<std::size_t>(s.id)] = row_elements(s.axes, h);
  return out;
}

// Elements per frame of each declared field (frame_fields.def), in its order; a STEP_PRICES
// field of a log without step prices is not checked (its values are dropped).
std::vector<std::size_t> frame_field_sizes(const RunHeader& h) {
  std::vector<std::size_t> out;
  for (const FrameFieldSpec& s : declared_frame_fields())
    out.push_back(s.option == FieldOption::step_prices && !h.record_step_prices ? kUnchecked : row_elements(s.axes, h));
  return out;
}

// Every field a frame fills has one value per element of its axes ("DayFrame.open has 2 entries,
// expected 3 (one per stock)").
template <class Frame>
void check_frame_fields(const Frame& f, FieldView (*FrameFieldSpec::*of)(const Frame&), const std::vector<std::size_t>& sizes,
                        const char* frame) {
  const auto& fields = declared_frame_fields();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const FrameFieldSpec& s = fields[i];
    if (s.*of == nullptr || sizes[i] == kUnchecked) continue;
    const std::size_t n = (s.*of)(f).count;
    if (n == sizes[i]) continue;   // the message is built only when needed: this runs for every frame
    require(false, std::string(frame) + "." + s.member + " has " + std::to_string(n) + " entries, expected " +
                       std::to_string(sizes[i]) + " (one per " + per_element_words(s.axes) + ")");
  }
}

// A frame gives each array of its own time axis in full or not at all (then the row reads as the
// fill value), and none of the other axis.
void check_frame_arrays(const FrameArrays& a, ArrayTime time, const std::array<std::size_t, kFrameArrayCount>& sizes,
                        const char* frame) {
  for (const FrameArraySpec& s : declared_frame_arrays()) {
    const std::size_t n = a.size(s.id), want = sizes[static_cast<std::size_t>(s.id)];
    if (n == 0 || (s.time == time && n == want)) continue;
    const std::string name = std::string(frame) + ".arrays " + s.group + "/" + s.name;
    if (s.time != time) require(false, name + " is a " + (s.time == ArrayTime::step ? "step" : "day") + " array");
    require(false, name + " has " + std::to_string(n) + " entries, expected " + std::to_string(want) + " (or none)");
  }
}

}  // namespace

std::filesystem::path run_log_resume_path(const std::filesystem::path& log) { return beside_log(log, ".resume"); }

std::string out_of_space_cause(const std::string& error) {
  if (error.find("No space left on device") != std::string::npos) return "the disk is full (No space left on device): ";
  if (error.find("File too large") != std::string::npos)
    return "the file size limit was reached (File too large; see ulimit -f): ";
  if (error.find("Disk quota exceeded") != std::string::npos) return "the disk quota is exhausted (Disk quota exceeded): ";
  return "";
}

struct RunLog::Impl {
  std::filesystem::path path;
  bool record_step_prices = true;
  std::vector<std::size_t> field_sizes;                      // elements per frame of each frame field
  std::array<std::size_t, kFrameArrayCount> array_sizes{};   // elements per row of each frame array
  std::set<std::string, std::less<>> event_kinds;   // declared in the header

  // caller-side state (the caller's thread only)
  bool closed = false;  // finish() has run
  bool any_step = false, any_day = false;
  StepIndex last_step = 0;
  DayIndex last_step_day = 0, last_day = 0;

  std::unique_ptr<record_detail::RunLogFile> file;  // the writer thread's once it runs

  std::mutex m;
  std::condition_variable not_empty, not_full;
  std::deque<Message> queue;
  std::size_t queued_bytes = 0;

  std::atomic<bool> failed{false};
  std::exception_ptr error;      // first error; set once, before failed
  bool error_reported = false;   // rethrown to the caller at least once (caller's thread)

  std::thread writer;
  bool file_warned = false;   // the writer thread's: one warning for files it could not write

  void push(Message msg) {
    const std::size_t bytes = estimate_bytes(msg);
    std::unique_lock lock(m);
    not_full.wait(lock, [&] {
      return queue.empty() || (queued_bytes + bytes <= kMaxQueuedBytes && queue.size() < kMaxQueuedMessages);
    });
    queued_bytes += bytes;
    queue.push_back(std::move(msg));
    lock.unlock();
    not_empty.notify_one();
  }

  void rethrow_if_failed() {
    if (failed.load(std::memory_order_acquire)) {
      error_reported = true;
      std::rethrow_exception(error);
    }
  }

  void check_open(const char* call) {
    if (closed) throw std::logic_error(std::string("RunLog::") + call + " called after finish() on '" + path.string() + "'");
    rethrow_if_failed();
  }

  void record_error(std::exception_ptr e) {
    if (!failed.load(std::memory_order_relaxed)) {
      error = std::move(e);
      failed.store(true, std::memory_order_release);
    }
  }

  // The writer thread: takes whole batches off the queue, applies them under the HDF5 lock.
  void run() {
    bool done = false;
    std::deque<Message> batch;
    while (!done) {
      {
        std::unique_lock lock(m);
        not_empty.wait(lock, [&] { return !queue.empty(); });
        batch.swap(queue);
        queued_bytes = 0;
      }
      not_full.notify_all();
      h5::Session session;
      for (Message& msg : batch) {
        if (std::holds_alternative<FinishMsg>(msg) || std::holds_alternative<CloseMsg>(msg)) done = true;
        if (auto* sync = std::get_if<SyncMsg>(&msg)) {
          sync->done->set_value();
          continue;
        }
        if (auto* f = std::get_if<FileMsg>(&msg)) {   // after the days queued before it: published
          if (failed.load(std::memory_order_relaxed)) continue;
          if (const std::string why = replace_file(f->path, std::string_view(f->bytes.data(), f->bytes.size()));
              !why.empty() && !file_warned) {
            file_warned = true;
            std::fprintf(stderr, "stampede: warning: %s (%s); the run goes on without it\n", f->path.c_str(), why.c_str());
          }
          continue;
        }
        if (failed.load(std::memory_order_relaxed) || !file) continue;  // after an error: drain only
        try {
          std::visit(
              [&](auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, StepFrame>) file->add_step(x);
                else if constexpr (std::is_same_v<T, DayFrame>) file->add_day(x);
                else if constexpr (std::is_same_v<T, EventsMsg>) file->add_events(x.kind, x.rows);
                else if constexpr (std::is_same_v<T, AttributeMsg>) file->set_attribute(x.name, x.value);
                else if constexpr (std::is_same_v<T, FinishMsg>) {
                  file->set_attribute("writer_cpu_seconds", thread_cpu_seconds());   // the recorder's cost, measurable per run
                  file->finish(x.wall_seconds);
                }
                else if constexpr (std::is_same_v<T, InterruptMsg>) file->mark_interrupted(x.signal, x.last_step, x.day);
                else if constexpr (std::is_same_v<T, CloseMsg>) file->close();
              },
              msg);
        } catch (const std::exception& e) {
          // The working copy may be half written (a full disk): it is dropped, and the log keeps
          // what was last published (every completed day), with complete = 0 and the error.
          const std::string what = e.what();
          const std::string cause = out_of_space_cause(what);   // the usual causes, said first and plainly
          record_error(std::make_exception_ptr(std::runtime_error(cause + what + "; " + abandon(cause + what))));
        } catch (...) {
          abandon("unknown error");
          record_error(std::current_exception());
        }
      }
      batch.clear();
    }
    // Closes whatever is still open (after an error, abandon() has closed the file already).
    h5::Session session;
    file.reset();
  }

  // The writer thread, after an error: the log keeps its published days (never marked complete).
  std::string abandon(const std::string& error) {
    try {
      return file->abandon(error);
    } catch (const std::exception& e) {
      return std::string("the run log could not be closed: ") + e.what();
    }
  }
};

RunLog::RunLog(const std::filesystem::path& path, RunHeader header, const RunLogPrefix* prefix) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.path = path;
  validate_header(header);
  s.record_step_prices = header.record_step_prices;
  s.field_sizes = frame_field_sizes(header);
  s.array_sizes = frame_array_sizes(header);
  for (const EventKind& k : header.event_kinds) s.event_kinds.insert(k.name);

  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      throw std::runtime_error("cannot create run log '" + path.string() + "': cannot create directory '" +
                               path.parent_path().string() + "': " + ec.message());
  }
  {
    h5::Session session;
    s.file = std::make_unique<record_detail::RunLogFile>(path, header, prefix);  // h5::Error is a runtime_error
  }
  try {
    s.writer = std::thread([&s] { s.run(); });
  } catch (...) {
    h5::Session session;
    s.file.reset();
    throw;
  }
}

RunLog::~RunLog() {
  if (!impl_ || !impl_->writer.joinable()) return;
  Impl& s = *impl_;
  try {
    s.push(CloseMsg{});
  } catch (...) {
    // push only allocates; if even that fails, the writer cannot be told to stop cleanly
    std::terminate();
  }
  s.writer.join();
  if (s.failed.load() && !s.error_reported) {
    try {
      std::rethrow_exception(s.error);
    } catch (const std::exception& e) {
      std::cerr << "stampede: run log '" << s.path.string() << "' failed: " << e.what() << '\n';
    } catch (...) {
      std::cerr << "stampede: run log '" << s.path.string() << "' failed\n";
    }
  }
}

const std::filesystem::path& RunLog::path() const { return impl_->path; }

void RunLog::write_step(StepFrame frame) {
  Impl& s = *impl_;
  s.check_open("write_step");
  check_frame_fields(frame, &FrameFieldSpec::of_step, s.field_sizes, "StepFrame");
  check_frame_arrays(frame.arrays, ArrayTime::step, s.array_sizes, "StepFrame");
  if (s.any_step) {
    if (frame.step <= s.last_step) require(false, "step " + std::to_string(frame.step) + " does not follow step " + std::to_string(s.last_step));
    if (frame.day < s.last_step_day) require(false, "step " + std::to_string(frame.step) + " is on day " + std::to_string(frame.day) +
                                               ", before the previous step's day " + std::to_string(s.last_step_day));
  }
  if (!s.record_step_prices) frame.last_price = {};
  s.any_step = true;
  s.last_step = frame.step;
  s.last_step_day = frame.day;
  s.push(std::move(frame));
}

void RunLog::write_day(DayFrame frame) {
  Impl& s = *impl_;
  s.check_open("write_day");
  check_frame_fields(frame, &FrameFieldSpec::of_day, s.field_sizes, "DayFrame");
  check_frame_arrays(frame.arrays, ArrayTime::day, s.array_sizes, "DayFrame");
  require(record_detail::days_since_epoch(frame.date).has_value(),
          "DayFrame.date '" + frame.date + "' is not an ISO calendar date (YYYY-MM-DD)");
  if (s.any_day)
    if (frame.day <= s.last_day) require(false, "day " + std::to_string(frame.day) + " does not follow day " + std::to_string(s.last_day));
  s.any_day = true;
  s.last_day = frame.day;
  s.push(std::move(frame));
}

void RunLog::write_events(const std::string& kind, std::vector<EventRow> rows) {
  Impl& s = *impl_;
  s.check_open("write_events");
  if (s.event_kinds.count(kind) == 0)
    require(false, "event kind '" + kind + "' is not declared (every kind the run log accepts is listed in "
                   "sim/record/event_kinds.def, so every log has the same tables)");
  s.push(EventsMsg{kind, std::move(rows)});
}

void RunLog::set_attribute(const std::string& name, double value) {
  Impl& s = *impl_;
  s.check_open("set_attribute");
  require(!name.empty(), "attribute name is empty");
  for (const char* r : kReservedAttributes)
    require(name != r, "attribute '" + name + "' is reserved by the run log schema");
  s.push(AttributeMsg{name, value});
}

void RunLog::write_file(const std::filesystem::path& path, std::vector<char> bytes) {
  Impl& s = *impl_;
  s.check_open("write_file");
  s.push(FileMsg{path, std::move(bytes)});
}

void RunLog::sync() {
  Impl& s = *impl_;
  s.check_open("sync");
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> f = done->get_future();
  s.push(SyncMsg{std::move(done)});
  f.wait();
}

void RunLog::mark_interrupted(int signal, StepIndex last_step, DayIndex day) {
  Impl& s = *impl_;
  s.check_open("mark_interrupted");
  s.push(InterruptMsg{signal, last_step, day});
}

void RunLog::close() {
  Impl& s = *impl_;
  if (s.closed) throw std::logic_error("RunLog::close called after finish() or close() on '" + s.path.string() + "'");
  s.closed = true;
  s.push(CloseMsg{});
  s.writer.join();
  if (s.failed.load(std::memory_order_acquire)) {
    s.error_reported = true;
    std::rethrow_exception(s.error);
  }
}

void RunLog::finish(double wall_seconds) {
  Impl& s = *impl_;
  if (s.closed) throw std::logic_error("RunLog::finish called twice on '" + s.path.string() + "'");
  s.closed = true;
  s.push(FinishMsg{wall_seconds});
  s.writer.join();
  if (s.failed.load(std::memory_order_acquire)) {
    s.error_reported = true;
    std::rethrow_exception(s.error);
  }
}

}  // namespace stampede
