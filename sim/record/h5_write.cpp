#include "sim/record/h5_write.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <limits>

namespace stampede::record_detail {
namespace {
// Chunks hold about this many bytes before compression (the schema promises 64-256 KiB).
constexpr hsize_t kStepChunkBytes = 256 * 1024;
constexpr hsize_t kSmallChunkBytes = 16 * 1024;
constexpr hsize_t kMaxStepChunkCols = 1024;
constexpr unsigned kDeflateLevel = 1;  // writing must stay cheap; shuffle does most of the work
}  // namespace

h5::Handle vlen_string_type() {
  h5::Handle t = h5::type(H5Tcopy(H5T_C_S1), "copy string type");
  h5::check(H5Tset_size(t.get(), H5T_VARIABLE), "make string type variable-length");
  h5::check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "set string type to UTF-8");
  return t;
}

h5::Handle fixed_string_type(std::size_t bytes) {
  h5::Handle t = h5::type(H5Tcopy(H5T_C_S1), "copy string type");
  h5::check(H5Tset_size(t.get(), bytes), "size fixed string type");
  h5::check(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), "pad fixed string type");
  h5::check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "set string type to UTF-8");
  return t;
}

void delete_attribute_if_exists(hid_t obj, const std::string& name) {
  htri_t exists = H5Aexists(obj, name.c_str());
  h5::check(exists, "look up attribute " + name);
  if (exists > 0) h5::check(H5Adelete(obj, name.c_str()), "replace attribute " + name);
}

void write_attribute(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type, const void* value,
                     hsize_t count) {
  delete_attribute_if_exists(obj, name);
  h5::Handle space = count == 0 ? h5::space(H5Screate(H5S_SCALAR), "attribute space")
                                : h5::space(H5Screate_simple(1, &count, nullptr), "attribute space");
  h5::Handle attr =
      h5::attribute(H5Acreate2(obj, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                    "create attribute " + name);
  h5::check(H5Awrite(attr.get(), mem_type, value), "write attribute " + name);
}

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value) {
  h5::Handle t = vlen_string_type();
  const char* p = value.c_str();
  write_attribute(obj, name, t.get(), t.get(), &p);
}
void write_fixed_string_attribute(hid_t obj, const std::string& name, const std::string& value) {
  h5::Handle t = fixed_string_type(std::max<std::size_t>(value.size(), 1));
  std::string padded = value;
  padded.resize(std::max<std::size_t>(value.size(), 1), '\0');
  write_attribute(obj, name, t.get(), t.get(), padded.data());
}
void write_double_attribute(hid_t obj, const std::string& name, double v) {
  write_attribute(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}
void write_int32_attribute(hid_t obj, const std::string& name, std::int32_t v) {
  write_attribute(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &v);
}
void write_uint64_attribute(hid_t obj, const std::string& name, std::uint64_t v) {
  write_attribute(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

std::string flag_meanings(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ' ';
    std::string word = n;
    std::replace(word.begin(), word.end(), ' ', '_');
    out += word;
  }
  return out;
}

namespace {
// CF flag attributes for codes 0..n-1, flag_values in the dataset's own integer type.
template <typename Code>
void write_code_flags(hid_t obj, const std::vector<std::string>& names, hid_t file_type, hid_t memory_type) {
  std::vector<Code> values(names.size());
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<Code>(i);
  if (!values.empty()) write_attribute(obj, "flag_values", file_type, memory_type, values.data(), values.size());
  write_string_attribute(obj, "flag_meanings", flag_meanings(names));
}
}  // namespace

void write_flags(hid_t obj, const std::vector<std::string>& names) {
  write_code_flags<std::uint8_t>(obj, names, H5T_STD_U8LE, H5T_NATIVE_UINT8);
}
void write_int32_flags(hid_t obj, const std::vector<std::string>& names) {
  write_code_flags<std::int32_t>(obj, names, H5T_STD_I32LE, H5T_NATIVE_INT32);
}

h5::Handle make_group(hid_t loc, const std::string& name, const std::string& what) {
  h5::Handle gcpl = h5::plist(H5Pcreate(H5P_GROUP_CREATE), "group creation properties");
  h5::check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
            "track link creation order");
  return h5::group(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), what);
}

