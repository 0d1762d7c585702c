#include "sim/record/group_axes.hpp"

#include <chrono>

#include "sim/market/calendar.hpp"

namespace stampede::record_detail {

std::optional<std::int32_t> days_since_epoch(std::string_view iso) {
  const std::optional<Date> date = parse_iso_date(iso);
  if (!date) return std::nullopt;
  return static_cast<std::int32_t>(std::chrono::sys_days{*date}.time_since_epoch().count());
}

Axis axis_of(ArrayAxis a) {
  switch (a) {
    case ArrayAxis::stock: return kStockAxis;
    case ArrayAxis::futures_slot: return kSlotAxis;
    case ArrayAxis::agent_class: return kClassAxis;
    case ArrayAxis::agent: return kAgentAxis;
    case ArrayAxis::segment: return kSegmentAxis;
  }
  return kStockAxis;
}

hid_t GroupAxes::scale(Axis axis) const {
  switch (axis) {
    case kStepAxis: return step.ds.get();
    case kDayAxis: return day.ds.get();
    case kStockAxis: return stock.get();
    case kSlotAxis: return slot.get();
    case kClassAxis: return agent_class.get();
    case kAgentAxis: return agent.get();
    case kSegmentAxis: return segment.get();
  }
  return H5I_INVALID_HID;
}

void GroupAxes::label(hid_t ds, const std::vector<Axis>& axes, const std::string& what) const {
  unsigned idx = 0;
  for (Axis a : axes) {
    const hid_t s = scale(a);
    if (s < 0) throw h5::Error(what + ": group " + path + " has no scale for axis " + std::to_string(a));
    attach(ds, s, idx++, what);
  }
  if (axes.empty()) return;
  if (*axes.begin() == kDayAxis) write_string_attribute(ds, "coordinates", "date time");
  if (*axes.begin() == kStepAxis) write_string_attribute(ds, "coordinates", "day_of_step");
}

void GroupAxes::append_steps(hsize_t n, const std::int64_t* steps, const std::int32_t* days, const std::string& where) {
  if (!step.ds.valid()) return;
  step.append(n, steps, where + path + "step");
  day_of_step.append(n, days, where + path + "day_of_step");
}

void GroupAxes::append_day(std::int32_t d, const std::string& iso, const std::string& where) {
  if (!day.ds.valid()) return;
  day.append(1, &d, where + path + "day");
  const char* text = iso.c_str();
  date.append(1, &text, where + path + "date");
  const std::int32_t t = days_since_epoch(iso).value_or(0);   // RunLog::write_day refuses a malformed date
  time.append(1, &t, where + path + "time");
}

void GroupAxes::reset() {
  for (Series* s : {&step, &day_of_step, &day, &date, &time}) s->ds.reset();
  for (h5::Handle* h : {&stock, &slot, &agent_class, &agent, &segment}) h->reset();
}

GroupAxes make_group_axes(hid_t group, std::string path, unsigned axes, const RunHeader& h, const ChunkShapes& chunks,
                          DimensionIds& ids, hid_t vlen_str, const std::string& where) {
  GroupAxes g;
  g.path = std::move(path);
  const std::string at = where + g.path;
  if (axes & kStepAxis) {
    g.step = make_series(group, chunks.step_spec("step", H5T_STD_I64LE, kOneD, "1", "global simulation step index"),
                         H5T_NATIVE_INT64, at);
    make_scale(g.step.ds.get(), "step", ids.take());
  }
  if (axes & kDayAxis) {
    g.day = make_series(group, chunks.day_spec("day", H5T_STD_I32LE, kOneD, "1", "trading-day index"), H5T_NATIVE_INT32, at);
    make_scale(g.day.ds.get(), "day", ids.take());
  }
  auto string_scale = [&](const char* name, const std::vector<std::string>& values, const char* long_name) {
    const hsize_t len = values.size();
    h5::Handle ds = make_dataset(group, ChunkShapes::fixed_spec(name, vlen_str, len, "", long_name), at);
    make_scale(ds.get(), name, ids.take());
    if (len > 0) {
      auto texts = c_strings(values);
      write_all(ds.get(), vlen_str, texts.data(), at + name);
    }
    return ds;
  };
  if (axes & kStockAxis) g.stock = string_scale("stock", h.stocks.names, "stock code");
  if (axes & kSlotAxis) g.slot = string_scale("futures_slot", h.futures_slots, "futures contract slot (front = nearest expiry)");
  if (axes & kClassAxis) g.agent_class = string_scale("agent_class", h.agent_classes, "agent class");
  if (axes & kAgentAxis) g.agent = string_scale("agent", h.daily_agent_names, "agent with a row per day in /agents/daily");
  if (axes & kSegmentAxis)
    g.segment = string_scale("segment", h.segment_names, "market segment (code in /market/stocks/segment)");
  if (axes & kDayAxis) {
    DatasetSpec s = chunks.day_spec("date", vlen_str, kOneD, "", "calendar date of the trading day (ISO 8601)");
    s.compress = false;  // filters would only see the heap pointers of variable-length strings
    g.date = make_series(group, s, vlen_str, at);
    attach(g.date.ds.get(), g.day.ds.get(), 0, at + "date");
    g.time = make_series(group, chunks.day_spec("time", H5T_STD_I32LE, kOneD, kTimeUnits, "calendar date of the trading day"),
                         H5T_NATIVE_INT32, at);
    write_string_attribute(g.time.ds.get(), "standard_name", "time");
    write_string_attribute(g.time.ds.get(), "calendar", "proleptic_gregorian");
    attach(g.time.ds.get(), g.day.ds.get(), 0, at + "time");
  }
  if (axes & kStepAxis) {
    g.day_of_step = make_series(group, chunks.step_spec("day_of_step", H5T_STD_I32LE, kOneD, "1", "trading-day index of the step"),
                                H5T_NATIVE_INT32, at);
    attach(g.day_of_step.ds.get(), g.step.ds.get(), 0, at + "day_of_step");
  }
  return g;
}

}  // namespace stampede::record_detail
