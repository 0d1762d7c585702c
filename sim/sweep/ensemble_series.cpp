#include "sim/sweep/ensemble_series.hpp"

#include <fmt/format.h>
#include <optional>
#include <stdexcept>

#include "sim/market/futures.hpp"
#include "sim/record/h5_handle.hpp"
#include "sim/record/h5_write.hpp"

namespace stampede::sweep {

namespace {

struct Reader {
  hid_t file;
  std::string log;

  [[noreturn]] void fail(const std::string& path, const std::string& why) const {
    throw std::runtime_error(fmt::format("{}: {}: {} ({})", log, path, why, h5::take_error_stack()));
  }
  h5::Handle open(const std::string& path) const {
    hid_t id = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
    if (id < 0) fail(path, "cannot open the dataset");
    return {id, H5Dclose};
  }
  std::vector<hsize_t> shape(hid_t ds) const {
    h5::Handle space(H5Dget_space(ds), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return dims;
  }
  template <class T>
  std::vector<T> read(const std::string& path, hid_t mem_type, std::vector<hsize_t>* dims = nullptr) const {
    h5::Handle ds = open(path);
    const std::vector<hsize_t> d = shape(ds.get());
    std::size_t n = 1;
    for (hsize_t x : d) n *= static_cast<std::size_t>(x);
    std::vector<T> out(n);
    if (n > 0 && H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) fail(path, "cannot read it");
    if (dims) *dims = d;
    return out;
  }
  // A scalar string dataset's text; nothing when the log has no such dataset (written before it).
  std::optional<std::string> read_text(const std::string& group, const std::string& name) const {
    const std::string path = group + "/" + name;
    if (H5Lexists(file, group.c_str(), H5P_DEFAULT) <= 0 || H5Lexists(file, path.c_str(), H5P_DEFAULT) <= 0)
      return std::nullopt;
    h5::Handle ds = open(path);
    h5::Handle type = record_detail::vlen_string_type();
    char* raw = nullptr;
    if (H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &raw) < 0) fail(path, "cannot read it");
    std::string out = raw ? raw : "";
    h5::Handle space(H5Dget_space(ds.get()), H5Sclose);
    H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, &raw);
    return out;
  }
  std::vector<std::string> read_strings(const std::string& path) const {
    h5::Handle ds = open(path);
    const std::vector<hsize_t> d = shape(ds.get());
    const std::size_t n = d.empty() ? 0 : static_cast<std::size_t>(d[0]);
    std::vector<char*> raw(n, nullptr);
    h5::Handle type = record_detail::vlen_string_type();
    if (n > 0 && H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0) fail(path, "cannot read it");
    std::vector<std::string> out;
    for (char* s : raw) out.emplace_back(s ? s : "");
    if (n > 0) {
      h5::Handle space(H5Dget_space(ds.get()), H5Sclose);
      H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, raw.data());
    }
    return out;
  }
};

// Row of the last step of each trading day (steps are in order), -1 where a day has no step.
std::vector<std::ptrdiff_t> last_steps(const std::vector<std::int32_t>& day_of_step, const std::vector<std::int32_t>& days) {
  std::vector<std::ptrdiff_t> out(days.size(), -1);
  std::size_t s = 0;
  for (std::size_t r = 0; r < days.size(); ++r) {
    while (s < day_of_step.size() && day_of_step[s] <= days[r]) {
      if (day_of_step[s] == days[r]) out[r] = static_cast<std::ptrdiff_t>(s);
      ++s;
    }
  }
  return out;
}

}  // namespace

const std::vector<DailyVariable>& daily_variables() {
  static const std::vector<DailyVariable> v = {
      {"microcap_close", "points", "microcap index close", &RunSeries::microcap_close},
      {"hedged_close", "points", "hedged index (CSI 1000-like) close", &RunSeries::hedged_close},
      {"basis_main_annualised", "year-1",
       "annualised basis of the main contract (most open interest) at the day's last step", &RunSeries::basis_main},
      {"limit_down_count", "stock", "stocks closing at their lower price limit", &RunSeries::limit_down},
  };
  return v;
}

