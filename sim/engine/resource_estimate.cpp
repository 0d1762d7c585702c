#include "sim/engine/resource_estimate.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace stampede {

namespace {

// Coefficients from runs of feb2024 with one count at a time raised (days 1-37, 920-3680 stocks,
// 200-2000 DMA accounts, 40k-400k traders, 5k-50k notes; docs/archive/benchmarks-history.md,
// "Resource estimates"), rounded up: the fit is within about 20% of those runs, the rounding errs high.
constexpr double kLogBase = 0.5e6;                // bytes: layout, coordinates, /meta
constexpr double kLogPerStockStep = 3.2;          // compressed /market/stocks/last_price
constexpr double kLogPerStockDay = 40;            // the daily [day, stock] datasets
constexpr double kLogPerAccountStep = 4;          // events and agent tables, grow with the crowded accounts
constexpr double kLogPerStep = 100;               // index, futures and class rows
constexpr double kMemBase = 64e6;                 // bytes: code, oneTBB, HDF5, the writer's queue
constexpr double kMemPerStock = 24e3;             // books, makers, per-stock state (at 2 makers a stock)
constexpr double kMemPerTrader = 400;             // retail and noise-trader populations
constexpr double kMemPerNote = 150;               // snowball notes
constexpr double kMemPerAccount = 180e3;          // DMA accounts and funds
constexpr double kMemPerAccountStep = 60;         // the high-water mark of per-step buffers in the first stress
constexpr double kMemGrowthDays = 40;             // episode: memory stops growing after it
                                                  // (docs/archive/benchmarks-history.md, "Memory over run
                                                  // length"), so counted up to 40 days
constexpr double kCpuPerStockStep = 2.7e-6;       // seconds of one core
constexpr double kCpuPerTraderDay = 1.1e-5;

int steps_per_day(int step_minutes) {
  const int m = std::max(1, step_minutes);
  return 2 + (120 + m - 1) / m + (117 + m - 1) / m;   // the auctions and the two sessions (session_clock.cpp)
}

struct Term {
  double value;
  std::string keys;   // what drives it, "key = value, ..."
};

// The keys of the terms that make at least a tenth of `total`, largest first, without repeats.
std::vector<std::string> driving_keys(std::vector<Term> terms) {
  double total = 0;
  for (const Term& t : terms) total += t.value;
  std::sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) { return a.value > b.value; });
  std::vector<std::string> out;
  for (const Term& t : terms) {
    if (t.value < 0.1 * total) continue;
    std::size_t start = 0;
    while (start < t.keys.size()) {   // each "key = value" once
      std::size_t end = t.keys.find(", ", start);
      if (end == std::string::npos) end = t.keys.size();
      std::string key = t.keys.substr(start, end - start);
      if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(std::move(key));
      start = end + 2;
    }
  }
  return out;
}

std::optional<double> read_number(const std::string& file) {
  std::ifstream in(file);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The memory cgroup's limit less its usage (v2, else v1), when this process is in a limited one.
std::optional<double> cgroup_memory_left() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    std::optional<double> limit, usage;
    if (line.rfind("0::", 0) == 0) {
      limit = read_number("/sys/fs/cgroup" + path + "/memory.max");
      usage = read_number("/sys/fs/cgroup" + path + "/memory.current");
    } else if (controllers.find("memory") != std::string::npos) {
      limit = read_number("/sys/fs/cgroup/memory" + path + "/memory.limit_in_bytes");
      usage = read_number("/sys/fs/cgroup/memory" + path + "/memory.usage_in_bytes");
    }
    if (limit && *limit < 1e18) return std::max(0.0, *limit - usage.value_or(0.0));
  }
  return std::nullopt;
}

}  // namespace

ResourceEstimate estimate_resources(const Scenario& s) {
  auto get = [&](const char* key) { return static_cast<double>(s.get_int(key)); };
  auto kv = [&](const char* key) { return fmt::format("{} = {}", key, s.get_int(key)); };
  const double days = get("days"), spd = steps_per_day(static_cast<int>(get("session.step_minutes")));
  const double steps = days * spd;
  const double stocks = get("stocks.microcaps") + get("stocks.index_constituents") + get("stocks.large_caps");
  const bool prices = s.get_bool("output.record_step_prices");
  const double makers = get("liquidity_providers.per_stock");
  const double accounts = get("dma.accounts") + get("neutral_funds.count") + get("index_enhanced.count") +
                          get("value_investors.count") + get("snowball.issuers");
  const double traders = get("retail.count") + get("noise_traders.count");
  const double notes = get("snowball.issuers") * get("snowball.notes_per_issuer");

  const std::string k_days = kv("days") + ", " + kv("session.step_minutes");
  const std::string k_stocks = fmt::format("stocks.microcaps + stocks.index_constituents + stocks.large_caps = {}", stocks);
  const std::string k_accounts =
      fmt::format("dma.accounts + neutral_funds.count + index_enhanced.count + value_investors.count + snowball.issuers = {}",
                  accounts);
  const std::string k_traders = fmt::format("retail.count + noise_traders.count = {}", traders);
  const std::string k_notes = kv("snowball.issuers") + ", " + kv("snowball.notes_per_issuer");

  ResourceEstimate e;
  const std::vector<Term> log = {
      {kLogBase, ""},
      {prices ? kLogPerStockStep * steps * stocks : 0.0, k_days + ", " + k_stocks + ", output.record_step_prices = true"},
      {kLogPerStockDay * days * stocks, kv("days") + ", " + k_stocks},
      {kLogPerAccountStep * steps * accounts, k_days + ", " + k_accounts},
      {kLogPerStep * steps, k_days},
  };
  for (const Term& t : log) e.log_bytes += t.value;
  e.disk_bytes = 2 * e.log_bytes;   // the published copy and the working copy (shadow_file.hpp)
  e.disk_keys = driving_keys(log);

  const std::vector<Term> mem = {
      {kMemBase, ""},
      {kMemPerStock * stocks * (1 + makers) / 3, k_stocks + ", " + kv("liquidity_providers.per_stock")},
      {kMemPerTrader * traders, k_traders},
      {kMemPerNote * notes, k_notes},
      {kMemPerAccount * accounts, k_accounts},
      {kMemPerAccountStep * accounts * std::min(steps, kMemGrowthDays * spd), k_days + ", " + k_accounts},
  };
  for (const Term& t : mem) e.memory_bytes += t.value;
  e.memory_keys = driving_keys(mem);
  e.cpu_seconds = kCpuPerStockStep * steps * stocks + kCpuPerTraderDay * days * traders;
  return e;
}

