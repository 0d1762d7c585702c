#pragma once
// Internal to stampede_record: the HDF5 side of the run log. RunLogFile knows the file layout
// (docs/hdf5-schema.md; created in run_log_layout.cpp, the declared datasets by their writers)
// and buffers rows so the file is written in few, large hyperslabs: step
// rows a day at a time, events per kind until the day ends. It is not thread-safe: the RunLog
// constructor builds it, then only the writer thread touches it; every call must be made with an
// h5::Session held.
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/record/frame_array_writer.hpp"
#include "sim/record/frame_field_writer.hpp"
#include "sim/record/group_axes.hpp"
#include "sim/record/h5_handle.hpp"
#include "sim/record/h5_write.hpp"
#include "sim/record/run_log.hpp"
#include "sim/record/shadow_file.hpp"

namespace stampede::record_detail {

// Event row as laid out in memory for H5Dwrite; the file type is the packed version of it.
struct PackedEvent {
  std::int64_t step;
  std::int32_t day;
  std::int32_t agent_id;
  char agent_class[kEventClassBytes];
  std::int32_t instrument;
  std::int64_t quantity;
  double price;
  char reason[kEventReasonBytes];
};

class RunLogFile {
 public:
  // With `prefix` (a resumed run): starts with the prefix's days (log_prefix.hpp).
  RunLogFile(const std::filesystem::path& path, const RunHeader& header, const RunLogPrefix* prefix = nullptr);
  ~RunLogFile();  // closes whatever is still open, ignoring errors
  RunLogFile(const RunLogFile&) = delete;
  RunLogFile& operator=(const RunLogFile&) = delete;

  void add_step(const StepFrame& frame);
  // Writes the pending steps, the day and the pending events, then H5Fflush.
  void add_day(const DayFrame& frame);
  void add_events(const std::string& kind, const std::vector<EventRow>& rows);
  void set_attribute(const std::string& name, double value);
  void mark_interrupted(int signal, StepIndex last_step, DayIndex day);
  // Writes everything pending; finish() also sets wall_time_seconds and complete = 1. Both close.
  void finish(double wall_seconds);
  void close();
  // After an error: closes everything without writing more, keeps the last published copy at the
  // path (complete = 0) and records `error` in it (root attribute "error"). Returns what was
  // left, in words, for the error message. Nothing else may be called afterwards.
  std::string abandon(const std::string& error);

 private:
  static constexpr int kEventFields = 8;   // step, day, agent_id, agent_class, instrument, quantity, price, reason
  struct EventSeries {
    Series series;
    h5::Handle row_dim;   // the table's netCDF dimension /<kind>_row, extended with it
    Series columns[kEventFields];   // /event_columns/<kind>/<field>: the same rows, one dataset per field
    std::vector<PackedEvent> pending;
  };

  // The layout (run_log_layout.cpp), in this order: root attributes, groups, /meta, coordinates,
  // /market/driver, the declared fields, /agents, the declared arrays, the event tables.
  void create_layout(const RunHeader& header);
  h5::Handle new_group(hid_t loc, const char* name) const;   // make_group, named in errors
  void write_root_attributes(const RunHeader& header);
  void write_meta(hid_t g_meta, const RunHeader& header);
  void create_coordinates(const RunHeader& header);
  void create_driver_table(hid_t g_market, const DriverTable& driver);
  void create_agent_groups(const RunHeader& header);
  void create_event_tables(const RunHeader& header);
  void write_char_labels(const std::string& name, const std::vector<std::string>& values);
  void flush_steps();
  void flush_events();
  void write_events(const std::string& kind, EventSeries& ev);
  void close_handles_quietly();
  std::string where(const std::string& what) const;

  std::string path_;
  int days_published_ = 0;
  hsize_t step_block_ = 1;  // steps buffered before a write (a day's worth)
  ChunkShapes chunks_;
  DimensionIds dim_ids_;

  h5::Handle file_;
  h5::Handle g_stocks_, g_index_, g_futures_, g_events_;
  h5::Handle vlen_str_;       // memory type for variable-length UTF-8 strings
  h5::Handle event_mem_type_, event_file_type_;
  h5::Handle g_event_columns_, one_char_;   // /event_columns; the memory type of its text columns
  // every group's coordinates (group_axes.hpp); the root's are the reference copy
  GroupAxes root_axes_, stocks_axes_, index_axes_, futures_axes_, classes_axes_, daily_axes_, flows_axes_;
  std::array<GroupAxes*, 7> all_axes() {
    return {&root_axes_, &stocks_axes_, &index_axes_, &futures_axes_, &classes_axes_, &daily_axes_, &flows_axes_};
  }

  // the step coordinates of the pending step rows
  std::vector<std::int64_t> b_step_;
  std::vector<std::int32_t> b_day_of_step_;

  FrameFieldWriter fields_;         // the datasets of frame_fields.def
  FrameArrayWriter frame_arrays_;   // the datasets of frame_arrays.def
  std::map<std::string, EventSeries> events_;
  std::unique_ptr<ShadowFile> shadow_;   // declared last: outlives file_, which writes through it
};

}  // namespace stampede::record_detail
