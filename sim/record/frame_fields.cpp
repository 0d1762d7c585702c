#include "sim/record/frame_fields.hpp"

#include <algorithm>
#include <stdexcept>

namespace stampede {
namespace {

template <FieldTime T> struct FrameOfTime;
template <> struct FrameOfTime<FieldTime::header> { using type = RunHeader; };
template <> struct FrameOfTime<FieldTime::step> { using type = StepFrame; };
template <> struct FrameOfTime<FieldTime::day> { using type = DayFrame; };
template <FieldTime T> using FrameOf = typename FrameOfTime<T>::type;

// The element type a declared type stands for; a .def line whose member has another type does
// not compile (static_assert in field below).
template <FieldType T> struct ElementOfType;
template <> struct ElementOfType<FieldType::u8> { using type = std::uint8_t; };
template <> struct ElementOfType<FieldType::i32> { using type = std::int32_t; };
template <> struct ElementOfType<FieldType::i64> { using type = std::int64_t; };
template <> struct ElementOfType<FieldType::f64> { using type = double; };
template <> struct ElementOfType<FieldType::str> { using type = std::string; };

// A view that remembers its element type, so the table can check it at compile time.
template <class E>
struct TypedView {
  FieldView view;
};

template <class E>
TypedView<E> view_values(const std::vector<E>& v) {
  return {{v.data(), v.size(), sizeof(E), v.data(), v.size() * sizeof(E)}};
}
template <class E>
TypedView<E> view_one(const E& x) {
  return {{&x, 1, sizeof(E), nullptr, 0}};
}
template <class Row, class E>
TypedView<E> view_column(const std::vector<Row>& rows, E Row::*member) {
  const void* first = rows.empty() ? nullptr : static_cast<const void*>(&(rows.front().*member));
  return {{first, rows.size(), sizeof(Row), rows.data(), rows.size() * sizeof(Row)}};
}

// "VALUES(open)" -> "open", "COLUMN(agents, nav)" -> "agents", "VALUES(stocks.segment)" -> "stocks.segment"
std::string member_of(const char* fill) {
  std::string s = fill;
  const std::size_t open = s.find('('), end = s.find_first_of(",)", open + 1);
  return s.substr(open + 1, end - open - 1);
}

template <FieldTime Time, FieldType Type, class Fill>
FrameFieldSpec field(const char* group, const char* name, const char* axes, const char* units, const char* long_name,
                     const char* fill_text, Fill, FieldOption option,
                     const std::vector<std::string>* (*flag_names)(const RunHeader&)) {
  using Frame = FrameOf<Time>;
  using Element = typename ElementOfType<Type>::type;
  static_assert(std::is_same_v<std::invoke_result_t<Fill, const Frame&>, TypedView<Element>>,
                "frame_fields.def: the member's element type is not the declared type");
  FrameFieldSpec s{Time, group, name, Type, parse_axes(axes, "frame_fields.def"), units, long_name, member_of(fill_text),
                   option, flag_names};
  // Captureless lambdas are default-constructible (C++20): Fill{} is the .def's accessor.
  auto erased = [](const Frame& f) { return Fill{}(f).view; };
  if constexpr (Time == FieldTime::header) s.of_header = erased;
  if constexpr (Time == FieldTime::step) s.of_step = erased;
  if constexpr (Time == FieldTime::day) s.of_day = erased;
  return s;
}

}  // namespace

const std::vector<FrameFieldSpec>& declared_frame_fields() {
#define VALUES(m) view_values(f.m)
#define ONE(m) view_one(f.m)
#define COLUMN(rows, m) view_column(f.rows, &std::decay_t<decltype(f.rows)>::value_type::m)
#define NONE FieldOption::none, nullptr
#define STEP_PRICES FieldOption::step_prices, nullptr
#define FLAGS(list) FieldOption::flags, [](const RunHeader& h) { return &h.list; }
#define STAMPEDE_FRAME_FIELD(time, group, name, type, axes, units, long_name, fill, options)                   \
  field<FieldTime::time, FieldType::type>(group, name, axes, units, long_name, #fill,                         \
                                          [](const FrameOf<FieldTime::time>& f) { return fill; }, options),
  static const std::vector<FrameFieldSpec> specs{
#include "sim/record/frame_fields.def"
  };
#undef STAMPEDE_FRAME_FIELD
#undef FLAGS
#undef STEP_PRICES
#undef NONE
#undef COLUMN
#undef ONE
#undef VALUES
  return specs;
}

std::size_t axis_extent(ArrayAxis axis, const RunHeader& h) {
  switch (axis) {
    case ArrayAxis::stock: return h.stocks.names.size();
    case ArrayAxis::futures_slot: return h.futures_slots.size();
    case ArrayAxis::agent_class: return h.agent_classes.size();
    case ArrayAxis::agent: return h.daily_agent_names.size();
    case ArrayAxis::segment: return h.segment_names.size();
  }
  return 0;
}

std::size_t row_elements(const std::vector<ArrayAxis>& axes, const RunHeader& h) {
  std::size_t n = 1;
  for (ArrayAxis a : axes) n *= axis_extent(a, h);
  return n;
}

std::string per_element_words(const std::vector<ArrayAxis>& axes) {
  if (axes.empty()) return "value";
  std::string out;
  for (ArrayAxis a : axes) {
    std::string word = a == ArrayAxis::futures_slot ? "futures slot" : a == ArrayAxis::agent_class ? "agent class"
                       : a == ArrayAxis::agent     ? "daily agent"  : to_string(a);
    out += (out.empty() ? "" : " and ") + word;
  }
  return out;
}

std::size_t field_type_bytes(FieldType t) {
  switch (t) {
    case FieldType::u8: return 1;
    case FieldType::i32: return 4;
    case FieldType::i64: return 8;
    case FieldType::f64: return 8;
    case FieldType::str: return sizeof(const char*);
  }
  return 8;
}

const char* to_string(FieldType t) {
  switch (t) {
    case FieldType::u8: return "u8";
    case FieldType::i32: return "i32";
    case FieldType::i64: return "i64";
    case FieldType::f64: return "f64";
    case FieldType::str: return "str";
  }
  return "?";
}

const char* to_string(FieldTime t) {
  switch (t) {
    case FieldTime::header: return "header";
    case FieldTime::step: return "step";
    case FieldTime::day: return "day";
  }
  return "?";
}

namespace {

template <class Frame>
std::size_t fields_queued_bytes(const Frame& f, FieldView (*FrameFieldSpec::*of)(const Frame&)) {
  std::vector<const void*> counted;   // a container several fields view (agents, flows) counts once
  std::size_t total = 0;
  for (const FrameFieldSpec& s : declared_frame_fields()) {
    if (s.*of == nullptr) continue;
    const FieldView v = (s.*of)(f);
    if (v.storage == nullptr || std::find(counted.begin(), counted.end(), v.storage) != counted.end()) continue;
    counted.push_back(v.storage);
    total += s.type == FieldType::str ? v.count * kQueuedStringBytes : v.storage_bytes;
  }
  return total + f.arrays.bytes();
}

}  // namespace

std::size_t queued_bytes(const StepFrame& f) { return fields_queued_bytes(f, &FrameFieldSpec::of_step); }
std::size_t queued_bytes(const DayFrame& f) { return fields_queued_bytes(f, &FrameFieldSpec::of_day); }

}  // namespace stampede
