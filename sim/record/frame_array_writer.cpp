#include "sim/record/frame_array_writer.hpp"

#include "sim/record/frame_fields.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace stampede::record_detail {
namespace {

constexpr double kStockTickYuan = 0.01;
// A [day, a, b] chunk holds one day of every class (first fixed axis) and as many of the second
// axis as fit in this: the file is flushed every day, and a chunk written once is compressed once.
constexpr hsize_t kDayBlockChunkBytes = hsize_t{1} << 20;
constexpr hsize_t kSubsetChunkCols = 64;

struct TypeInfo {
  hid_t file, mem;
  std::size_t bytes;
};
TypeInfo type_info(ArrayType t) {
  switch (t) {
    case ArrayType::i32: return {H5T_STD_I32LE, H5T_NATIVE_INT32, 4};
    case ArrayType::i64: return {H5T_STD_I64LE, H5T_NATIVE_INT64, 8};
    case ArrayType::f64: return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 8};
  }
  return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 8};
}

std::vector<unsigned char> fill_row(const FrameArraySpec& s, hsize_t cols) {
  std::vector<unsigned char> row(cols * type_info(s.type).bytes);
  for (hsize_t c = 0; c < cols; ++c) {
    unsigned char* p = row.data() + c * type_info(s.type).bytes;
    if (s.type == ArrayType::i32) {
      const auto v = static_cast<std::int32_t>(s.fill);
      std::memcpy(p, &v, sizeof v);
    } else if (s.type == ArrayType::i64) {
      std::memcpy(p, &s.fill, sizeof s.fill);
    } else {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      std::memcpy(p, &nan, sizeof nan);
    }
  }
  return row;
}

}  // namespace

