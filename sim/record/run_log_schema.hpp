#pragma once
// The run log's schema as data: every dataset a log of schema kRunLogSchema holds, with its
// dimensions, type, units and long_name, from the declarations the writer itself walks
// (frame_fields.def, frame_arrays.def, event_kinds.def) plus the few datasets the layout writes
// by hand (coordinates, /meta, /market/driver). `stampede schema` prints it as JSON for scripts
// (tests/record/check_run_log.py) and as the dataset table of docs/hdf5-schema.md; a test checks
// that a written log holds exactly these datasets with these attributes.
#include <string>
#include <vector>

namespace stampede {

struct SchemaDataset {
  std::string path;                // "market/stocks/open", no leading '/'
  std::vector<std::string> dims;   // {"day", "stock"}; {} for a scalar
  std::string dtype;               // uint8, int32, int64, float64, string
  std::string units, long_name;    // the dataset's attributes
  std::string declared_in;         // frame_fields.def, frame_arrays.def or layout (run_log_layout.cpp, group_axes.cpp)
  std::string filled_from;         // "DayFrame.open", "StepFrame.arrays", "RunHeader.stocks.segment"; "" for the layout's
  bool coordinate = false;         // a dimension scale: the root's (each group has its own copy), or /market/driver/driver_day
  bool unlimited = false;          // grows with the run (its first axis is step or day)
};

// Every dataset, grouped by HDF5 group in the file's order (root, meta, market/..., agents/...).
// Not listed one by one: each group's copies of the coordinates its datasets use, the text
// coordinates as characters (/<name>_chars) and the event tables (run_log_event_kinds).
std::vector<SchemaDataset> run_log_datasets();

// The whole schema as JSON: {"schema", "datasets": [...], "event_kinds": [{name, long_name, label,
// quantity_units, price_units}], "event_fields": [{name, dtype, units}]}.
std::string run_log_schema_json();

// The dataset table as markdown (one row per dataset), as docs/hdf5-schema.md holds it between
// the markers below.
std::string run_log_schema_markdown();
inline constexpr const char* kSchemaTableBegin = "<!-- schema: datasets (stampede schema --doc) -->";
inline constexpr const char* kSchemaTableEnd = "<!-- end of schema -->";
// `page` with the text between the markers replaced by the table; std::runtime_error if the page
// lacks the markers.
std::string with_schema_table(const std::string& page);

}  // namespace stampede
