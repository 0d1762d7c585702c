#pragma once
// Internal to stampede_record: writes the declared frame arrays (frame_arrays.def) of the run
// log. It creates each dataset in its group (and the groups the layout lacks, with their own
// coordinates), buffers step rows until the day's flush and writes day rows as they come. Same
// rules as RunLogFile: the writer thread only, with an h5::Session held.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/record/frame_arrays.hpp"
#include "sim/record/group_axes.hpp"
#include "sim/record/h5_handle.hpp"
#include "sim/record/h5_write.hpp"
#include "sim/record/run_log.hpp"

namespace stampede::record_detail {

class FrameArrayWriter {
 public:
  // `axes_of("/market/stocks/")` gives the coordinates of a group the layout already has, or
  // nullptr; a group it does not know is created here, its parents included.
  void create(hid_t file, const RunHeader& h, const ChunkShapes& chunks, DimensionIds& ids, hid_t vlen_str,
              const std::function<GroupAxes*(const std::string&)>& axes_of, const std::string& where);
  void add_step(const FrameArrays& values);
  // Writes the buffered step rows; `steps` and `days` are the step coordinates of those rows.
  void flush_steps(hsize_t rows, const std::int64_t* steps, const std::int32_t* days, const std::string& where);
  void add_day(DayIndex day, const std::string& date, const FrameArrays& values, const std::string& where);
  void reset();

 private:
  struct Array {
    const FrameArraySpec* spec = nullptr;
    Series series;
    hsize_t cols = 1;                    // elements per row
    std::size_t elem = 8;                // bytes per element
    bool subset = false;                 // only the recorded stocks' columns are written
    std::vector<unsigned char> pending;  // step rows not yet written
    bool pending_values = false;         // some pending row came with values (else: rows of fill only)
    std::vector<unsigned char> fill_row; // one row of the fill value
  };
  void append(Array& a, hsize_t rows, const void* data, bool has_values, const std::string& what);

  std::vector<Array> arrays_;
  std::vector<std::pair<hsize_t, hsize_t>> recorded_runs_;   // [first, last) stock columns recorded
  bool all_stocks_recorded_ = true;
  std::map<std::string, GroupAxes> own_axes_;   // coordinates of the groups created here
  std::vector<h5::Handle> own_groups_;
};

}  // namespace stampede::record_detail
