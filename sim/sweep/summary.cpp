#include "sim/sweep/summary.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <sstream>
#include <unistd.h>

#include "sim/engine/run.hpp"
#include "sim/engine/scenario_hash.hpp"
#include "sim/record/h5_handle.hpp"
#include "sim/record/run_log_verify.hpp"

namespace stampede::sweep {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::optional<double> parse_double(const std::string& t) {
  if (t.empty()) return std::nullopt;
  double x = 0;
  const char* b = t.data();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, t.data() + t.size(), x);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  return x;
}

std::string read_text_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}


// A column of the summary table: numbers or fixed-length strings.
struct Column {
  enum Kind { Int64, UInt64, Float64, Text };
  Column(std::string n, Kind k) : name(std::move(n)), kind(k) {}
  std::string name;
  Kind kind;
  std::vector<std::int64_t> i;
  std::vector<std::uint64_t> u;
  std::vector<double> d;
  std::vector<std::string> s;
  std::size_t min_width = 1;   // e.g. status: the widest status word, so every summary has the same dtype
  std::size_t width() const {
    std::size_t w = min_width;
    for (const auto& x : s) w = std::max(w, x.size());
    return w;
  }
  std::string csv(std::size_t row) const {
    switch (kind) {
      case Int64: return fmt::format("{}", i[row]);
      case UInt64: return fmt::format("{}", u[row]);
      case Float64: return std::isnan(d[row]) ? std::string() : fmt::format("{}", d[row]);
      case Text: return csv_field(s[row]);
    }
    return {};
  }
};

std::vector<Column> build_columns(const Plan& plan, const std::vector<RunResult>& results) {
  std::vector<Column> cols;
  const std::size_t n = plan.runs.size();
  Column run{"run", Column::Int64}, id{"run_id", Column::Text};
  for (const auto& r : plan.runs) {
    run.i.push_back(static_cast<std::int64_t>(r.index));
    id.s.push_back(r.run_id);
  }
  cols.push_back(std::move(run));
  cols.push_back(std::move(id));
  for (std::size_t c = 0; c < plan.columns.size(); ++c) {
    // A parameter column is numeric when every value is a number, text otherwise.
    bool numeric = true;
    for (const auto& r : plan.runs) numeric = numeric && parse_double(r.values[c]).has_value();
    Column col{plan.columns[c], numeric ? Column::Float64 : Column::Text};
    for (const auto& r : plan.runs) {
      if (numeric)
        col.d.push_back(*parse_double(r.values[c]));
      else
        col.s.push_back(r.values[c]);
    }
    cols.push_back(std::move(col));
  }
  Column rep{"replicate", Column::Int64}, seed{"seed", Column::UInt64}, status{"status", Column::Text}, error{"error", Column::Text};
  status.min_width = 7;   // "missing"
  for (std::size_t k = 0; k < n; ++k) {
    rep.i.push_back(plan.runs[k].replicate);
    seed.u.push_back(plan.runs[k].seed);
    status.s.push_back(results[k].status);
    error.s.push_back(results[k].error);
  }
  cols.push_back(std::move(rep));
  cols.push_back(std::move(seed));
  cols.push_back(std::move(status));
  cols.push_back(std::move(error));
  const auto& names = metric_names();
  for (std::size_t m = 0; m < names.size(); ++m) {
    Column col{names[m], Column::Float64};
    for (std::size_t k = 0; k < n; ++k) col.d.push_back(m < results[k].metrics.size() ? results[k].metrics[m] : kNaN);
    cols.push_back(std::move(col));
  }
  return cols;
}

void write_string_attr(hid_t obj, const char* name, const std::string& value) {
  h5::Handle type = h5::type(H5Tcopy(H5T_C_S1), "string type");
  h5::check(H5Tset_size(type.get(), std::max<std::size_t>(value.size(), 1)), "string size");
  h5::Handle space = h5::space(H5Screate(H5S_SCALAR), "attribute space");
  h5::Handle attr = h5::attribute(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), name);
  std::string padded = value;
  padded.resize(std::max<std::size_t>(value.size(), 1), '\0');
  h5::check(H5Awrite(attr.get(), type.get(), padded.data()), name);
}

void write_int_attr(hid_t obj, const char* name, std::int64_t value) {
  h5::Handle space = h5::space(H5Screate(H5S_SCALAR), "attribute space");
  h5::Handle attr = h5::attribute(H5Acreate2(obj, name, H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), name);
  h5::check(H5Awrite(attr.get(), H5T_NATIVE_INT64, &value), name);
}

