#pragma once
// The run log's declared per-frame arrays (frame_arrays.def): their ids, shapes and the values a
// frame carries for them. Declaring a dataset once here replaces the half-dozen places a
// hand-written dataset needs (frame field, size check, queue estimate, buffer, create, write).
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace stampede {

enum class FrameArray : int {
#define STAMPEDE_FRAME_ARRAY(id, time, group, name, type, axes, recorded, fill, units, long_name) id,
#include "sim/record/frame_arrays.def"
#undef STAMPEDE_FRAME_ARRAY
};
inline constexpr std::size_t kFrameArrayCount = 0
#define STAMPEDE_FRAME_ARRAY(...) +1
#include "sim/record/frame_arrays.def"
#undef STAMPEDE_FRAME_ARRAY
    ;

enum class ArrayTime : std::uint8_t { step, day };
enum class ArrayType : std::uint8_t { i32, i64, f64 };
enum class ArrayRecorded : std::uint8_t { always, liquidity_stocks };
// The axes an array can have after its first (time) one.
enum class ArrayAxis : std::uint8_t { stock, futures_slot, agent_class, agent, segment };

struct FrameArraySpec {
  FrameArray id;
  ArrayTime time;
  std::string group;    // "market/stocks"
  std::string name;     // "best_bid"
  ArrayType type;
  std::vector<ArrayAxis> axes;   // after the time axis
  ArrayRecorded recorded;
  std::int64_t fill;    // integer arrays: what an element never written reads as
  std::string units, long_name;
};

// Every array of frame_arrays.def, in its order (index = FrameArray value).
const std::vector<FrameArraySpec>& declared_frame_arrays();
inline const FrameArraySpec& spec_of(FrameArray a) { return declared_frame_arrays()[static_cast<std::size_t>(a)]; }
const char* to_string(ArrayAxis axis);   // the dimension's name: "stock", "futures_slot", ...
// The axes named in a .def line: "stock", "agent_class,futures_slot", "" (none).
std::vector<ArrayAxis> parse_axes(const std::string& text, const char* def_file);

// One frame's values of the declared arrays, row-major over the axes after the time axis. A
// StepFrame carries the step arrays, a DayFrame the day arrays; the others stay empty. The typed
// accessors refuse an array declared with another element type.
class FrameArrays {
 public:
  std::vector<std::int32_t>& i32(FrameArray a) { return typed(a, ArrayType::i32, i32_); }
  std::vector<std::int64_t>& i64(FrameArray a) { return typed(a, ArrayType::i64, i64_); }
  std::vector<double>& f64(FrameArray a) { return typed(a, ArrayType::f64, f64_); }
  const std::vector<std::int32_t>& i32(FrameArray a) const { return typed(a, ArrayType::i32, i32_); }
  const std::vector<std::int64_t>& i64(FrameArray a) const { return typed(a, ArrayType::i64, i64_); }
  const std::vector<double>& f64(FrameArray a) const { return typed(a, ArrayType::f64, f64_); }
  // Elements of array `a` whatever its type, and its bytes (the run log's queue estimate).
  std::size_t size(FrameArray a) const;
  std::size_t bytes() const;
  const void* data(FrameArray a) const;

 private:
  template <class V>
  static V& typed(FrameArray a, ArrayType want, std::array<V, kFrameArrayCount>& all) {
    check_type(a, want);
    return all[static_cast<std::size_t>(a)];
  }
  template <class V>
  static const V& typed(FrameArray a, ArrayType want, const std::array<V, kFrameArrayCount>& all) {
    check_type(a, want);
    return all[static_cast<std::size_t>(a)];
  }
  static void check_type(FrameArray a, ArrayType want);
  std::array<std::vector<std::int32_t>, kFrameArrayCount> i32_;
  std::array<std::vector<std::int64_t>, kFrameArrayCount> i64_;
  std::array<std::vector<double>, kFrameArrayCount> f64_;
};

}  // namespace stampede
