#include "sim/record/frame_arrays.hpp"

#include <sstream>

namespace stampede {
std::vector<ArrayAxis> parse_axes(const std::string& text, const char* def_file) {
  std::vector<ArrayAxis> out;
  std::stringstream in(text);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name == "stock") out.push_back(ArrayAxis::stock);
    else if (name == "futures_slot") out.push_back(ArrayAxis::futures_slot);
    else if (name == "agent_class") out.push_back(ArrayAxis::agent_class);
    else if (name == "agent") out.push_back(ArrayAxis::agent);
    else if (name == "segment") out.push_back(ArrayAxis::segment);
    else throw std::logic_error(std::string(def_file) + ": unknown axis '" + name + "'");
  }
  return out;
}

const std::vector<FrameArraySpec>& declared_frame_arrays() {
  static const std::vector<FrameArraySpec> specs{
#define STAMPEDE_FRAME_ARRAY(id, time, group, name, type, axes, recorded, fill, units, long_name)                     \
  FrameArraySpec{FrameArray::id, ArrayTime::time, group,  name, ArrayType::type, parse_axes(axes, "frame_arrays.def"), ArrayRecorded::recorded, \
                 fill,           units,          long_name},
#include "sim/record/frame_arrays.def"
#undef STAMPEDE_FRAME_ARRAY
  };
  return specs;
}

const char* to_string(ArrayAxis axis) {
  switch (axis) {
    case ArrayAxis::stock: return "stock";
    case ArrayAxis::futures_slot: return "futures_slot";
    case ArrayAxis::agent_class: return "agent_class";
    case ArrayAxis::agent: return "agent";
    case ArrayAxis::segment: return "segment";
  }
  return "?";
}

void FrameArrays::check_type(FrameArray a, ArrayType want) {
  if (spec_of(a).type != want)
    throw std::logic_error("frame array " + spec_of(a).group + "/" + spec_of(a).name + " is not of the type asked for");
}

std::size_t FrameArrays::size(FrameArray a) const {
  const auto k = static_cast<std::size_t>(a);
  switch (spec_of(a).type) {
    case ArrayType::i32: return i32_[k].size();
    case ArrayType::i64: return i64_[k].size();
    case ArrayType::f64: return f64_[k].size();
  }
  return 0;
}

const void* FrameArrays::data(FrameArray a) const {
  const auto k = static_cast<std::size_t>(a);
  switch (spec_of(a).type) {
    case ArrayType::i32: return i32_[k].data();
    case ArrayType::i64: return i64_[k].data();
    case ArrayType::f64: return f64_[k].data();
  }
  return nullptr;
}

std::size_t FrameArrays::bytes() const {
  std::size_t total = 0;
  for (const auto& v : i32_) total += v.size() * sizeof(std::int32_t);
  for (const auto& v : i64_) total += v.size() * sizeof(std::int64_t);
  for (const auto& v : f64_) total += v.size() * sizeof(double);
  return total;
}

}  // namespace stampede