void write_scalar_text(hid_t loc, const std::string& group_path, const std::string& name, hid_t str_type,
                       const std::string& text, const std::string& long_name, const std::string& context, hid_t dcpl) {
  h5::Handle space = h5::space(H5Screate(H5S_SCALAR), "scalar space");
  h5::Handle ds = h5::dataset(H5Dcreate2(loc, name.c_str(), str_type, space.get(), H5P_DEFAULT, dcpl, H5P_DEFAULT),
                              context + "create " + group_path + name);
  const char* p = text.c_str();
  write_all(ds.get(), str_type, &p, context + group_path + name);
  write_string_attribute(ds.get(), "units", "");
  write_string_attribute(ds.get(), "long_name", long_name);
}

h5::Handle make_dataset(hid_t loc, const DatasetSpec& s, const std::string& where) {
  const std::string what = where + s.name;
  const int rank = static_cast<int>(s.dims.size());
  h5::Handle space = h5::space(H5Screate_simple(rank, s.dims.data(), s.maxdims.data()), "dataspace for " + what);
  h5::Handle dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE), "creation properties for " + what);
  h5::Handle dapl = h5::plist(H5Pcreate(H5P_DATASET_ACCESS), "access properties for " + what);
  if (H5Tget_class(s.type) == H5T_FLOAT) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    h5::check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan), "fill value for " + what);
  } else if (s.has_int_fill) {
    h5::check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_INT64, &s.int_fill), "fill value for " + what);
  }
  if (!s.chunk.empty()) {
    h5::check(H5Pset_chunk(dcpl.get(), rank, s.chunk.data()), "chunking for " + what);
    if (s.compress) {
      h5::check(H5Pset_shuffle(dcpl.get()), "shuffle filter for " + what);
      h5::check(H5Pset_deflate(dcpl.get(), kDeflateLevel), "deflate filter for " + what);
    }
    // A checksum of each stored (compressed) chunk: a flipped bit fails the read instead of
    // reading back wrong (docs/hdf5-schema.md, "Checksums"). Not on variable-length data, whose
    // chunks hold only heap pointers.
    if (H5Tdetect_class(s.type, H5T_VLEN) <= 0 && H5Tis_variable_str(s.type) <= 0)
      h5::check(H5Pset_fletcher32(dcpl.get()), "checksum filter for " + what);
    // The cache holds a whole row of chunks (twice over), so a write that covers only part of a
    // chunk never reads back and inflates what it wrote a moment ago; and not much more: chunks of
    // days gone by are never touched again, and a bigger cache would keep them in memory until it
    // is full (with ~100 datasets, a floor of 1 MiB each grew a long run's memory by ~50 MB).
    hsize_t chunk_bytes = H5Tget_size(s.type);
    for (hsize_t c : s.chunk) chunk_bytes *= c;
    hsize_t across = 1;
    for (int i = 1; i < rank; ++i) across *= (std::max<hsize_t>(s.dims[i], 1) + s.chunk[i] - 1) / s.chunk[i];
    std::size_t bytes = std::clamp<hsize_t>(2 * across * chunk_bytes, 64 << 10, 64 << 20);
    h5::check(H5Pset_chunk_cache(dapl.get(), 12421, bytes, 0.75), "chunk cache for " + what);
  }
  h5::Handle ds = h5::dataset(
      H5Dcreate2(loc, s.name.c_str(), s.type, space.get(), H5P_DEFAULT, dcpl.get(), dapl.get()),
      "create dataset " + what);
  write_string_attribute(ds.get(), "units", s.units);
  write_string_attribute(ds.get(), "long_name", s.long_name);
  return ds;
}

void make_scale(hid_t ds, const char* name, std::int32_t dimid) {
  h5::check(H5DSset_scale(ds, name), std::string("make dimension scale ") + name);
  // netCDF-4's dimension id; netCDF-C uses it to order dimensions, h5netcdf ignores it.
  write_int32_attribute(ds, "_Netcdf4Dimid", dimid);
}

void attach(hid_t ds, hid_t scale, unsigned idx, const std::string& what) {
  h5::check(H5DSattach_scale(ds, scale, idx), "attach dimension scale to " + what);
}

