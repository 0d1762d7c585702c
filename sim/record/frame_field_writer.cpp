#include "sim/record/frame_field_writer.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace stampede::record_detail {
namespace {

struct Types {
  hid_t file, mem;
};
Types types_of(FieldType t, hid_t vlen_str) {
  switch (t) {
    case FieldType::u8: return {H5T_STD_U8LE, H5T_NATIVE_UINT8};
    case FieldType::i32: return {H5T_STD_I32LE, H5T_NATIVE_INT32};
    case FieldType::i64: return {H5T_STD_I64LE, H5T_NATIVE_INT64};
    case FieldType::f64: return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
    case FieldType::str: return {vlen_str, vlen_str};
  }
  return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
}

// The dataset of a field: header fields fixed ([axis]), step and day fields growing ([time] or
// [time, axis]) with the chunk shapes of docs/hdf5-schema.md; [day, a, b] chunks hold one or more
// whole rows of b (b is short: segments) and as many of a as fit a day-axis chunk.
DatasetSpec spec_of(const FrameFieldSpec& s, hid_t file_type, const std::vector<hsize_t>& tail, const ChunkShapes& chunks,
                    const std::string& what) {
  const char* units = s.units.c_str();
  if (s.time == FieldTime::header) {
    if (tail.size() != 1) throw std::logic_error(what + ": header fields have exactly one axis");
    return ChunkShapes::fixed_spec(s.name, file_type, tail[0], units, s.long_name);
  }
  DatasetSpec spec;
  if (tail.size() <= 1) {
    const hsize_t width = tail.empty() ? kOneD : tail[0];
    spec = s.time == FieldTime::step ? chunks.step_spec(s.name, file_type, width, units, s.long_name)
                                     : chunks.day_spec(s.name, file_type, width, units, s.long_name);
  } else if (tail.size() == 2 && s.time == FieldTime::day) {
    const hsize_t na = tail[0], nb = tail[1];
    const hsize_t cb = std::max<hsize_t>(nb, 1);
    const hsize_t ca = std::clamp<hsize_t>(kMaxDayChunkCols / cb, 1, std::max<hsize_t>(na, 1));
    spec = DatasetSpec{s.name, file_type, {0, na, nb}, {kUnlimited, std::max<hsize_t>(na, 1), cb},
                       {chunks.day_rows(ca * cb, H5Tget_size(file_type)), ca, cb}, true, units, s.long_name};
  } else {
    throw std::logic_error(what + ": frame fields are [header axis], [time], [time, x] or [day, x, y]");
  }
  if (s.type == FieldType::str) spec.compress = false;   // filters would only see the heap pointers of variable-length strings
  return spec;
}

}  // namespace

void FrameFieldWriter::create_group(const std::string& group_name, hid_t group, GroupAxes& axes, const RunHeader& h,
                                    const ChunkShapes& chunks, hid_t vlen_str, const std::string& where) {
  if (std::find(created_groups_.begin(), created_groups_.end(), group_name) != created_groups_.end())
    throw std::logic_error("frame fields of group '" + group_name + "' created twice");
  created_groups_.push_back(group_name);
  const std::string at = where + "/" + (group_name.empty() ? "" : group_name + "/");
  for (const FrameFieldSpec& s : declared_frame_fields()) {
    if (s.group != group_name) continue;
    const std::string what = at + s.name;
    const Types t = types_of(s.type, vlen_str);
    std::vector<hsize_t> tail;
    for (ArrayAxis a : s.axes) tail.push_back(axis_extent(a, h));
    const DatasetSpec spec = spec_of(s, t.file, tail, chunks, what);
    std::vector<Axis> dims;
    if (s.time == FieldTime::step) dims.push_back(kStepAxis);
    if (s.time == FieldTime::day) dims.push_back(kDayAxis);
    for (ArrayAxis a : s.axes) dims.push_back(axis_of(a));

    Field field;
    field.spec = &s;
    field.elem = field_type_bytes(s.type);
    if (s.time == FieldTime::header) {   // written now, never touched again
      field.series.ds = make_dataset(group, spec, at);
      const FieldView v = s.of_header(h);
      if (v.count > 0) write_all(field.series.ds.get(), t.mem, row_of(field, v), what);
    } else {
      if (s.time == FieldTime::step && s.type == FieldType::str)
        throw std::logic_error(what + ": a step field cannot be text (its rows are buffered past the frame)");
      field.series = make_series(group, spec, t.mem, at);
      field.skipped = s.option == FieldOption::step_prices && !h.record_step_prices;
    }
    axes.label(field.series.ds.get(), dims, what);
    if (s.option == FieldOption::flags) {
      const std::vector<std::string>& names = *s.flag_names(h);
      if (s.type == FieldType::u8) write_flags(field.series.ds.get(), names);
      else if (s.type == FieldType::i32) write_int32_flags(field.series.ds.get(), names);
      else throw std::logic_error(what + ": flags need a u8 or i32 field");
    }
    if (s.time == FieldTime::header) field.series.ds.reset();
    fields_.push_back(std::move(field));
  }
}

void FrameFieldWriter::check_all_created() const {
  for (const FrameFieldSpec& s : declared_frame_fields())
    if (std::find(created_groups_.begin(), created_groups_.end(), s.group) == created_groups_.end())
      throw std::logic_error("frame_fields.def: /" + s.path() + " is in group '/" + s.group +
                             "', which the run log layout does not create (RunLogFile::create_layout)");
}

const void* FrameFieldWriter::row_of(const Field& f, const FieldView& v) {
  if (f.spec->type == FieldType::str) {
    text_scratch_.resize(v.count);
    for (std::size_t i = 0; i < v.count; ++i)
      text_scratch_[i] = reinterpret_cast<const std::string*>(static_cast<const char*>(v.first) + i * v.stride)->c_str();
    return text_scratch_.data();
  }
  if (v.stride == f.elem || v.count <= 1) return v.first;
  scratch_.resize(v.count * f.elem);
  for (std::size_t i = 0; i < v.count; ++i)
    std::memcpy(scratch_.data() + i * f.elem, static_cast<const char*>(v.first) + i * v.stride, f.elem);
  return scratch_.data();
}

void FrameFieldWriter::add_step(const StepFrame& frame) {
  for (Field& f : fields_) {
    if (f.spec->time != FieldTime::step || f.skipped) continue;
    const FieldView v = f.spec->of_step(frame);
    if (v.count == 0) continue;
    const auto* row = static_cast<const unsigned char*>(row_of(f, v));
    f.pending.insert(f.pending.end(), row, row + v.count * f.elem);
  }
}

void FrameFieldWriter::flush_steps(hsize_t rows, const std::string& where) {
  for (Field& f : fields_) {
    if (f.spec->time != FieldTime::step) continue;
    const std::string what = where + "/" + f.spec->path();
    if (f.skipped) f.series.extend(rows, what);
    else f.series.append(rows, f.pending.data(), what);
    f.pending.clear();
  }
}

void FrameFieldWriter::add_day(const DayFrame& frame, const std::string& where) {
  for (Field& f : fields_) {
    if (f.spec->time != FieldTime::day) continue;
    f.series.append(1, row_of(f, f.spec->of_day(frame)), where + "/" + f.spec->path());
  }
}

void FrameFieldWriter::reset() {
  for (Field& f : fields_) f.series.ds.reset();
}

}  // namespace stampede::record_detail