void write_h5(const std::filesystem::path& path, const std::vector<Column>& cols, std::size_t rows, const RunTally& tally) {
  h5::Session session;
  // No object timestamps: the same sweep gives the same file content.
  h5::Handle fcpl = h5::plist(H5Pcreate(H5P_FILE_CREATE), "file creation properties");
  h5::Handle file = h5::file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT), "create " + path.string());
  // Row layout in memory: packed fields, in column order.
  std::vector<std::size_t> offset, size;
  std::vector<h5::Handle> types;
  std::size_t row_bytes = 0;
  for (const auto& c : cols) {
    h5::Handle t;
    switch (c.kind) {
      case Column::Int64: t = h5::type(H5Tcopy(H5T_NATIVE_INT64), "int64"); break;
      case Column::UInt64: t = h5::type(H5Tcopy(H5T_NATIVE_UINT64), "uint64"); break;
      case Column::Float64: t = h5::type(H5Tcopy(H5T_NATIVE_DOUBLE), "float64"); break;
      case Column::Text:
        t = h5::type(H5Tcopy(H5T_C_S1), "string");
        h5::check(H5Tset_size(t.get(), c.width()), "string size");
        h5::check(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), "string padding");
        break;
    }
    offset.push_back(row_bytes);
    size.push_back(H5Tget_size(t.get()));
    row_bytes += size.back();
    types.push_back(std::move(t));
  }
  h5::Handle compound = h5::type(H5Tcreate(H5T_COMPOUND, std::max<std::size_t>(row_bytes, 1)), "compound type");
  for (std::size_t k = 0; k < cols.size(); ++k)
    h5::check(H5Tinsert(compound.get(), cols[k].name.c_str(), offset[k], types[k].get()), "field " + cols[k].name);
  std::vector<unsigned char> buf(rows * row_bytes, 0);
  for (std::size_t r = 0; r < rows; ++r) {
    unsigned char* row = buf.data() + r * row_bytes;
    for (std::size_t k = 0; k < cols.size(); ++k) {
      const Column& c = cols[k];
      unsigned char* at = row + offset[k];
      switch (c.kind) {
        case Column::Int64: std::memcpy(at, &c.i[r], 8); break;
        case Column::UInt64: std::memcpy(at, &c.u[r], 8); break;
        case Column::Float64: std::memcpy(at, &c.d[r], 8); break;
        case Column::Text: std::memcpy(at, c.s[r].data(), c.s[r].size()); break;
      }
    }
  }
  const hsize_t dims[1] = {rows};
  h5::Handle space = h5::space(H5Screate_simple(1, dims, nullptr), "table space");
  h5::Handle dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE), "dataset properties");
  h5::check(H5Pset_obj_track_times(dcpl.get(), 0), "no timestamps");
  h5::Handle ds = h5::dataset(H5Dcreate2(file.get(), "runs", compound.get(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                              "create /runs");
  if (rows > 0) h5::check(H5Dwrite(ds.get(), compound.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "write /runs");
  write_string_attr(ds.get(), "long_name", "one row per run: parameters, seed, status, outcome metrics");
  write_string_attr(file.get(), "schema", "stampede-sweep/1");
  std::string metrics;
  for (const auto& m : metric_names()) metrics += (metrics.empty() ? "" : " ") + m;
  write_string_attr(file.get(), "metrics", metrics);
  // What the table covers, so a summary merged while runs are missing (merge of a sweep still
  // under way, or of shards not all done) never reads as the whole sweep: complete = 1 only when
  // no planned run is missing (each has a complete log, or failed with its error recorded).
  write_int_attr(file.get(), "runs_planned", tally.planned);
  write_int_attr(file.get(), "runs_ok", tally.ok);
  write_int_attr(file.get(), "runs_failed", tally.failed);
  write_int_attr(file.get(), "runs_missing", tally.missing());
  write_int_attr(file.get(), "complete", tally.missing() == 0 ? 1 : 0);
  ds.close("close /runs");
  file.close("close " + path.string());
}

}  // namespace

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, value] : summary_metrics(RunSummary{})) out.push_back(name);
    return out;
  }();
  return names;
}

