// The run log's HDF5 file over a run (RunLogFile, run_log_file.hpp): created crash-safe, rows
// appended a day at a time, published after each day, closed or abandoned. The layout itself is
// run_log_layout.cpp; the event tables event_tables.cpp.
#include "sim/record/run_log_file.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include "sim/record/log_prefix.hpp"

namespace stampede::record_detail {
namespace {

constexpr std::size_t kEventFlushRows = 1 << 16;
constexpr unsigned kChunkIndexK = 4;   // HDF5's default is 32
constexpr std::size_t kMetadataCacheBytes = std::size_t{4} << 20;
constexpr int kFreeListBytes = 1 << 20;
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
      step_block_(header.steps_per_day > 0 ? static_cast<hsize_t>(header.steps_per_day) : 256) {
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
  fields_.reset();
  frame_arrays_.reset();
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


void RunLogFile::add_step(const StepFrame& f) {
  b_step_.push_back(f.step);
  b_day_of_step_.push_back(f.day);
  fields_.add_step(f);
  frame_arrays_.add_step(f.arrays);
  if (b_step_.size() >= step_block_) flush_steps();
}

void RunLogFile::flush_steps() {
  const hsize_t n = b_step_.size();
  if (n == 0) return;
  for (GroupAxes* g : all_axes()) g->append_steps(n, b_step_.data(), b_day_of_step_.data(), where(""));
  fields_.flush_steps(n, where(""));
  frame_arrays_.flush_steps(n, b_step_.data(), b_day_of_step_.data(), where(""));
  b_step_.clear();
  b_day_of_step_.clear();
}

void RunLogFile::add_day(const DayFrame& f) {
  flush_steps();
  for (GroupAxes* g : all_axes()) g->append_day(f.day, f.date, where(""));
  fields_.add_day(f, where(""));
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