RunSeries read_run_series(const std::filesystem::path& log) {
  hid_t f = H5Fopen(log.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error(fmt::format("{}: cannot open the run log ({})", log.string(), h5::take_error_stack()));
  h5::Handle file(f, H5Fclose);
  const Reader in{file.get(), log.string()};
  RunSeries r;
  r.dates = in.read_strings("/date");
  r.days = in.read<std::int32_t>("/day", H5T_NATIVE_INT32);
  const std::size_t n_days = r.days.size();
  r.microcap_close = in.read<double>("/market/index/microcap_close", H5T_NATIVE_DOUBLE);
  r.hedged_close = in.read<double>("/market/index/hedged_close", H5T_NATIVE_DOUBLE);
  if (r.dates.size() != n_days || r.microcap_close.size() != n_days || r.hedged_close.size() != n_days)
    throw std::runtime_error(fmt::format("{}: /day, /date and /market/index/*_close differ in length", log.string()));

  const auto at_close = last_steps(in.read<std::int32_t>("/day_of_step", H5T_NATIVE_INT32), r.days);
  std::vector<hsize_t> bdims, odims;
  const auto basis = in.read<double>("/market/futures/basis_annualised", H5T_NATIVE_DOUBLE, &bdims);
  const auto oi = in.read<std::int64_t>("/market/futures/open_interest", H5T_NATIVE_INT64, &odims);
  if (bdims.size() != 2 || bdims != odims) throw std::runtime_error(fmt::format("{}: /market/futures shapes differ", log.string()));
  const auto slots = static_cast<std::size_t>(bdims[1]);
  r.basis_main.assign(n_days, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t d = 0; d < n_days; ++d) {
    if (at_close[d] < 0 || slots == 0 || static_cast<hsize_t>(at_close[d]) >= bdims[0]) continue;
    const std::size_t row = static_cast<std::size_t>(at_close[d]) * slots;
    r.basis_main[d] = basis[row + main_contract_slot(oi.data() + row, slots)];
  }

  std::vector<hsize_t> ldims;
  const auto locks = in.read<std::uint8_t>("/market/stocks/limit_down", H5T_NATIVE_UINT8, &ldims);
  const std::size_t stocks = ldims.size() == 2 ? static_cast<std::size_t>(ldims[1]) : 0;
  r.limit_down.assign(n_days, 0.0);
  for (std::size_t d = 0; d < n_days && d * stocks < locks.size(); ++d)
    for (std::size_t s = 0; s < stocks; ++s) r.limit_down[d] += locks[d * stocks + s];

  r.classes = in.read_strings("/agent_class");
  // The classes' labels and docs, one row per class in its order (a log written before them, or
  // whose table does not match its classes, has none: the ensemble labels those by name).
  if (const auto json = in.read_text("/meta", "agent_classes"))
    if (auto rows = agent_classes_from_json(*json); rows && rows->size() == r.classes.size())
      r.class_rows = std::move(*rows);
  std::vector<hsize_t> ndims;
  const auto nav = in.read<double>("/agents/classes/nav", H5T_NATIVE_DOUBLE, &ndims);
  const std::size_t n_classes = r.classes.size();
  r.class_nav.assign(n_days * n_classes, std::numeric_limits<double>::quiet_NaN());
  if (ndims.size() == 2 && ndims[1] == n_classes)
    for (std::size_t d = 0; d < n_days; ++d)
      if (at_close[d] >= 0 && static_cast<hsize_t>(at_close[d]) < ndims[0])
        for (std::size_t c = 0; c < n_classes; ++c)
          r.class_nav[d * n_classes + c] = nav[static_cast<std::size_t>(at_close[d]) * n_classes + c];
  h5::take_error_stack();
  return r;
}

}  // namespace stampede::sweep
