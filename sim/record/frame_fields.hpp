#pragma once
// The run log's datasets filled from named members of RunHeader, StepFrame and DayFrame
// (frame_fields.def): their shapes, and a view of a frame's values for each. The layout, the
// appends, RunLog's size checks and queue estimate, and closing all walk this one list, so a
// dataset declared there cannot be forgotten by any of them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "sim/record/frame_arrays.hpp"
#include "sim/record/run_log.hpp"

namespace stampede {

enum class FieldTime : std::uint8_t { header, step, day };
enum class FieldType : std::uint8_t { u8, i32, i64, f64, str };
enum class FieldOption : std::uint8_t { none, flags, step_prices };

// Where one frame holds a field's values: `count` elements, `stride` bytes apart from `first`.
// `storage` / `storage_bytes`: the container they live in (nullptr for a member of the frame
// itself), for the queue's byte estimate, which counts each container once.
struct FieldView {
  const void* first = nullptr;
  std::size_t count = 0;
  std::size_t stride = 0;
  const void* storage = nullptr;
  std::size_t storage_bytes = 0;
};

struct FrameFieldSpec {
  FieldTime time;
  std::string group;   // "market/stocks"; "" for the root
  std::string name;    // "open"
  FieldType type;
  std::vector<ArrayAxis> axes;   // after the time axis (header fields: all of them)
  std::string units, long_name;
  std::string member;  // the frame member the values come from, for messages: "open", "agents"
  FieldOption option;
  // FieldOption::flags: the header's names of codes 0..n-1
  const std::vector<std::string>* (*flag_names)(const RunHeader&) = nullptr;
  // The values in one frame; exactly the one matching `time` is set.
  FieldView (*of_header)(const RunHeader&) = nullptr;
  FieldView (*of_step)(const StepFrame&) = nullptr;
  FieldView (*of_day)(const DayFrame&) = nullptr;

  std::string path() const { return group.empty() ? name : group + "/" + name; }   // "market/stocks/open"
};

// Every field of frame_fields.def, in its order.
const std::vector<FrameFieldSpec>& declared_frame_fields();

// Length of `axis` in a log with this header.
std::size_t axis_extent(ArrayAxis axis, const RunHeader& h);
// Elements per row (per frame) of a dataset with these axes after its first: their product.
std::size_t row_elements(const std::vector<ArrayAxis>& axes, const RunHeader& h);
// "stock", "agent class and segment": what one element of a row is per, in words.
std::string per_element_words(const std::vector<ArrayAxis>& axes);
std::size_t field_type_bytes(FieldType t);   // bytes of one element in memory (str: a const char*)
const char* to_string(FieldType t);          // "f64", ...
const char* to_string(FieldTime t);          // "header", "step", "day"

// Bytes a queued frame holds on the heap beyond sizeof(frame), by its declared fields and
// arrays: each container once (a std::string counted as kQueuedStringBytes).
std::size_t queued_bytes(const StepFrame& f);
std::size_t queued_bytes(const DayFrame& f);
inline constexpr std::size_t kQueuedStringBytes = 40;

}  // namespace stampede
