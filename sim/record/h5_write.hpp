#pragma once
// Internal to stampede_record: the small HDF5 writing vocabulary the run log is built from
// (attributes, datasets with units and long_name, dimension scales, chunk shapes). Every call must
// be made with an h5::Session held.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/record/h5_handle.hpp"

namespace stampede::record_detail {

inline constexpr hsize_t kUnlimited = H5S_UNLIMITED;
inline constexpr hsize_t kOneD = ~hsize_t{0};  // "width" of a 1-D dataset in ChunkShapes below
inline constexpr hsize_t kMaxDayChunkCols = 2048;  // widest day-axis chunk
// netCDF-4's mark of a dimension with no coordinate variable (a scale's NAME; the number is informative).
inline constexpr const char* kDimensionWithoutVariable = "This is a netCDF dimension but not a netCDF variable.         0";

h5::Handle vlen_string_type();
h5::Handle fixed_string_type(std::size_t bytes);

void delete_attribute_if_exists(hid_t obj, const std::string& name);
// count 0: a scalar attribute; otherwise a 1-D one of `count` values.
void write_attribute(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type, const void* value,
                     hsize_t count = 0);
void write_string_attribute(hid_t obj, const std::string& name, const std::string& value);
// A fixed-length string (netCDF's NC_CHAR): for readers without variable-length strings (Octave).
void write_fixed_string_attribute(hid_t obj, const std::string& name, const std::string& value);
void write_double_attribute(hid_t obj, const std::string& name, double v);
void write_int32_attribute(hid_t obj, const std::string& name, std::int32_t v);
void write_uint64_attribute(hid_t obj, const std::string& name, std::uint64_t v);

// CF flag attributes for codes 0..n-1 (flag_values of the dataset's own type, uint8 or int32;
// flag_meanings with spaces turned into '_').
std::string flag_meanings(const std::vector<std::string>& names);
void write_flags(hid_t obj, const std::vector<std::string>& names);
void write_int32_flags(hid_t obj, const std::vector<std::string>& names);

struct DatasetSpec {
  std::string name;
  hid_t type;                       // file type
  std::vector<hsize_t> dims, maxdims;
  std::vector<hsize_t> chunk;       // empty: contiguous
  bool compress = true;
  const char* units = "1";
  std::string long_name;
  bool has_int_fill = false;   // integer datasets: elements never written read as int_fill (HDF5's default: 0)
  std::int64_t int_fill = 0;
};

// One extendible dataset whose first axis grows as rows arrive.
struct Series {
  h5::Handle ds;
  hid_t mem_type = H5I_INVALID_HID;  // native memory type, not owned
  int rank = 1;                      // 1, 2 or 3
  hsize_t tail[2] = {0, 0};          // sizes of the fixed axes after the first (rank - 1 of them)
  hsize_t cols = 0;                  // elements per row: product of tail (rank >= 2 only)
  hsize_t rows = 0;                  // rows written so far
  bool synced = false;               // rows read from the file once (a resumed log starts with rows)
  // Before the first write: rows as the file has them (copied by a resume, log_prefix.hpp).
  void sync_rows(const std::string& what);
  void append(hsize_t n, const void* data, const std::string& what);
  // Grows by n rows without writing them: they read as the fill value and take no disk space.
  void extend(hsize_t n, const std::string& what);
};

// Creates the group `name` in `loc`, its links kept in creation order (`what` names it in errors).
h5::Handle make_group(hid_t loc, const std::string& name, const std::string& what);
// Creates the dataset with its units and long_name attributes (float datasets get fill value NaN).
h5::Handle make_dataset(hid_t loc, const DatasetSpec& s, const std::string& where);
// A scalar string dataset `name` in the group `loc` (at `group_path`, e.g. "/meta/") holding `text`,
// with empty units and `long_name`: the form of the texts in /meta. Errors begin with `context`
// (which file); `dcpl`: the dataset's creation properties.
void write_scalar_text(hid_t loc, const std::string& group_path, const std::string& name, hid_t str_type,
                       const std::string& text, const std::string& long_name, const std::string& context,
                       hid_t dcpl = H5P_DEFAULT);
// Marks `ds` as the dimension scale `name` with netCDF-4's dimension id (unique in the file).
void make_scale(hid_t ds, const char* name, std::int32_t dimid);
void attach(hid_t ds, hid_t scale, unsigned idx, const std::string& what);
void write_all(hid_t ds, hid_t mem_type, const void* data, const std::string& what);
std::vector<const char*> c_strings(const std::vector<std::string>& v);
// A growing dataset made from `s`, written in memory type `mem`.
Series make_series(hid_t loc, const DatasetSpec& s, hid_t mem, const std::string& where);

// Chunk shapes of the growing datasets (docs/hdf5-schema.md, "Storage and write behaviour").
// Step-axis datasets: chunks hold one day (step_block rows), so a day's write covers whole chunks;
// wide ones are split across columns so a chunk stays near kStepChunkBytes; narrow ones take
// several days until they reach kSmallChunkBytes. The file is flushed after every day, which
// compresses every chunk touched that day again, so chunks that take many days to fill would be
// compressed many times: day-axis chunks hold as few days as possible.
struct ChunkShapes {
  hsize_t step_block = 1;   // steps per day
  DatasetSpec step_spec(std::string name, hid_t type, hsize_t width, const char* units, std::string long_name) const;
  DatasetSpec day_spec(std::string name, hid_t type, hsize_t width, const char* units, std::string long_name) const;
  static DatasetSpec fixed_spec(std::string name, hid_t type, hsize_t size, const char* units, std::string long_name);
  hsize_t day_rows(hsize_t cols, hsize_t elem) const;   // rows of a day-axis chunk `cols` wide
};

}  // namespace stampede::record_detail
