#include "sim/sweep/ensemble_summary.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>

#include "sim/engine/run.hpp"
#include "sim/record/group_axes.hpp"
#include "sim/record/h5_handle.hpp"
#include "sim/record/h5_write.hpp"
#include "sim/sweep/ensemble_plan.hpp"
#include "sim/sweep/ensemble_series.hpp"
#include "sim/sweep/ensemble_stats.hpp"

namespace stampede::sweep {

namespace rd = record_detail;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kQ = kBandQuantiles.size();

// Creates the datasets of ensemble.h5: contiguous (the file is small and written once), without
// object timestamps (the same runs give the same file), every axis attached to its named scale.
class SummaryFile {
 public:
  explicit SummaryFile(const std::filesystem::path& path) {
    h5::Handle fcpl = h5::plist(H5Pcreate(H5P_FILE_CREATE), "file creation properties");
    // netCDF-4's requirement for files it may write to; readers do not care, netCDF-C's does.
    h5::check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
              "track link creation order");
    file_ = h5::file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT), "create " + path.string());
  }
  hid_t id() const { return file_.get(); }

  // A dimension and its coordinate variable of the same name.
  void scale(const std::string& name, hid_t file_type, hid_t mem_type, hsize_t n, const void* data, const char* units,
             const std::string& long_name) {
    h5::Handle ds = create(name, file_type, {n}, units, long_name);
    if (n > 0) rd::write_all(ds.get(), mem_type, data, name);
    rd::make_scale(ds.get(), name.c_str(), next_dimid_++);
    scales_.emplace(name, std::move(ds));
  }
  void string_scale(const std::string& name, const std::vector<std::string>& values, const std::string& long_name) {
    const auto c = rd::c_strings(values);
    scale(name, str_.get(), str_.get(), values.size(), c.data(), "", long_name);
  }
  // A variable on the named dimensions (each already made by scale()).
  void variable(const std::string& name, const std::vector<std::string>& dims, hid_t file_type, hid_t mem_type,
                const void* data, const char* units, const std::string& long_name) {
    std::vector<hsize_t> shape;
    std::size_t n = 1;
    for (const auto& d : dims) {
      shape.push_back(extent(d));
      n *= static_cast<std::size_t>(shape.back());
    }
    h5::Handle ds = create(name, file_type, shape, units, long_name);
    if (n > 0) rd::write_all(ds.get(), mem_type, data, name);
    for (unsigned i = 0; i < dims.size(); ++i) rd::attach(ds.get(), scales_.at(dims[i]).get(), i, name);
    if (std::find(dims.begin(), dims.end(), "day") != dims.end()) rd::write_string_attribute(ds.get(), "coordinates", "date time");
  }
  void doubles(const std::string& name, const std::vector<std::string>& dims, const std::vector<double>& v, const char* units,
               const std::string& long_name) {
    variable(name, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), units, long_name);
  }
  void strings(const std::string& name, const std::vector<std::string>& dims, const std::vector<std::string>& v,
               const std::string& long_name) {
    const auto c = rd::c_strings(v);
    variable(name, dims, str_.get(), str_.get(), c.data(), "", long_name);
  }
  // A scalar string in the group /meta (made at the first call), as a run log's /meta holds them.
  void meta_text(const std::string& name, const std::string& text, const char* long_name) {
    if (!meta_.valid()) {
      h5::Handle gcpl = h5::plist(H5Pcreate(H5P_GROUP_CREATE), "group creation properties");
      h5::check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
                "track link creation order");
      h5::check(H5Pset_obj_track_times(gcpl.get(), 0), "no timestamps");
      meta_ = h5::group(H5Gcreate2(file_.get(), "meta", H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), "create /meta");
    }
    h5::Handle dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE), "creation properties of /meta/" + name);
    h5::check(H5Pset_obj_track_times(dcpl.get(), 0), "no timestamps");
    rd::write_scalar_text(meta_.get(), "/meta/", name, str_.get(), text, long_name, "", dcpl.get());
  }
  void close(const std::string& what) {
    scales_.clear();
    meta_.reset();
    file_.close(what);
  }

 private:
  hsize_t extent(const std::string& dim) const {
    h5::Handle space = h5::space(H5Dget_space(scales_.at(dim).get()), "dataspace of " + dim);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space.get(), &n, nullptr);
    return n;
  }
  h5::Handle create(const std::string& name, hid_t type, const std::vector<hsize_t>& dims, const char* units,
                    const std::string& long_name) {
    h5::Handle space = h5::space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "dataspace of " + name);
    h5::Handle dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE), "creation properties of " + name);
    h5::check(H5Pset_obj_track_times(dcpl.get(), 0), "no timestamps");
    if (H5Tget_class(type) == H5T_FLOAT) h5::check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &kNaN), "fill value");
    h5::Handle ds = h5::dataset(H5Dcreate2(file_.get(), name.c_str(), type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                "create " + name);
    rd::write_string_attribute(ds.get(), "units", units);
    rd::write_string_attribute(ds.get(), "long_name", long_name);
    return ds;
  }

  h5::Handle file_;
  h5::Handle str_ = rd::vlen_string_type();
  std::map<std::string, h5::Handle> scales_;
  h5::Handle meta_;   // the group /meta, once meta_text made it
  std::int32_t next_dimid_ = 0;
};