RunResult read_run_result(const std::filesystem::path& dir, const PlannedRun& run, const ScenarioLoader* load) {
  RunResult r;
  std::error_code ec;
  const auto err = dir / error_name(run);
  if (std::filesystem::exists(err, ec)) {
    r.status = "failed";
    r.error = read_text_file(err);
    while (!r.error.empty() && (r.error.back() == '\n' || r.error.back() == '\r')) r.error.pop_back();
    r.metrics.assign(metric_names().size(), kNaN);
    return r;
  }
  const auto log = dir / log_name(run);
  r.metrics.assign(metric_names().size(), kNaN);
  if (!std::filesystem::exists(log, ec)) return r;
  {
  h5::Session session;
  hid_t f = H5Fopen(log.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    h5::take_error_stack();
    return r;   // unreadable: a run killed before the file was usable
  }
  h5::Handle file(f, H5Fclose);
  auto read_attr = [&](const std::string& name, hid_t mem_type, void* out) {
    if (H5Aexists(file.get(), name.c_str()) <= 0) return false;
    hid_t a = H5Aopen(file.get(), name.c_str(), H5P_DEFAULT);
    if (a < 0) return false;
    h5::Handle attr(a, H5Aclose);
    return H5Aread(attr.get(), mem_type, out) >= 0;
  };
  std::int32_t complete = 0;
  if (!read_attr("complete", H5T_NATIVE_INT32, &complete) || complete != 1) {
    h5::take_error_stack();
    return r;
  }
  const auto& names = metric_names();
  for (std::size_t m = 0; m < names.size(); ++m) {
    double v = kNaN;
    if (read_attr("summary_" + names[m], H5T_NATIVE_DOUBLE, &v)) r.metrics[m] = v;
  }
  h5::take_error_stack();
  }
  // Complete: reused only if made by this code for this scenario, and intact.
  std::string problem;
  try {
    const std::string hash = load ? scenario_hash((*load)(run.scenario_file, run.overrides)) : "";
    problem = reuse_problem(log, load ? &hash : nullptr);
  } catch (const ScenarioError& e) {
    problem = "its scenario does not load now: " + (e.problems().empty() ? std::string("?") : e.problems().front());
  } catch (const std::exception& e) {
    problem = std::string("its scenario does not load now: ") + e.what();
  }
  if (!problem.empty()) {
    r.metrics.assign(metric_names().size(), kNaN);
    r.error = "not reused: " + problem;
    return r;
  }
  r.status = "ok";
  return r;
}

RunTally tally_runs(const std::vector<RunResult>& results) {
  RunTally t;
  t.planned = static_cast<std::int64_t>(results.size());
  for (const RunResult& r : results) t.ok += r.status == "ok", t.failed += r.status == "failed";
  return t;
}

std::filesystem::path temporary_path(const std::filesystem::path& file) {
  return file.string() + fmt::format(".tmp-{}", getpid());
}

void write_summary(const std::filesystem::path& dir, const Plan& plan, const std::vector<RunResult>& results) {
  if (results.size() != plan.runs.size()) throw std::logic_error("write_summary: one result per planned run expected");
  const std::vector<Column> cols = build_columns(plan, results);
  const std::size_t rows = plan.runs.size();
  const auto h5_path = dir / "summary.h5", csv_path = dir / "summary.csv";
  const std::filesystem::path h5_tmp = temporary_path(h5_path), csv_tmp = temporary_path(csv_path);
  write_h5(h5_tmp, cols, rows, tally_runs(results));
  {
    std::string out;
    for (std::size_t k = 0; k < cols.size(); ++k) {
      if (k) out += ',';
      out += csv_field(cols[k].name);
    }
    out += "\n";
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t k = 0; k < cols.size(); ++k) {
        if (k) out += ',';
        out += cols[k].csv(r);
      }
      out += "\n";
    }
    std::ofstream o(csv_tmp, std::ios::binary | std::ios::trunc);
    o << out;
    if (!o.flush()) throw std::runtime_error(fmt::format("{}: cannot write the summary", csv_tmp.string()));
  }
  std::filesystem::rename(h5_tmp, h5_path);
  std::filesystem::rename(csv_tmp, csv_path);
}

std::string encode_result(std::size_t index, const RunResult& r) {
  std::string out = fmt::format("{}\t{}\t", index, r.status);
  for (char c : r.error) out += (c == '\t' || c == '\n') ? ' ' : c;
  for (double m : r.metrics) out += fmt::format("\t{:a}", m);
  return out;
}

std::size_t decode_result(const std::string& text, RunResult& r) {
  std::vector<std::string> f;
  std::size_t start = 0;
  for (;;) {
    std::size_t p = text.find('\t', start);
    f.push_back(text.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  if (f.size() < 3) throw std::runtime_error("malformed run result message: " + text);
  r.status = f[1];
  r.error = f[2];
  r.metrics.clear();
  for (std::size_t k = 3; k < f.size(); ++k) r.metrics.push_back(std::strtod(f[k].c_str(), nullptr));
  return std::stoull(f[0]);
}

}  // namespace stampede::sweep
