// The schema `stampede schema` prints (run_log_schema.hpp) is the file the writer writes: every
// dataset it lists is in a written log with its dims, dtype, units and long_name, and every
// dataset of the log is listed (or is one of the few kinds it describes by rule).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "sim/record/frame_fields.hpp"
#include "sim/record/meta_tables.hpp"
#include "sim/record/run_log_schema.hpp"
#include "tests/record/run_log_fixture.hpp"

using namespace stampede;
using namespace stampede::test;

namespace {

// Each test case its own file: ctest runs them in parallel.
std::filesystem::path sample_log(const std::string& name) {
  const auto path = temp_dir() / name;
  std::filesystem::remove(path);
  RunLog log(path, sample_header());
  write_sample_run(log);
  log.finish(1.0);
  return path;
}

std::vector<std::string> datasets_in(hid_t file) {
  std::vector<std::string> out;
  H5Ovisit(
      file, H5_INDEX_NAME, H5_ITER_NATIVE,
      [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(data)->push_back(name);
        return 0;
      },
      &out);
  return out;
}

std::string dtype_of(hid_t ds) {
  H5Closer t{must(H5Dget_type(ds), "type"), H5Tclose};
  const std::size_t size = H5Tget_size(t.id);
  switch (H5Tget_class(t.id)) {
    case H5T_STRING: return "string";
    case H5T_FLOAT: return size == 8 ? "float64" : "float" + std::to_string(8 * size);
    case H5T_INTEGER:
      return std::string(H5Tget_sign(t.id) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(8 * size);
    default: return "other";
  }
}

// The NAME of the dimension scale attached to axis `axis` of `ds` ("" if none).
std::string scale_name(hid_t ds, unsigned axis) {
  std::string name;
  int idx = 0;
  H5DSiterate_scales(
      ds, axis, &idx,
      [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
        char buf[256] = {};
        H5DSget_scale_name(scale, buf, sizeof buf);
        *static_cast<std::string*>(data) = buf;
        return 1;
      },
      &name);
  return name;
}

}  // namespace

TEST_CASE("every dataset of the schema is in a written log, as the schema says", "[record][schema]") {
  const auto path = sample_log("schema_declared.h5");
  H5Closer f{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path.string()), H5Fclose};
  for (const SchemaDataset& d : run_log_datasets()) {
    INFO("/" << d.path);
    REQUIRE(H5Lexists(f.id, d.path.c_str(), H5P_DEFAULT) > 0);
    H5Closer ds{must(H5Dopen2(f.id, d.path.c_str(), H5P_DEFAULT), d.path), H5Dclose};
    CHECK(read_string_attribute(ds.id, "units") == d.units);
    CHECK(read_string_attribute(ds.id, "long_name") == d.long_name);
    CHECK(dtype_of(ds.id) == d.dtype);
    H5Closer sp{must(H5Dget_space(ds.id), d.path), H5Sclose};
    const int rank = H5Sget_simple_extent_ndims(sp.id);
    REQUIRE(rank == static_cast<int>(d.dims.size()));
    if (rank > 0) {
      std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), max(static_cast<std::size_t>(rank));
      H5Sget_simple_extent_dims(sp.id, dims.data(), max.data());
      CHECK((max[0] == H5S_UNLIMITED) == d.unlimited);
    }
    if (d.coordinate) {
      CHECK(H5DSis_scale(ds.id) > 0);
      continue;
    }
    for (unsigned axis = 0; axis < d.dims.size(); ++axis) CHECK(scale_name(ds.id, axis) == d.dims[axis]);
  }
}

TEST_CASE("every dataset of a written log is in the schema", "[record][schema]") {
  const auto path = sample_log("schema_written.h5");
  H5Closer f{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path.string()), H5Fclose};
  std::set<std::string> declared, coordinates, groups;
  for (const SchemaDataset& d : run_log_datasets()) {
    declared.insert(d.path);
    if (d.coordinate) coordinates.insert(d.path);
    groups.insert(d.path.substr(0, d.path.rfind('/') == std::string::npos ? 0 : d.path.rfind('/')));
  }
  for (const std::string& p : datasets_in(f.id)) {
    if (declared.count(p)) continue;
    const std::size_t slash = p.rfind('/');
    const std::string group = slash == std::string::npos ? "" : p.substr(0, slash), name = p.substr(slash + 1);
    // described by rule (docs/hdf5-schema.md): each group's copies of its coordinates and the
    // day's date/time and the step's day; the labels as characters; the event tables
    const bool coordinate_copy = groups.count(group) &&
                                 (coordinates.count(name) || name == "date" || name == "time" || name == "day_of_step");
    const bool as_chars = group.empty() && (name.ends_with("_chars") || name.ends_with("_strlen"));
    const bool events = p.starts_with("events/") || p.starts_with("event_columns/") || (group.empty() && name.ends_with("_row"));
    INFO(p);
    CHECK((coordinate_copy || as_chars || events));
  }
}

TEST_CASE("the schema names each dataset once and every declared field's frame member", "[record][schema]") {
  std::set<std::string> seen;
  for (const SchemaDataset& d : run_log_datasets()) {
    INFO(d.path);
    CHECK(seen.insert(d.path).second);
    CHECK(!d.long_name.empty());
  }
  for (const FrameFieldSpec& s : declared_frame_fields()) CHECK(!s.member.empty());
  const std::string json = run_log_schema_json();
  CHECK(json.find("\"market/stocks/open\"") != std::string::npos);
  CHECK(json.find("\"DayFrame.open\"") != std::string::npos);
}

TEST_CASE("a queued day frame counts every declared field's container once", "[record][schema]") {
  const DayFrame d = sample_day(0);   // 3 stocks, 2 slots, 3 agents, 2 classes x 3 segments
  const std::size_t expected = 6 * 3 * 8                          // open high low close turnover value
                               + 3 * 8 + 2 * 3                    // volume, limit_up and limit_down
                               + 2 * kQueuedStringBytes + 2 * 8   // futures_code, futures_settlement
                               + 2 * kQueuedStringBytes           // futures_expiry (scalars such as main_slot: none)
                               + 3 * sizeof(AgentDayRecord) + 6 * sizeof(FlowRow);   // agents, flows: once each
  CHECK(queued_bytes(d) == expected);
}

TEST_CASE("/meta/agent_classes reads back as written, and other text as nothing", "[record][schema]") {
  const std::vector<AgentClassRow> rows{{"dma_account", "DMA accounts", "dma", "a \"neutral\" book\\at leverage\n\x01"},
                                        {"scripted", "scripted", "", ""}};
  const auto back = agent_classes_from_json(agent_classes_json(rows));
  REQUIRE(back);
  REQUIRE(back->size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK((*back)[i].name == rows[i].name);
    CHECK((*back)[i].label == rows[i].label);
    CHECK((*back)[i].section == rows[i].section);
    CHECK((*back)[i].doc == rows[i].doc);
  }
  CHECK(agent_classes_from_json("[]")->empty());
  for (const char* bad :
       {"", "{}", "[{\"name\": 1}]", "[{\"label\": \"x\"}]", "[{\"name\": \"x\"}", "[{\"name\": \"\\q\"}]"})
    CHECK_FALSE(agent_classes_from_json(bad));
}