// The ensemble's agent classes with their labels, sections and docs: each class's row from the
// first run log that describes it (/meta/agent_classes), its name as its label when none does.
std::vector<AgentClassRow> class_rows(const std::vector<std::string>& classes,
                                      const std::vector<std::optional<RunSeries>>& series) {
  std::vector<AgentClassRow> rows;
  for (const std::string& c : classes) {
    AgentClassRow row{c, c, "", ""};
    for (const auto& r : series) {
      if (!r || r->class_rows.empty()) continue;
      const auto it = std::find(r->classes.begin(), r->classes.end(), c);
      if (it == r->classes.end()) continue;
      row = r->class_rows[static_cast<std::size_t>(it - r->classes.begin())];
      break;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string describe_days(const RunSeries& r) {
  if (r.dates.empty()) return "no trading days";
  return fmt::format("{} trading days from {} to {}", r.dates.size(), r.dates.front(), r.dates.back());
}

// values [outer][seed][inner] -> bands [outer][quantile][inner], over the seeds.
std::vector<double> bands(const std::vector<double>& values, std::size_t outer, std::size_t seeds, std::size_t inner) {
  std::vector<double> out(outer * kQ * inner, kNaN);
  std::vector<double> across(seeds);
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < inner; ++i) {
      for (std::size_t k = 0; k < seeds; ++k) across[k] = values[(o * seeds + k) * inner + i];
      for (std::size_t q = 0; q < kQ; ++q) out[(o * kQ + q) * inner + i] = quantile(across, kBandQuantiles[q]);
    }
  return out;
}

std::string number(double v, bool sign = false) {
  if (!std::isfinite(v)) return "n/a";
  return sign ? fmt::format("{:+.4g}", v) : fmt::format("{:.4g}", v);
}

// Every complete run's daily series, read back from its log; the runs must share their trading days.
struct EnsembleSeries {
  std::vector<std::optional<RunSeries>> runs;   // [scenario][seed], empty where the run is not "ok"
  std::vector<std::string> classes;             // agent classes in the order the runs first name them
  std::vector<std::string> dates;
  std::vector<std::int32_t> days;
};

EnsembleSeries read_series(const std::filesystem::path& dir, const Plan& plan, const EnsembleLayout& L,
                           const std::vector<RunResult>& results) {
  const std::size_t S = L.scenarios.size(), N = L.seeds.size();
  EnsembleSeries e;
  e.runs.resize(S * N);
  std::string first_log;
  const RunSeries* first = nullptr;
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t k = 0; k < N; ++k) {
      if (results[L.run[s][k]].status != "ok") continue;
      const auto log = dir / log_name(plan.runs[L.run[s][k]]);
      auto& r = e.runs[s * N + k].emplace(read_run_series(log));
      if (!first) {
        first = &r;
        first_log = log.string();
      } else if (r.dates != first->dates) {
        throw std::runtime_error(fmt::format("{} (scenario {}, seed {}): {}, but {} has {}: the runs of an ensemble must share "
                                             "their trading days",
                                             log.string(), L.scenarios[s], L.seeds[k], describe_days(r), first_log,
                                             describe_days(*first)));
      }
      for (const auto& c : r.classes)
        if (std::find(e.classes.begin(), e.classes.end(), c) == e.classes.end()) e.classes.push_back(c);
    }
  if (first) {
    e.dates = first->dates;
    e.days = first->days;
  }
  return e;
}

// Every summary metric per run and each scenario's paired difference to the baseline (scenario 0).
struct MetricTables {
  std::size_t seeds = 0, metrics = 0;
  std::vector<double> value, diff;                // [scenario][seed][metric], NaN where missing
  std::vector<double> median, low, high, share;   // [scenario][metric]; scenario 0 stays NaN
  std::vector<std::int32_t> paired;               // [scenario][metric]
  std::vector<double> across_seeds(std::size_t s, std::size_t m) const {
    std::vector<double> v(seeds);
    for (std::size_t k = 0; k < seeds; ++k) v[k] = value[(s * seeds + k) * metrics + m];
    return v;
  }
};

MetricTables metric_tables(const EnsembleLayout& L, const std::vector<RunResult>& results,
                           const std::vector<std::string>& metrics) {
  const std::size_t S = L.scenarios.size(), N = L.seeds.size(), M = metrics.size();
  MetricTables t{N,
                 M,
                 std::vector<double>(S * N * M, kNaN),
                 std::vector<double>(S * N * M, kNaN),
                 std::vector<double>(S * M, kNaN),
                 std::vector<double>(S * M, kNaN),
                 std::vector<double>(S * M, kNaN),
                 std::vector<double>(S * M, kNaN),
                 std::vector<std::int32_t>(S * M, 0)};
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t k = 0; k < N; ++k) {
      const RunResult& r = results[L.run[s][k]];
      for (std::size_t m = 0; m < M && m < r.metrics.size(); ++m)
        if (r.status == "ok") t.value[(s * N + k) * M + m] = r.metrics[m];
    }
  std::vector<double> a(N), b(N);
  for (std::size_t s = 1; s < S; ++s)
    for (std::size_t m = 0; m < M; ++m) {
      for (std::size_t k = 0; k < N; ++k) {
        a[k] = t.value[(s * N + k) * M + m];
        b[k] = t.value[k * M + m];
        t.diff[(s * N + k) * M + m] = std::isfinite(a[k]) && std::isfinite(b[k]) ? a[k] - b[k] : kNaN;
      }
      const PairedDifference p = paired_difference(a, b, bootstrap_seed(L.scenarios[s], metrics[m]));
      t.median[s * M + m] = p.median;
      t.low[s * M + m] = p.low;
      t.high[s * M + m] = p.high;
      t.share[s * M + m] = p.sign_share;
      t.paired[s * M + m] = p.seeds;
    }
  return t;
}