void FrameArrayWriter::create(hid_t file, const RunHeader& h, const ChunkShapes& chunks, DimensionIds& ids, hid_t vlen_str,
                              const std::function<GroupAxes*(const std::string&)>& axes_of, const std::string& where) {
  const hsize_t n_stocks = h.stocks.names.size();
  all_stocks_recorded_ = h.liquidity_recorded.empty();
  for (hsize_t i = 0; i < h.liquidity_recorded.size(); ++i) {
    if (!h.liquidity_recorded[i]) {
      all_stocks_recorded_ = false;
      continue;
    }
    if (!recorded_runs_.empty() && recorded_runs_.back().second == i) ++recorded_runs_.back().second;
    else recorded_runs_.emplace_back(i, i + 1);
  }
  if (all_stocks_recorded_) recorded_runs_ = {{0, n_stocks}};

  // Groups: those the layout has keep their coordinates; the others get theirs here, made
  // from the axes of every array they hold.
  std::map<std::string, unsigned> new_groups;
  for (const FrameArraySpec& s : declared_frame_arrays()) {
    const std::string path = "/" + s.group + "/";
    if (axes_of(path) != nullptr) continue;
    unsigned& bits = new_groups[path];
    bits |= s.time == ArrayTime::step ? kStepAxis : kDayAxis;
    for (ArrayAxis a : s.axes) bits |= axis_of(a);
  }
  h5::Handle lcpl = h5::plist(H5Pcreate(H5P_LINK_CREATE), "link creation properties");
  h5::check(H5Pset_create_intermediate_group(lcpl.get(), 1), "intermediate groups");
  h5::Handle gcpl = h5::plist(H5Pcreate(H5P_GROUP_CREATE), "group creation properties");
  h5::check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
            "track link creation order");
  for (const auto& [path, bits] : new_groups) {
    h5::Handle g = h5::group(H5Gcreate2(file, path.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT), where + "create group " + path);
    own_axes_[path] = make_group_axes(g.get(), path, bits, h, chunks, ids, vlen_str, where);
    own_groups_.push_back(std::move(g));
  }

  for (const FrameArraySpec& s : declared_frame_arrays()) {
    const std::string path = "/" + s.group + "/";
    GroupAxes* axes = axes_of(path);
    if (axes == nullptr) axes = &own_axes_.at(path);
    h5::Handle group = h5::group(H5Gopen2(file, path.c_str(), H5P_DEFAULT), where + "open group " + path);
    const TypeInfo t = type_info(s.type);
    const std::string what = where + path + s.name;

    std::vector<hsize_t> tail;
    for (ArrayAxis a : s.axes) tail.push_back(axis_extent(a, h));
    DatasetSpec spec;
    if (tail.size() == 1 && s.time == ArrayTime::step) {
      spec = chunks.step_spec(s.name, t.file, tail[0], s.units.c_str(), s.long_name);
      // Narrow chunks for arrays of a stock subset: a chunk holding one recorded stock is written
      // and compressed whole, so wide ones would compress mostly fill. The compressed size hardly
      // depends on the width (measured: 64 or 274 columns, within 2%).
      if (s.recorded == ArrayRecorded::liquidity_stocks) spec.chunk[1] = std::min<hsize_t>(spec.chunk[1], kSubsetChunkCols);
    } else if (tail.size() == 1) {
      spec = chunks.day_spec(s.name, t.file, tail[0], s.units.c_str(), s.long_name);
    } else if (tail.size() == 2 && s.time == ArrayTime::day) {
      const hsize_t a = std::max<hsize_t>(tail[0], 1), b = std::max<hsize_t>(tail[1], 1);
      const hsize_t cb = std::clamp<hsize_t>(kDayBlockChunkBytes / (t.bytes * a), 1, b);
      spec = DatasetSpec{s.name, t.file, {0, tail[0], tail[1]}, {kUnlimited, a, b}, {1, a, cb}, true, s.units.c_str(), s.long_name};
    } else {
      throw h5::Error(what + ": frame arrays are [step, x], [day, x] or [day, x, y]");
    }
    if (s.type != ArrayType::f64) {
      spec.has_int_fill = true;
      spec.int_fill = s.fill;
    }
    Array arr;
    arr.spec = &s;
    arr.series = make_series(group.get(), spec, t.mem, where + path);
    arr.elem = t.bytes;
    arr.cols = 1;
    for (hsize_t x : tail) arr.cols *= x;
    arr.subset = s.recorded == ArrayRecorded::liquidity_stocks;
    arr.fill_row = fill_row(s, arr.cols);
    if (arr.subset && (s.axes.size() != 1 || s.axes[0] != ArrayAxis::stock))
      throw h5::Error(what + ": only [time, stock] arrays can record a subset of stocks");

    std::vector<Axis> dims{s.time == ArrayTime::step ? kStepAxis : kDayAxis};
    for (ArrayAxis a : s.axes) dims.push_back(axis_of(a));
    axes->label(arr.series.ds.get(), dims, what);
    if (s.units == "tick") {
      const bool futures = s.group == "market/futures";
      write_double_attribute(arr.series.ds.get(), "tick_size", futures ? h.futures_tick_points : kStockTickYuan);
      write_string_attribute(arr.series.ds.get(), "tick_units", futures ? "points" : "yuan");
    }
    arrays_.push_back(std::move(arr));
  }

  // Which stocks the liquidity arrays hold (1) or leave at their fill value (0).
  h5::Handle stocks = h5::group(H5Gopen2(file, "/market/stocks", H5P_DEFAULT), where + "open group /market/stocks");
  h5::Handle ds = make_dataset(stocks.get(), ChunkShapes::fixed_spec("liquidity_recorded", H5T_STD_U8LE, n_stocks, "1",
                                                                      "1 if the stock's per-step liquidity (best_bid ... limit_up_queue) is recorded"),
                               where + "/market/stocks/");
  std::vector<std::uint8_t> recorded(n_stocks, 0);
  for (const auto& [first, last] : recorded_runs_) std::fill(recorded.begin() + first, recorded.begin() + last, 1);
  if (n_stocks > 0) write_all(ds.get(), H5T_NATIVE_UINT8, recorded.data(), where + "/market/stocks/liquidity_recorded");
  GroupAxes* stock_axes = axes_of("/market/stocks/");
  if (stock_axes != nullptr) stock_axes->label(ds.get(), std::vector<Axis>{kStockAxis}, where + "/market/stocks/liquidity_recorded");
}

