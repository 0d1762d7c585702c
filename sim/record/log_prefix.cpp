#include "sim/record/log_prefix.hpp"

#include <H5DSpublic.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/record/h5_handle.hpp"

namespace stampede::record_detail {

namespace {

constexpr std::size_t kCopyBlockBytes = std::size_t{16} << 20;

std::string name_of(hid_t obj) {
  const ssize_t n = H5Iget_name(obj, nullptr, 0);
  if (n <= 0) return "?";
  std::string s(static_cast<std::size_t>(n) + 1, '\0');
  H5Iget_name(obj, s.data(), s.size());
  s.resize(static_cast<std::size_t>(n));
  return s;
}

std::string leaf(const std::string& path) { return path.substr(path.rfind('/') + 1); }

herr_t first_scale(hid_t /*ds*/, unsigned /*dim*/, hid_t scale, void* out) {
  *static_cast<std::string*>(out) = leaf(name_of(scale));
  return 1;   // the first one is enough
}

struct Copy {
  hid_t src = H5I_INVALID_HID;
  const RunLogPrefix* prefix = nullptr;
  std::vector<std::string> datasets;   // growing datasets of the new file, by path
};

herr_t collect(hid_t loc, const char* name, const H5O_info_t* info, void* data) {
  if (info->type != H5O_TYPE_DATASET || std::string(name) == ".") return 0;
  h5::Handle ds = h5::dataset(H5Dopen2(loc, name, H5P_DEFAULT), std::string("open /") + name);
  h5::Handle space = h5::space(H5Dget_space(ds.get()), std::string("dataspace of /") + name);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1) return 0;
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), max(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), max.data());
  if (max[0] == H5S_UNLIMITED) static_cast<Copy*>(data)->datasets.push_back(std::string("/") + name);
  return 0;
}

// Rows of the prefix along the axis `ds` grows on.
hsize_t prefix_rows(hid_t ds, const std::string& path, const RunLogPrefix& p) {
  std::string axis;
  if (H5DSis_scale(ds) > 0)
    axis = leaf(path);
  else
    H5DSiterate_scales(ds, 0, nullptr, first_scale, &axis);
  if (axis == "step" || axis == "day_of_step") return static_cast<hsize_t>(p.steps);
  if (axis == "day" || axis == "date" || axis == "time") return static_cast<hsize_t>(p.days);
  const std::string row = "_row";
  if (axis.size() > row.size() && axis.compare(axis.size() - row.size(), row.size(), row) == 0) {
    const auto it = p.event_rows.find(axis.substr(0, axis.size() - row.size()));
    return it == p.event_rows.end() ? 0 : static_cast<hsize_t>(it->second);
  }
  throw std::runtime_error("cannot resume the run log: " + path + " grows along an axis it does not name ('" + axis + "')");
}

void copy_dataset(hid_t dst_file, hid_t src_file, const std::string& path, const RunLogPrefix& p) {
  h5::Handle dst = h5::dataset(H5Dopen2(dst_file, path.c_str(), H5P_DEFAULT), "open " + path);
  const hsize_t rows = prefix_rows(dst.get(), path, p);
  if (rows == 0) return;
  if (H5Lexists(src_file, path.c_str(), H5P_DEFAULT) <= 0)
    throw std::runtime_error("cannot resume the run log: " + path + " is missing from " + p.source.string());
  h5::Handle src = h5::dataset(H5Dopen2(src_file, path.c_str(), H5P_DEFAULT), "open " + path + " of the resumed log");
  h5::Handle sspace = h5::space(H5Dget_space(src.get()), "dataspace of " + path);
  const int rank = H5Sget_simple_extent_ndims(sspace.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(sspace.get(), dims.data(), nullptr);
  if (dims[0] < rows)
    throw std::runtime_error("cannot resume the run log: " + path + " of " + p.source.string() + " has " +
                             std::to_string(dims[0]) + " rows, the checkpoint needs " + std::to_string(rows));
  h5::Handle ftype = h5::type(H5Dget_type(dst.get()), "type of " + path);
  h5::Handle mtype = h5::type(H5Tget_native_type(ftype.get(), H5T_DIR_DEFAULT), "memory type of " + path);
  const bool vlen = H5Tdetect_class(mtype.get(), H5T_VLEN) > 0 || H5Tis_variable_str(mtype.get()) > 0;
  hsize_t row_elems = 1;
  for (int i = 1; i < rank; ++i) row_elems *= dims[static_cast<std::size_t>(i)];
  const std::size_t row_bytes = std::max<std::size_t>(1, row_elems * H5Tget_size(mtype.get()));
  const hsize_t block = std::max<hsize_t>(1, kCopyBlockBytes / row_bytes);
  std::vector<hsize_t> new_dims = dims;
  new_dims[0] = rows;
  h5::check(H5Dset_extent(dst.get(), new_dims.data()), "extend " + path);
  h5::Handle dspace = h5::space(H5Dget_space(dst.get()), "dataspace of " + path);
  std::vector<unsigned char> buf;
  for (hsize_t r0 = 0; r0 < rows; r0 += block) {
    std::vector<hsize_t> start(static_cast<std::size_t>(rank), 0), count = dims;
    start[0] = r0;
    count[0] = std::min(block, rows - r0);
    buf.resize(static_cast<std::size_t>(count[0]) * row_bytes);
    h5::Handle mspace = h5::space(H5Screate_simple(rank, count.data(), nullptr), "memory space for " + path);
    h5::check(H5Sselect_hyperslab(sspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), "select " + path);
    h5::check(H5Sselect_hyperslab(dspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), "select " + path);
    h5::check(H5Dread(src.get(), mtype.get(), mspace.get(), sspace.get(), H5P_DEFAULT, buf.data()), "read " + path + " of the resumed log");
    const herr_t wrote = H5Dwrite(dst.get(), mtype.get(), mspace.get(), dspace.get(), H5P_DEFAULT, buf.data());
    if (vlen) H5Dvlen_reclaim(mtype.get(), mspace.get(), H5P_DEFAULT, buf.data());
    h5::check(wrote, "write " + path);
  }
}

}  // namespace

void copy_log_prefix(hid_t file, const RunLogPrefix& prefix) {
  h5::Handle src = h5::file(H5Fopen(prefix.source.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                            "open the run log to resume '" + prefix.source.string() + "'");
  Copy c;
  h5::check(H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, collect, &c, H5O_INFO_BASIC), "list the run log's datasets");
  for (const std::string& path : c.datasets) copy_dataset(file, src.get(), path, prefix);
  src.close("close the run log to resume");
}

}  // namespace stampede::record_detail