// The axes every variable hangs on, the metrics' labels and the runs' ids.
void write_axes(SummaryFile& out, const Plan& plan, const EnsembleLayout& L, const std::vector<RunResult>& results,
                const EnsembleSeries& e, const std::vector<std::string>& metrics) {
  const std::size_t S = L.scenarios.size(), N = L.seeds.size(), D = e.dates.size();
  out.string_scale("scenario", L.scenarios,
                   "scenario (the file name); the first is the baseline of the paired comparison");
  std::vector<std::int64_t> seeds(L.seeds.begin(), L.seeds.end());
  out.scale("seed", H5T_STD_I64LE, H5T_NATIVE_INT64, N, seeds.data(), "1", "the run's seed (stampede run --seed)");
  out.scale("day", H5T_STD_I32LE, H5T_NATIVE_INT32, D, e.days.data(), "1", "trading-day index");
  out.scale("quantile", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, kQ, kBandQuantiles.data(), "1", "quantile over the seeds");
  out.string_scale("agent_class", e.classes, "agent class");
  out.meta_text("agent_classes", agent_classes_json(class_rows(e.classes, e.runs)), kMetaAgentClassesLongName);
  out.string_scale("metric", metrics, "summary metric of a run (the run log's summary_<metric> attribute)");
  std::vector<std::string> metric_labels, metric_units;   // run.cpp's table, as the run logs' /meta/summary_metrics
  for (const std::string& m : metrics) {
    const auto& all = declared_summary_metrics();
    const auto it = std::find_if(all.begin(), all.end(), [&](const SummaryMetric& d) { return m == d.name; });
    metric_labels.emplace_back(it != all.end() ? it->label : m);
    metric_units.emplace_back(it != all.end() ? it->units : "");
  }
  out.strings("metric_label", {"metric"}, metric_labels, "the metric's label, for people");
  out.strings("metric_units", {"metric"}, metric_units, "the metric's units");
  out.strings("date", {"day"}, e.dates, "calendar date, ISO");
  std::vector<std::int32_t> time(D);
  for (std::size_t d = 0; d < D; ++d) time[d] = rd::days_since_epoch(e.dates[d]).value_or(0);
  out.variable("time", {"day"}, H5T_STD_I32LE, H5T_NATIVE_INT32, time.data(), rd::kTimeUnits,
               "the date as a CF time coordinate");

  std::vector<std::string> run_ids(S * N);
  std::vector<std::uint8_t> run_ok(S * N);
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t k = 0; k < N; ++k) {
      run_ids[s * N + k] = plan.runs[L.run[s][k]].run_id;
      run_ok[s * N + k] = results[L.run[s][k]].status == "ok";
    }
  out.strings("run_id", {"scenario", "seed"}, run_ids, "the run's log is run_<run_id>.h5 in this directory");
  out.variable("run_ok", {"scenario", "seed"}, H5T_STD_U8LE, H5T_NATIVE_UINT8, run_ok.data(), "1",
               "1 if the run's log is complete (else its values are NaN)");
}