std::optional<double> free_disk_bytes(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(dir.empty() ? std::filesystem::path(".") : dir, ec);
  while (!p.empty() && !std::filesystem::exists(p, ec) && p.has_parent_path() && p.parent_path() != p) p = p.parent_path();
  struct statvfs st{};
  if (statvfs(p.c_str(), &st) != 0) return std::nullopt;
  double free = static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize);
  struct rlimit fsize{};
  if (getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY)   // ulimit -f: per file, the log is one
    free = std::min(free, 2.0 * static_cast<double>(fsize.rlim_cur));
  return free;
}

std::optional<double> available_memory_bytes(std::string* where) {
  std::optional<double> best;
  auto consider = [&](std::optional<double> v, const char* what) {
    if (v && (!best || *v < *best)) {
      best = v;
      if (where) *where = what;
    }
  };
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line))
    if (line.rfind("MemAvailable:", 0) == 0) consider(std::stod(line.substr(13)) * 1024, "available (MemAvailable)");
  consider(cgroup_memory_left(), "left under this process's cgroup memory limit");
  for (int res : {RLIMIT_AS, RLIMIT_DATA}) {
    struct rlimit r{};
    if (getrlimit(res, &r) == 0 && r.rlim_cur != RLIM_INFINITY)
      consider(static_cast<double>(r.rlim_cur), res == RLIMIT_AS ? "allowed (ulimit -v)" : "allowed (ulimit -d)");
  }
  return best;
}

std::string bytes_text(double b) {
  if (b >= 1e12) return fmt::format("{:.1f} TB", b / 1e12);
  if (b >= 1e9) return fmt::format("{:.1f} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.0f} MB", b / 1e6);
  return fmt::format("{:.0f} kB", b / 1e3);
}

namespace {
std::string time_text(double s) {
  if (s < 90) return fmt::format("{:.0f} s", std::max(1.0, s));
  if (s < 5400) return fmt::format("{:.0f} min", s / 60);
  if (s < 2 * 86400) return fmt::format("{:.1f} h", s / 3600);
  return fmt::format("{:.1f} days", s / 86400);
}

std::string joined(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}
}  // namespace

std::string estimate_line(const ResourceEstimate& e, const std::filesystem::path& output_dir, int threads) {
  const auto disk = free_disk_bytes(output_dir);
  std::string mem_where;
  const auto mem = available_memory_bytes(&mem_where);
  const int cores = std::max(1, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  const int t = threads > 0 ? std::min(threads, cores) : cores;
  // Parallel steps scale about 0.8 per extra thread on the development machine (docs/BENCHMARKS.md).
  const double wall = e.cpu_seconds / (1 + 0.8 * (t - 1));
  return fmt::format("estimated: run log {} ({} of disk while it is written{}), memory {}{}, about {} on {} thread{}",
                     bytes_text(e.log_bytes), bytes_text(e.disk_bytes), disk ? ", " + bytes_text(*disk) + " free" : "",
                     bytes_text(e.memory_bytes), mem ? " (" + bytes_text(*mem) + " available)" : "", time_text(wall), t,
                     t == 1 ? "" : "s");
}

std::vector<std::string> resource_problems(const ResourceEstimate& e, const std::filesystem::path& output_dir) {
  std::vector<std::string> out;
  if (const auto disk = free_disk_bytes(output_dir); disk && e.disk_bytes > *disk)
    out.push_back(fmt::format("the run needs about {} of disk (a run log of {}, twice while it is written) but '{}' has {} "
                              "free (or allows that much under ulimit -f); driven by {}; lower them, or --force to "
                              "start anyway",
                              bytes_text(e.disk_bytes), bytes_text(e.log_bytes),
                              output_dir.empty() ? std::string(".") : output_dir.string(), bytes_text(*disk),
                              joined(e.disk_keys)));
  if (const std::string memory = memory_problem(e); !memory.empty())
    out.push_back(memory + "; lower them, or --force to start anyway");
  return out;
}

std::string memory_problem(const ResourceEstimate& e) {
  std::string where;
  if (const auto mem = available_memory_bytes(&where); mem && e.memory_bytes > *mem)
    return fmt::format("the run needs about {} of memory but {} is {}; driven by {}", bytes_text(e.memory_bytes),
                       bytes_text(*mem), where, joined(e.memory_keys));
  return "";
}

}  // namespace stampede
