#pragma once
// Internal to stampede_record: writes the datasets of frame_fields.def. The layout asks it to
// create one group's fields at the point where that group's datasets belong (so the file's
// creation order is the layout's); it buffers step rows until the day's flush and writes day
// rows as they come. Same rules as RunLogFile: the writer thread only, an h5::Session held.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/record/frame_fields.hpp"
#include "sim/record/group_axes.hpp"
#include "sim/record/h5_handle.hpp"
#include "sim/record/h5_write.hpp"

namespace stampede::record_detail {

class FrameFieldWriter {
 public:
  // Creates the fields of `group_name` ("market/stocks", "" for the root) in `group`, labelled
  // with `axes`, and writes the header fields' values. A group is created once.
  void create_group(const std::string& group_name, hid_t group, GroupAxes& axes, const RunHeader& h,
                    const ChunkShapes& chunks, hid_t vlen_str, const std::string& where);
  // Throws std::logic_error naming any declared field whose group the layout never created.
  void check_all_created() const;
  void add_step(const StepFrame& f);
  void flush_steps(hsize_t rows, const std::string& where);
  void add_day(const DayFrame& f, const std::string& where);
  void reset();

 private:
  struct Field {
    const FrameFieldSpec* spec = nullptr;
    Series series;
    std::size_t elem = 8;                // bytes per element in memory
    bool skipped = false;                // STEP_PRICES with record_step_prices = 0: rows only extend
    std::vector<unsigned char> pending;  // step rows not yet written
  };
  // The frame's values of `f` as one contiguous row: the frame's own memory when the view is
  // contiguous, else gathered into `scratch_`.
  const void* row_of(const Field& f, const FieldView& v);

  std::vector<Field> fields_;
  std::vector<std::string> created_groups_;
  std::vector<unsigned char> scratch_;
  std::vector<const char*> text_scratch_;
};

}  // namespace stampede::record_detail