void write_all(hid_t ds, hid_t mem_type, const void* data, const std::string& what) {
  h5::check(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write " + what);
}

std::vector<const char*> c_strings(const std::vector<std::string>& v) {
  std::vector<const char*> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = v[i].c_str();
  return out;
}

void Series::sync_rows(const std::string& what) {
  if (synced) return;
  h5::Handle space = h5::space(H5Dget_space(ds.get()), "dataspace of " + what);
  hsize_t dims[3] = {0, 0, 0};
  h5::check(H5Sget_simple_extent_dims(space.get(), dims, nullptr), "size of " + what);
  rows = dims[0];
  synced = true;
}

void Series::append(hsize_t n, const void* data, const std::string& what) {
  if (n == 0) return;
  sync_rows(what);
  hsize_t dims[3] = {rows + n, tail[0], tail[1]};
  h5::check(H5Dset_extent(ds.get(), dims), "extend " + what);
  if (rank >= 2 && cols == 0) {
    rows += n;
    return;
  }
  h5::Handle fspace = h5::space(H5Dget_space(ds.get()), "dataspace of " + what);
  hsize_t start[3] = {rows, 0, 0};
  hsize_t count[3] = {n, tail[0], tail[1]};
  h5::check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "select rows of " + what);
  h5::Handle mspace = h5::space(H5Screate_simple(rank, count, nullptr), "memory space for " + what);
  h5::check(H5Dwrite(ds.get(), mem_type, mspace.get(), fspace.get(), H5P_DEFAULT, data), "write rows of " + what);
  rows += n;
}

void Series::extend(hsize_t n, const std::string& what) {
  if (n == 0) return;
  sync_rows(what);
  hsize_t dims[3] = {rows + n, tail[0], tail[1]};
  h5::check(H5Dset_extent(ds.get(), dims), "extend " + what);
  rows += n;
}

Series make_series(hid_t loc, const DatasetSpec& s, hid_t mem, const std::string& where) {
  Series out;
  out.ds = make_dataset(loc, s, where);
  out.mem_type = mem;
  out.rank = static_cast<int>(s.dims.size());
  out.cols = out.rank >= 2 ? 1 : 0;
  for (int i = 1; i < out.rank; ++i) {
    out.tail[i - 1] = s.dims[static_cast<std::size_t>(i)];
    out.cols *= s.dims[static_cast<std::size_t>(i)];
  }
  return out;
}

DatasetSpec ChunkShapes::step_spec(std::string name, hid_t type, hsize_t width, const char* units,
                                   std::string long_name) const {
  const hsize_t elem = H5Tget_size(type);
  auto step_rows = [&](hsize_t cols) {
    hsize_t k = std::clamp<hsize_t>(kSmallChunkBytes / (step_block * cols * elem), 1, 64);
    return step_block * k;
  };
  DatasetSpec s{std::move(name), type, {0}, {kUnlimited}, {}, true, units, std::move(long_name)};
  if (width == kOneD) {
    s.chunk = {step_rows(1)};
  } else {
    hsize_t c = std::max<hsize_t>(kStepChunkBytes / (step_block * elem), 1);
    c = std::max<hsize_t>(std::min({width, c, kMaxStepChunkCols}), 1);
    s.dims = {0, width};
    s.maxdims = {kUnlimited, std::max<hsize_t>(width, 1)};
    s.chunk = {step_rows(c), c};
  }
  return s;
}

hsize_t ChunkShapes::day_rows(hsize_t cols, hsize_t elem) const {
  return std::clamp<hsize_t>(kSmallChunkBytes / (cols * elem), 1, 64);
}

DatasetSpec ChunkShapes::day_spec(std::string name, hid_t type, hsize_t width, const char* units,
                                  std::string long_name) const {
  const hsize_t elem = H5Tget_size(type);
  DatasetSpec s{std::move(name), type, {0}, {kUnlimited}, {}, true, units, std::move(long_name)};
  if (width == kOneD) {
    s.chunk = {1024};
  } else {
    const hsize_t c = std::max<hsize_t>(std::min(width, kMaxDayChunkCols), 1);
    s.dims = {0, width};
    s.maxdims = {kUnlimited, std::max<hsize_t>(width, 1)};
    s.chunk = {day_rows(c, elem), c};
  }
  return s;
}

DatasetSpec ChunkShapes::fixed_spec(std::string name, hid_t type, hsize_t size, const char* units, std::string long_name) {
  return DatasetSpec{std::move(name), type, {size}, {size}, {}, false, units, std::move(long_name)};
}

}  // namespace stampede::record_detail