// The daily series per run and their bands over the seeds; returns their names, space-separated.
std::string write_daily(SummaryFile& out, std::size_t S, std::size_t N, const EnsembleSeries& e) {
  const std::size_t D = e.dates.size(), C = e.classes.size();
  std::string variable_names;
  for (const DailyVariable& v : daily_variables()) {
    std::vector<double> values(S * N * D, kNaN);
    for (std::size_t i = 0; i < S * N; ++i)
      if (e.runs[i])
        std::copy(((*e.runs[i]).*v.values).begin(), ((*e.runs[i]).*v.values).end(),
                  values.begin() + static_cast<std::ptrdiff_t>(i * D));
    out.doubles(v.name, {"scenario", "seed", "day"}, values, v.units, v.long_name);
    out.doubles(std::string(v.name) + "_band", {"scenario", "quantile", "day"}, bands(values, S, N, D), v.units,
                std::string(v.long_name) + ": quantiles over the seeds");
    if (!variable_names.empty()) variable_names += ' ';
    variable_names += v.name;
  }
  std::vector<double> nav(S * N * D * C, kNaN);
  for (std::size_t i = 0; i < S * N; ++i) {
    if (!e.runs[i]) continue;
    const RunSeries& r = *e.runs[i];
    for (std::size_t c = 0; c < r.classes.size(); ++c) {
      const auto at =
          static_cast<std::size_t>(std::find(e.classes.begin(), e.classes.end(), r.classes[c]) - e.classes.begin());
      for (std::size_t d = 0; d < D; ++d) nav[(i * D + d) * C + at] = r.class_nav[d * r.classes.size() + c];
    }
  }
  out.doubles(
      "class_nav", {"scenario", "seed", "day", "agent_class"}, nav, "yuan",
      "net asset value of the class's investors' capital at the day's last step (NaN: no such class in the run)");
  out.doubles("class_nav_band", {"scenario", "quantile", "day", "agent_class"}, bands(nav, S, N, D * C), "yuan",
              "class NAV: quantiles over the seeds");
  return variable_names + " class_nav";
}

void write_metrics(SummaryFile& out, std::size_t S, const std::string& baseline, const MetricTables& t) {
  out.doubles("metric_value", {"scenario", "seed", "metric"}, t.value, "",
              "the run's summary metric (units: docs/hdf5-schema.md)");
  out.doubles("metric_band", {"scenario", "quantile", "metric"}, bands(t.value, S, t.seeds, t.metrics), "",
              "summary metric: quantiles over the seeds");
  const std::string vs = "scenario minus the baseline (" + baseline + ")";
  out.doubles("paired_difference", {"scenario", "seed", "metric"}, t.diff, "",
              vs + ", seed by seed (NaN: either run missing)");
  out.doubles("paired_median", {"scenario", "metric"}, t.median, "",
              "median over the seeds of the paired difference, " + vs);
  out.doubles("paired_low", {"scenario", "metric"}, t.low, "",
              fmt::format("lower end of the {:g}% bootstrap interval of paired_median", 100 * kBootstrapConfidence));
  out.doubles("paired_high", {"scenario", "metric"}, t.high, "",
              fmt::format("upper end of the {:g}% bootstrap interval of paired_median", 100 * kBootstrapConfidence));
  out.doubles("paired_sign_share", {"scenario", "metric"}, t.share, "1",
              "share of the paired seeds whose difference has the sign of paired_median");
  out.variable("paired_seeds", {"scenario", "metric"}, H5T_STD_I32LE, H5T_NATIVE_INT32, t.paired.data(), "1",
               "seeds where both the scenario's and the baseline's run are complete");
}

