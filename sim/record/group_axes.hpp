#pragma once
// Internal to stampede_record: the coordinates each group of the run log carries. netCDF readers
// look a dimension's coordinate variable up in the variable's own group, and xarray opens one
// group at a time, so every group holds its own copy of the dimension scales its datasets use
// (the root's values), plus, on the day axis, the date and its CF time and, on the step axis, the
// day of each step (docs/hdf5-schema.md, "Coordinates in every group").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/record/h5_write.hpp"
#include "sim/record/run_log.hpp"

namespace stampede::record_detail {

enum Axis : unsigned {
  kStepAxis = 1u << 0,
  kDayAxis = 1u << 1,
  kStockAxis = 1u << 2,
  kSlotAxis = 1u << 3,
  kClassAxis = 1u << 4,
  kAgentAxis = 1u << 5,
  kSegmentAxis = 1u << 6,
};

// The scale of a declared axis (frame_arrays.def, frame_fields.def).
Axis axis_of(ArrayAxis a);

// The CF time coordinate: whole days since this date, which xarray decodes to datetime64.
inline constexpr const char* kTimeUnits = "days since 1970-01-01";

// Days from 1970-01-01 to an ISO date "YYYY-MM-DD"; nothing if the text is not a calendar date.
std::optional<std::int32_t> days_since_epoch(std::string_view iso);

// netCDF-4 gives every dimension of a file its own id (_Netcdf4Dimid); this hands them out.
struct DimensionIds {
  std::int32_t next = 0;
  std::int32_t take() { return next++; }
};

struct GroupAxes {
  std::string path;                                  // "/" or "/market/stocks/"
  Series step, day_of_step, day, date, time;         // growing; ds invalid when the group lacks the axis
  h5::Handle stock, slot, agent_class, agent, segment;

  hid_t scale(Axis axis) const;
  // Attaches the group's scales to every axis of `ds` (`axes` in axis order) and, for a step or
  // day first axis, lists that axis's coordinates in the CF `coordinates` attribute.
  void label(hid_t ds, std::initializer_list<Axis> axes, const std::string& what) const {
    label(ds, std::vector<Axis>(axes), what);
  }
  void label(hid_t ds, const std::vector<Axis>& axes, const std::string& what) const;
  void append_steps(hsize_t n, const std::int64_t* steps, const std::int32_t* days, const std::string& where);
  void append_day(std::int32_t day, const std::string& date, const std::string& where);
  void reset();
};

// Creates the scales of `axes` (a set of Axis bits) in `group`, whose path is `path`. `vlen_str`
// (the memory type of the dates) must outlive the result.
GroupAxes make_group_axes(hid_t group, std::string path, unsigned axes, const RunHeader& h, const ChunkShapes& chunks,
                          DimensionIds& ids, hid_t vlen_str, const std::string& where);

}  // namespace stampede::record_detail
