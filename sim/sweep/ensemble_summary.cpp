#include "sim/sweep/ensemble_summary.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
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

}  // namespace

std::string write_ensemble_summary(const std::filesystem::path& dir, const Plan& plan, const std::vector<RunResult>& results) {
  if (results.size() != plan.runs.size()) throw std::logic_error("write_ensemble_summary: one result per planned run expected");
  const EnsembleLayout L = ensemble_layout(plan);
  const std::size_t S = L.scenarios.size(), N = L.seeds.size();
  const std::vector<std::string>& metrics = metric_names();
  const std::size_t M = metrics.size();
  auto result_of = [&](std::size_t s, std::size_t k) -> const RunResult& { return results[L.run[s][k]]; };

  h5::Session session;
  // Every complete run's daily series; the runs must share their trading days.
  std::vector<std::optional<RunSeries>> series(S * N);
  std::string first_log;
  const RunSeries* first = nullptr;
  std::vector<std::string> classes;
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t k = 0; k < N; ++k) {
      if (result_of(s, k).status != "ok") continue;
      const auto log = dir / log_name(plan.runs[L.run[s][k]]);
      auto& r = series[s * N + k].emplace(read_run_series(log));
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
        if (std::find(classes.begin(), classes.end(), c) == classes.end()) classes.push_back(c);
    }
  const std::vector<std::string> dates = first ? first->dates : std::vector<std::string>{};
  const std::vector<std::int32_t> days = first ? first->days : std::vector<std::int32_t>{};
  const std::size_t D = dates.size(), C = classes.size();

  const std::filesystem::path path = dir / kEnsembleSummaryFile;
  const std::filesystem::path tmp = temporary_path(path);
  try {
    SummaryFile out(tmp);
    std::vector<std::string> scenario_names = L.scenarios;
    out.string_scale("scenario", scenario_names, "scenario (the file name); the first is the baseline of the paired comparison");
    std::vector<std::int64_t> seeds(L.seeds.begin(), L.seeds.end());
    out.scale("seed", H5T_STD_I64LE, H5T_NATIVE_INT64, N, seeds.data(), "1", "the run's seed (stampede run --seed)");
    out.scale("day", H5T_STD_I32LE, H5T_NATIVE_INT32, D, days.data(), "1", "trading-day index");
    out.scale("quantile", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, kQ, kBandQuantiles.data(), "1", "quantile over the seeds");
    out.string_scale("agent_class", classes, "agent class");
    out.meta_text("agent_classes", agent_classes_json(class_rows(classes, series)), kMetaAgentClassesLongName);
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
    out.strings("date", {"day"}, dates, "calendar date, ISO");
    std::vector<std::int32_t> time(D);
    for (std::size_t d = 0; d < D; ++d) time[d] = rd::days_since_epoch(dates[d]).value_or(0);
    out.variable("time", {"day"}, H5T_STD_I32LE, H5T_NATIVE_INT32, time.data(), rd::kTimeUnits, "the date as a CF time coordinate");

    std::vector<std::string> run_ids(S * N);
    std::vector<std::uint8_t> run_ok(S * N);
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t k = 0; k < N; ++k) {
        run_ids[s * N + k] = plan.runs[L.run[s][k]].run_id;
        run_ok[s * N + k] = result_of(s, k).status == "ok";
      }
    out.strings("run_id", {"scenario", "seed"}, run_ids, "the run's log is run_<run_id>.h5 in this directory");
    out.variable("run_ok", {"scenario", "seed"}, H5T_STD_U8LE, H5T_NATIVE_UINT8, run_ok.data(), "1",
                 "1 if the run's log is complete (else its values are NaN)");

    std::string variable_names;
    for (const DailyVariable& v : daily_variables()) {
      std::vector<double> values(S * N * D, kNaN);
      for (std::size_t i = 0; i < S * N; ++i)
        if (series[i]) std::copy(((*series[i]).*v.values).begin(), ((*series[i]).*v.values).end(), values.begin() + i * D);
      out.doubles(v.name, {"scenario", "seed", "day"}, values, v.units, v.long_name);
      out.doubles(std::string(v.name) + "_band", {"scenario", "quantile", "day"}, bands(values, S, N, D), v.units,
                  std::string(v.long_name) + ": quantiles over the seeds");
      if (!variable_names.empty()) variable_names += ' ';
      variable_names += v.name;
    }
    std::vector<double> nav(S * N * D * C, kNaN);
    for (std::size_t i = 0; i < S * N; ++i) {
      if (!series[i]) continue;
      const RunSeries& r = *series[i];
      for (std::size_t c = 0; c < r.classes.size(); ++c) {
        const auto at = static_cast<std::size_t>(std::find(classes.begin(), classes.end(), r.classes[c]) - classes.begin());
        for (std::size_t d = 0; d < D; ++d) nav[(i * D + d) * C + at] = r.class_nav[d * r.classes.size() + c];
      }
    }
    out.doubles("class_nav", {"scenario", "seed", "day", "agent_class"}, nav, "yuan",
                "net asset value of the class's investors' capital at the day's last step (NaN: no such class in the run)");
    out.doubles("class_nav_band", {"scenario", "quantile", "day", "agent_class"}, bands(nav, S, N, D * C), "yuan",
                "class NAV: quantiles over the seeds");
    variable_names += " class_nav";

    // Summary metrics: per run, bands, and the paired difference to the baseline.
    std::vector<double> value(S * N * M, kNaN), diff(S * N * M, kNaN);
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t k = 0; k < N; ++k)
        for (std::size_t m = 0; m < M && m < result_of(s, k).metrics.size(); ++m)
          if (result_of(s, k).status == "ok") value[(s * N + k) * M + m] = result_of(s, k).metrics[m];
    std::vector<double> med(S * M, kNaN), low(S * M, kNaN), high(S * M, kNaN), share(S * M, kNaN);
    std::vector<std::int32_t> paired(S * M, 0);
    std::vector<double> a(N), b(N);
    for (std::size_t s = 1; s < S; ++s)
      for (std::size_t m = 0; m < M; ++m) {
        for (std::size_t k = 0; k < N; ++k) {
          a[k] = value[(s * N + k) * M + m];
          b[k] = value[k * M + m];
          diff[(s * N + k) * M + m] = std::isfinite(a[k]) && std::isfinite(b[k]) ? a[k] - b[k] : kNaN;
        }
        const PairedDifference p = paired_difference(a, b, bootstrap_seed(L.scenarios[s], metrics[m]));
        med[s * M + m] = p.median;
        low[s * M + m] = p.low;
        high[s * M + m] = p.high;
        share[s * M + m] = p.sign_share;
        paired[s * M + m] = p.seeds;
      }
    out.doubles("metric_value", {"scenario", "seed", "metric"}, value, "", "the run's summary metric (units: docs/hdf5-schema.md)");
    out.doubles("metric_band", {"scenario", "quantile", "metric"}, bands(value, S, N, M), "", "summary metric: quantiles over the seeds");
    const std::string vs = "scenario minus the baseline (" + L.scenarios[0] + ")";
    out.doubles("paired_difference", {"scenario", "seed", "metric"}, diff, "", vs + ", seed by seed (NaN: either run missing)");
    out.doubles("paired_median", {"scenario", "metric"}, med, "", "median over the seeds of the paired difference, " + vs);
    out.doubles("paired_low", {"scenario", "metric"}, low, "",
                fmt::format("lower end of the {:g}% bootstrap interval of paired_median", 100 * kBootstrapConfidence));
    out.doubles("paired_high", {"scenario", "metric"}, high, "",
                fmt::format("upper end of the {:g}% bootstrap interval of paired_median", 100 * kBootstrapConfidence));
    out.doubles("paired_sign_share", {"scenario", "metric"}, share, "1",
                "share of the paired seeds whose difference has the sign of paired_median");
    out.variable("paired_seeds", {"scenario", "metric"}, H5T_STD_I32LE, H5T_NATIVE_INT32, paired.data(), "1",
                 "seeds where both the scenario's and the baseline's run are complete");

    const hid_t root = out.id();
    rd::write_string_attribute(root, "schema", kEnsembleSchema);
    rd::write_string_attribute(root, "Conventions", "CF-1.8");
    rd::write_string_attribute(root, "baseline", L.scenarios.empty() ? "" : L.scenarios[0]);
    rd::write_string_attribute(root, "daily_variables", variable_names);
    rd::write_int32_attribute(root, "bootstrap_resamples", kBootstrapResamples);
    rd::write_double_attribute(root, "bootstrap_confidence", kBootstrapConfidence);
    const RunTally tally = tally_runs(results);
    rd::write_int32_attribute(root, "runs_planned", static_cast<std::int32_t>(tally.planned));
    rd::write_int32_attribute(root, "runs_ok", static_cast<std::int32_t>(tally.ok));
    rd::write_int32_attribute(root, "runs_failed", static_cast<std::int32_t>(tally.failed));
    rd::write_int32_attribute(root, "runs_missing", static_cast<std::int32_t>(tally.missing()));
    rd::write_int32_attribute(root, "complete", tally.ok == tally.planned ? 1 : 0);
    out.close("close " + tmp.string());
    std::filesystem::rename(tmp, path);

    // The table for the terminal.
    std::string text;
    std::size_t width = 6;
    for (const auto& m : metrics) width = std::max(width, m.size());
    const std::string seeds_text =
        N == 0 ? "none" : fmt::format("{}{}", L.seeds.front(), N > 1 ? fmt::format(" .. {}", L.seeds.back()) : "");
    text += fmt::format("ensemble: {} scenarios x {} seeds ({}), {} of {} runs complete; median [10%, 90%] over the seeds\n", S,
                        N, seeds_text, tally.ok, tally.planned);
    auto band_text = [&](std::size_t s, std::size_t m) {
      std::vector<double> v(N);
      for (std::size_t k = 0; k < N; ++k) v[k] = value[(s * N + k) * M + m];
      return fmt::format("{} [{}, {}]", number(quantile(v, 0.5)), number(quantile(v, 0.1)), number(quantile(v, 0.9)));
    };
    if (S == 1) {
      for (std::size_t m = 0; m < M; ++m) text += fmt::format("  {:<{}}  {}\n", metrics[m], width, band_text(0, m));
    } else {
      text += fmt::format("paired difference to the baseline {}: median [{:g}% bootstrap interval], seeds with its sign\n",
                          L.scenarios[0], 100 * kBootstrapConfidence);
      std::size_t sw = 8;
      for (const auto& s : L.scenarios) sw = std::max(sw, s.size());
      text += fmt::format("  {:<{}}  {:<{}}  {:<34}  {:<34}  {}\n", "metric", width, "scenario", sw, "scenario's median [10%, 90%]",
                          "baseline's median [10%, 90%]", "difference [interval]  seeds with its sign");
      for (std::size_t m = 0; m < M; ++m)
        for (std::size_t s = 1; s < S; ++s) {
          const std::size_t i = s * M + m;
          const int agree = paired[i] > 0 && std::isfinite(share[i]) ? static_cast<int>(std::lround(share[i] * paired[i])) : 0;
          text += fmt::format("  {:<{}}  {:<{}}  {:<34}  {:<34}  {} [{}, {}]  {}/{}\n", s == 1 ? metrics[m] : "", width,
                              L.scenarios[s], sw, band_text(s, m), band_text(0, m), number(med[i], true),
                              number(low[i], true), number(high[i], true), agree, paired[i]);
        }
    }
    return text;
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
}

}  // namespace stampede::sweep