void FrameArrayWriter::add_step(const FrameArrays& values) {
  for (Array& a : arrays_) {
    if (a.spec->time != ArrayTime::step) continue;
    const std::size_t n = values.size(a.spec->id);
    if (n == 0) {   // not given this step: the row reads as the fill value
      a.pending.insert(a.pending.end(), a.fill_row.begin(), a.fill_row.end());
      continue;
    }
    const auto* p = static_cast<const unsigned char*>(values.data(a.spec->id));
    a.pending.insert(a.pending.end(), p, p + n * a.elem);
    a.pending_values = true;
  }
}

void FrameArrayWriter::flush_steps(hsize_t rows, const std::int64_t* steps, const std::int32_t* days, const std::string& where) {
  if (rows == 0) return;
  for (auto& [path, axes] : own_axes_) axes.append_steps(rows, steps, days, where);
  for (Array& a : arrays_) {
    if (a.spec->time != ArrayTime::step) continue;
    append(a, rows, a.pending.data(), a.pending_values, where + "/" + a.spec->group + "/" + a.spec->name);
    a.pending.clear();
    a.pending_values = false;
  }
}

void FrameArrayWriter::add_day(DayIndex day, const std::string& date, const FrameArrays& values, const std::string& where) {
  for (auto& [path, axes] : own_axes_) axes.append_day(day, date, where);
  for (Array& a : arrays_) {
    if (a.spec->time != ArrayTime::day) continue;
    const bool given = values.size(a.spec->id) > 0;
    append(a, 1, given ? values.data(a.spec->id) : a.fill_row.data(), given, where + "/" + a.spec->group + "/" + a.spec->name);
  }
}

// Rows of fill only are not written: they take no disk space. A subset array writes only the
// recorded stocks' columns, so chunks of stocks not recorded are never allocated either.
void FrameArrayWriter::append(Array& a, hsize_t rows, const void* data, bool has_values, const std::string& what) {
  const bool nothing_recorded = a.subset && recorded_runs_.empty();
  if (!has_values || nothing_recorded || a.cols == 0) {
    a.series.extend(rows, what);
    return;
  }
  if (!a.subset || all_stocks_recorded_) {
    a.series.append(rows, data, what);
    return;
  }
  Series& s = a.series;
  s.sync_rows(what);
  hsize_t dims[2] = {s.rows + rows, a.cols};
  h5::check(H5Dset_extent(s.ds.get(), dims), "extend " + what);
  h5::Handle fspace = h5::space(H5Dget_space(s.ds.get()), "dataspace of " + what);
  hsize_t mdims[2] = {rows, a.cols};
  h5::Handle mspace = h5::space(H5Screate_simple(2, mdims, nullptr), "memory space for " + what);
  H5S_seloper_t op = H5S_SELECT_SET;
  for (const auto& [first, last] : recorded_runs_) {
    hsize_t fstart[2] = {s.rows, first}, mstart[2] = {0, first}, count[2] = {rows, last - first};
    h5::check(H5Sselect_hyperslab(fspace.get(), op, fstart, nullptr, count, nullptr), "select rows of " + what);
    h5::check(H5Sselect_hyperslab(mspace.get(), op, mstart, nullptr, count, nullptr), "select rows of " + what);
    op = H5S_SELECT_OR;
  }
  h5::check(H5Dwrite(s.ds.get(), s.mem_type, mspace.get(), fspace.get(), H5P_DEFAULT, data), "write rows of " + what);
  s.rows += rows;
}

void FrameArrayWriter::reset() {
  for (Array& a : arrays_) a.series.ds.reset();
  for (auto& [path, axes] : own_axes_) axes.reset();
  for (h5::Handle& g : own_groups_) g.reset();
}

}  // namespace stampede::record_detail