void write_root_attributes(hid_t root, const std::string& baseline, const std::string& variable_names,
                           const RunTally& tally) {
  rd::write_string_attribute(root, "schema", kEnsembleSchema);
  rd::write_string_attribute(root, "Conventions", "CF-1.8");
  rd::write_string_attribute(root, "baseline", baseline);
  rd::write_string_attribute(root, "daily_variables", variable_names);
  rd::write_int32_attribute(root, "bootstrap_resamples", kBootstrapResamples);
  rd::write_double_attribute(root, "bootstrap_confidence", kBootstrapConfidence);
  rd::write_int32_attribute(root, "runs_planned", static_cast<std::int32_t>(tally.planned));
  rd::write_int32_attribute(root, "runs_ok", static_cast<std::int32_t>(tally.ok));
  rd::write_int32_attribute(root, "runs_failed", static_cast<std::int32_t>(tally.failed));
  rd::write_int32_attribute(root, "runs_missing", static_cast<std::int32_t>(tally.missing()));
  rd::write_int32_attribute(root, "complete", tally.ok == tally.planned ? 1 : 0);
}

// The table for the terminal: each metric's band, or with several scenarios the paired comparison.
std::string terminal_table(const EnsembleLayout& L, const std::vector<std::string>& metrics, const MetricTables& t,
                           const RunTally& tally) {
  const std::size_t S = L.scenarios.size(), N = L.seeds.size(), M = metrics.size();
  std::string text;
  std::size_t width = 6;
  for (const auto& m : metrics) width = std::max(width, m.size());
  const std::string seeds_text =
      N == 0 ? "none" : fmt::format("{}{}", L.seeds.front(), N > 1 ? fmt::format(" .. {}", L.seeds.back()) : "");
  text +=
      fmt::format("ensemble: {} scenarios x {} seeds ({}), {} of {} runs complete; median [10%, 90%] over the seeds\n",
                  S, N, seeds_text, tally.ok, tally.planned);
  auto band_text = [&](std::size_t s, std::size_t m) {
    const std::vector<double> v = t.across_seeds(s, m);
    return fmt::format("{} [{}, {}]", number(quantile(v, 0.5)), number(quantile(v, 0.1)), number(quantile(v, 0.9)));
  };
  if (S == 1) {
    for (std::size_t m = 0; m < M; ++m) text += fmt::format("  {:<{}}  {}\n", metrics[m], width, band_text(0, m));
    return text;
  }
  text += fmt::format("paired difference to the baseline {}: median [{:g}% bootstrap interval], seeds with its sign\n",
                      L.scenarios[0], 100 * kBootstrapConfidence);
  std::size_t sw = 8;
  for (const auto& s : L.scenarios) sw = std::max(sw, s.size());
  text += fmt::format("  {:<{}}  {:<{}}  {:<34}  {:<34}  {}\n", "metric", width, "scenario", sw,
                      "scenario's median [10%, 90%]", "baseline's median [10%, 90%]",
                      "difference [interval]  seeds with its sign");
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t s = 1; s < S; ++s) {
      const std::size_t i = s * M + m;
      const int agree =
          t.paired[i] > 0 && std::isfinite(t.share[i]) ? static_cast<int>(std::lround(t.share[i] * t.paired[i])) : 0;
      text += fmt::format("  {:<{}}  {:<{}}  {:<34}  {:<34}  {} [{}, {}]  {}/{}\n", s == 1 ? metrics[m] : "", width,
                          L.scenarios[s], sw, band_text(s, m), band_text(0, m), number(t.median[i], true),
                          number(t.low[i], true), number(t.high[i], true), agree, t.paired[i]);
    }
  return text;
}

}   // namespace

std::string write_ensemble_summary(const std::filesystem::path& dir, const Plan& plan,
                                   const std::vector<RunResult>& results) {
  if (results.size() != plan.runs.size())
    throw std::logic_error("write_ensemble_summary: one result per planned run expected");
  const EnsembleLayout L = ensemble_layout(plan);
  const std::vector<std::string>& metrics = metric_names();
  const std::string baseline = L.scenarios.empty() ? "" : L.scenarios[0];

  h5::Session session;
  const EnsembleSeries series = read_series(dir, plan, L, results);
  const MetricTables tables = metric_tables(L, results, metrics);
  const RunTally tally = tally_runs(results);

  const std::filesystem::path path = dir / kEnsembleSummaryFile;
  const std::filesystem::path tmp = temporary_path(path);
  try {
    SummaryFile out(tmp);
    write_axes(out, plan, L, results, series, metrics);
    const std::string variable_names = write_daily(out, L.scenarios.size(), L.seeds.size(), series);
    write_metrics(out, L.scenarios.size(), baseline, tables);
    write_root_attributes(out.id(), baseline, variable_names, tally);
    out.close("close " + tmp.string());
    std::filesystem::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
  return terminal_table(L, metrics, tables, tally);
}

}  // namespace stampede::sweep
