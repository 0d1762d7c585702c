// The /events tables of the run log (RunLogFile, run_log_file.hpp): every declared kind created
// with the file, written a day at a time.
#include <cstddef>
#include <cstring>

#include "sim/record/run_log_file.hpp"

namespace stampede::record_detail {
namespace {

constexpr hsize_t kEventChunkRows = 1024;
constexpr const char* kFieldUnits =
    "step: 1 (global step index); day: 1 (trading-day index); agent_id: 1; agent_class: text; "
    "instrument: 1 (engine instrument id); quantity: share or contract (signed, + buy / - sell); "
    "price: yuan (stocks) or points (futures); reason: text";

// A netCDF dimension without a coordinate variable: a dimension scale that holds no data.
h5::Handle bare_dimension(hid_t loc, const std::string& name, hsize_t size, hsize_t max, const std::string& long_name,
                          DimensionIds& ids, const std::string& where) {
  DatasetSpec spec{name, H5T_IEEE_F32LE, {size}, {max}, {}, false, "1", long_name};
  if (max == kUnlimited) spec.chunk = {kEventChunkRows};
  h5::Handle ds = make_dataset(loc, spec, where);
  make_scale(ds.get(), kDimensionWithoutVariable, ids.take());
  return ds;
}

}  // namespace

// Every declared event table, with 0 rows, so every log has the same layout whatever happened.
// Each table is a 1-D compound dataset /events/<kind> on its own netCDF dimension <kind>_row (a
// dimension scale without a coordinate variable), so xarray opens /events with named dimensions.
// The dimensions live in the root (netCDF looks in ancestors too), so /events holds only the tables
// and scripts can loop over it. netCDF-C (ncdump, netCDF4-python, Octave) has no type for a
// compound with fixed-length strings and skips the tables: /event_columns/<kind>/<field> holds the
// same rows one field per dataset, the text as characters, on the same dimension.
void RunLogFile::create_event_tables(const RunHeader& h) {
  event_mem_type_ = h5::type(H5Tcreate(H5T_COMPOUND, sizeof(PackedEvent)), "event type");
  {
    const hid_t t = event_mem_type_.get();
    h5::Handle cls = fixed_string_type(kEventClassBytes), why = fixed_string_type(kEventReasonBytes);
    h5::check(H5Tinsert(t, "step", offsetof(PackedEvent, step), H5T_NATIVE_INT64), "event field step");
    h5::check(H5Tinsert(t, "day", offsetof(PackedEvent, day), H5T_NATIVE_INT32), "event field day");
    h5::check(H5Tinsert(t, "agent_id", offsetof(PackedEvent, agent_id), H5T_NATIVE_INT32), "event field agent_id");
    h5::check(H5Tinsert(t, "agent_class", offsetof(PackedEvent, agent_class), cls.get()), "event field agent_class");
    h5::check(H5Tinsert(t, "instrument", offsetof(PackedEvent, instrument), H5T_NATIVE_INT32), "event field instrument");
    h5::check(H5Tinsert(t, "quantity", offsetof(PackedEvent, quantity), H5T_NATIVE_INT64), "event field quantity");
    h5::check(H5Tinsert(t, "price", offsetof(PackedEvent, price), H5T_NATIVE_DOUBLE), "event field price");
    h5::check(H5Tinsert(t, "reason", offsetof(PackedEvent, reason), why.get()), "event field reason");
    event_file_type_ = h5::type(H5Tcopy(t), "copy event type");
    h5::check(H5Tpack(event_file_type_.get()), "pack event type");
  }
  one_char_ = h5::type(H5Tcopy(H5T_C_S1), "copy char type");   // netCDF's NC_CHAR
  h5::check(H5Tset_size(one_char_.get(), 1), "size char type");
  h5::check(H5Tset_strpad(one_char_.get(), H5T_STR_NULLPAD), "pad char type");

  const std::string pe = "/events/", pc = "/event_columns/";
  g_event_columns_ = make_group(file_.get(), "event_columns", where("create group /event_columns"));
  const hid_t gc = g_event_columns_.get();
  h5::Handle class_len = bare_dimension(gc, "event_class_strlen", kEventClassBytes, kEventClassBytes,
                                        "character position in agent_class", dim_ids_, where(pc));
  h5::Handle reason_len = bare_dimension(gc, "event_reason_strlen", kEventReasonBytes, kEventReasonBytes,
                                         "character position in reason", dim_ids_, where(pc));
  for (const EventKind& kind : h.event_kinds) {
    EventSeries ev;
    ev.row_dim = bare_dimension(file_.get(), kind.name + "_row", 0, kUnlimited, "row of /events/" + kind.name, dim_ids_, where("/"));
    DatasetSpec s{kind.name, event_file_type_.get(), {0}, {kUnlimited}, {kEventChunkRows}, true, "", kind.long_name};
    ev.series.ds = make_dataset(g_events_.get(), s, where(pe));
    ev.series.mem_type = event_mem_type_.get();
    write_string_attribute(ev.series.ds.get(), "field_units", kFieldUnits);
    attach(ev.series.ds.get(), ev.row_dim.get(), 0, where(pe + kind.name));

    h5::Handle g = make_group(gc, kind.name, where("create group " + pc + kind.name));
    const std::string at = pc + kind.name + "/";
    auto number = [&](int i, const char* name, hid_t ftype, hid_t mtype, const char* units, const char* long_name) {
      DatasetSpec spec{name, ftype, {0}, {kUnlimited}, {kEventChunkRows}, true, units, long_name};
      ev.columns[i] = make_series(g.get(), spec, mtype, where(at));
      attach(ev.columns[i].ds.get(), ev.row_dim.get(), 0, where(at + name));
    };
    auto text = [&](int i, const char* name, hsize_t bytes, hid_t len_dim, const char* long_name) {
      DatasetSpec spec{name, one_char_.get(), {0, bytes}, {kUnlimited, bytes}, {kEventChunkRows, bytes}, true, "", long_name};
      ev.columns[i] = make_series(g.get(), spec, one_char_.get(), where(at));
      attach(ev.columns[i].ds.get(), ev.row_dim.get(), 0, where(at + name));
      attach(ev.columns[i].ds.get(), len_dim, 1, where(at + name));
    };
    number(0, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, "1", "global step index");
    number(1, "day", H5T_STD_I32LE, H5T_NATIVE_INT32, "1", "trading-day index");
    number(2, "agent_id", H5T_STD_I32LE, H5T_NATIVE_INT32, "1", "acting agent (-1: the market)");
    text(3, "agent_class", kEventClassBytes, class_len.get(), "agent class, NUL-padded characters");
    number(4, "instrument", H5T_STD_I32LE, H5T_NATIVE_INT32, "1", "the engine's instrument id (-1: none)");
    number(5, "quantity", H5T_STD_I64LE, H5T_NATIVE_INT64, "share or contract", "signed quantity (see docs/hdf5-schema.md, Event kinds)");
    number(6, "price", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, "yuan (stocks) or points (futures)", "price (see docs/hdf5-schema.md, Event kinds)");
    text(7, "reason", kEventReasonBytes, reason_len.get(), "reason, NUL-padded characters");
    events_.emplace(kind.name, std::move(ev));
  }
}

void RunLogFile::write_events(const std::string& kind, EventSeries& ev) {
  if (ev.pending.empty()) return;
  const std::size_t n = ev.pending.size();
  ev.series.append(n, ev.pending.data(), where("/events/" + kind));
  h5::check(H5Dset_extent(ev.row_dim.get(), &ev.series.rows), where("extend /" + kind + "_row"));
  // the same rows field by field: each field copied out of the packed rows at its offset
  const std::string pc = "/event_columns/" + kind + "/";
  std::vector<char> column;
  auto field = [&](int i, std::size_t offset, std::size_t bytes, const char* name) {
    column.resize(n * bytes);
    for (std::size_t r = 0; r < n; ++r)
      std::memcpy(column.data() + r * bytes, reinterpret_cast<const char*>(&ev.pending[r]) + offset, bytes);
    ev.columns[i].append(n, column.data(), where(pc + name));
  };
  field(0, offsetof(PackedEvent, step), sizeof(PackedEvent::step), "step");
  field(1, offsetof(PackedEvent, day), sizeof(PackedEvent::day), "day");
  field(2, offsetof(PackedEvent, agent_id), sizeof(PackedEvent::agent_id), "agent_id");
  field(3, offsetof(PackedEvent, agent_class), kEventClassBytes, "agent_class");
  field(4, offsetof(PackedEvent, instrument), sizeof(PackedEvent::instrument), "instrument");
  field(5, offsetof(PackedEvent, quantity), sizeof(PackedEvent::quantity), "quantity");
  field(6, offsetof(PackedEvent, price), sizeof(PackedEvent::price), "price");
  field(7, offsetof(PackedEvent, reason), kEventReasonBytes, "reason");
  ev.pending.clear();
}

}  // namespace stampede::record_detail
