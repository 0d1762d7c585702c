#include "sim/sweep/execute.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <tbb/info.h>
#include <thread>
#include <unistd.h>

#include "sim/core/parallel.hpp"
#include "sim/engine/resource_estimate.hpp"
#include "sim/engine/run.hpp"
#include "sim/record/run_log.hpp"

namespace stampede::sweep {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kTagRequest = 1, kTagFinal = 2, kTagReply = 3;

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

// Runs done / total, runs per minute, ETA: a rewritten line on a terminal, otherwise a line at
// most every 10 s and one at the end.
class Progress {
 public:
  Progress(bool enabled, std::string label, std::size_t total)
      : enabled_(enabled), tty_(isatty(STDERR_FILENO)), label_(std::move(label)), total_(total), t0_(Clock::now()) {}

  void run_done(bool failed) {
    std::lock_guard lock(m_);
    ++done_;
    failed_ += failed ? 1 : 0;
    print(false);
  }
  void finish() {
    std::lock_guard lock(m_);
    if (total_ > 0) print(true);
  }

 private:
  void print(bool final) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (!final && !tty_ && now - last_ < std::chrono::seconds(10) && done_ != total_) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - t0_).count();
    const double per_min = secs > 0 ? done_ / secs * 60.0 : 0.0;
    const double eta = done_ > 0 ? secs / static_cast<double>(done_) * static_cast<double>(total_ - done_) : NAN;
    std::string line = fmt::format("{}: {}/{} runs done{}, {:.1f} runs/min, elapsed {}, ETA {}", label_, done_, total_,
                                   failed_ ? fmt::format(" ({} failed)", failed_) : std::string(), per_min, clock_text(secs),
                                   done_ == total_ ? std::string("0:00") : clock_text(eta));
    if (tty_)
      std::fprintf(stderr, "\r%-100s%s", line.c_str(), final ? "\n" : "");
    else if (!final || done_ != last_printed_)
      std::fprintf(stderr, "%s\n", line.c_str());
    last_printed_ = done_;
    std::fflush(stderr);
  }

  std::mutex m_;
  bool enabled_, tty_;
  std::string label_;
  std::size_t total_, done_ = 0, failed_ = 0, last_printed_ = std::numeric_limits<std::size_t>::max();
  Clock::time_point t0_, last_{};
};

// Threads each run may use: the cores of this process shared among the runs under way.
class CoreBudget {
 public:
  CoreBudget(int cores, int jobs, std::size_t to_run) : cores_(cores), jobs_(jobs), left_(to_run) {}
  int threads_for_next_run() {
    std::lock_guard lock(m_);
    const std::size_t sharing = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(jobs_), left_));
    return std::max(1, cores_ / static_cast<int>(sharing));
  }
  void run_finished() {
    std::lock_guard lock(m_);
    if (left_ > 0) --left_;
  }

 private:
  std::mutex m_;
  int cores_, jobs_;
  std::size_t left_;
};

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream o(p, std::ios::binary | std::ios::trunc);
  o << text << "\n";
}

constexpr const char* kNotStarted = "not started";

RunResult run_one(const PlannedRun& run, const ExecuteOptions& o, int threads) {
  RunResult r;
  const auto err_file = o.dir / error_name(run);
  std::error_code ec;
  std::filesystem::remove(err_file, ec);
  try {
    const Scenario scenario = o.load(run.scenario_file, run.overrides);
    // Not on a disk that cannot hold it: the sweep stops launching runs instead of failing each.
    const ResourceEstimate est = estimate_resources(scenario);
    const double need = est.disk_bytes;   // the log and its working copy
    if (const std::string memory = memory_problem(est); !memory.empty()) throw std::runtime_error(memory);
    if (const auto free = free_disk_bytes(o.dir); free && *free < need) {
      r.status = kNotStarted;
      r.error = fmt::format("the disk of {} has {} free and a run needs about {}", o.dir.string(), bytes_text(*free),
                            bytes_text(need));
      r.metrics.assign(metric_names().size(), std::numeric_limits<double>::quiet_NaN());
      return r;
    }
    RunOptions ro;
    ro.output = o.dir / log_name(run);
    ro.threads = threads;
    ro.limit_global_parallelism = false;   // other runs share the process
    ro.stop = o.stop;
    ro.resume = true;   // an unfinished log from an earlier attempt goes on from its checkpoint
    const RunSummary sum = run_simulation(scenario, *o.registry, ro);
    if (sum.interrupted_by != 0) {   // its log stays incomplete: a rerun of the sweep continues it from its checkpoint
      r.status = "interrupted";
      r.metrics.assign(metric_names().size(), std::numeric_limits<double>::quiet_NaN());
      return r;
    }
    if (!sum.conservation_problems.empty())
      throw std::runtime_error("accounting invariant broken: " + sum.conservation_problems.front());
    for (const auto& [name, value] : summary_metrics(sum)) r.metrics.push_back(value);
    r.status = "ok";
    return r;
  } catch (const ScenarioError& e) {
    for (const auto& p : e.problems()) r.error += (r.error.empty() ? "" : "; ") + p;
  } catch (const std::exception& e) {
    r.error = e.what();
  } catch (...) {
    r.error = "unknown error";
  }
  for (char& c : r.error)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (r.error.empty()) r.error = "failed";
  r.status = "failed";
  r.metrics.assign(metric_names().size(), std::numeric_limits<double>::quiet_NaN());
  write_text(err_file, r.error);
  return r;
}

int process_cores(const MpiWorld& world) {
  int cores = tbb::info::default_concurrency();   // respects the affinity mask (mpirun binding, taskset, Slurm)
  const unsigned hw = std::thread::hardware_concurrency();
  if (world.local_size() > 1 && hw > 0 && static_cast<unsigned>(cores) >= hw) cores /= world.local_size();
  return std::max(1, cores);
}

// `jobs` slots; each slot takes the next run from `next` until there is none.
template <class Next, class Done>
void run_pool(int jobs, Next&& next, Done&& done) {
  run_slots(jobs, [&] {
    while (auto i = next()) done(*i);
  });
}

// Between a process's run slots and the thread that talks MPI (MPI_THREAD_FUNNELED).
struct Mailbox {
  std::mutex m;
  std::condition_variable work_cv, dispatcher_cv;
  std::deque<std::size_t> inbox;
  bool closed = false, finished = false;
  std::size_t waiting = 0;
  std::vector<std::pair<std::size_t, RunResult>> outbox;

  std::optional<std::size_t> take() {
    std::unique_lock lock(m);
    ++waiting;
    dispatcher_cv.notify_all();
    work_cv.wait(lock, [&] { return !inbox.empty() || closed; });
    --waiting;
    if (inbox.empty()) return std::nullopt;
    std::size_t i = inbox.front();
    inbox.pop_front();
    return i;
  }
  void put(std::size_t i, RunResult r) {
    std::lock_guard lock(m);
    outbox.emplace_back(i, std::move(r));
    dispatcher_cv.notify_all();
  }
  bool wants_work() const { return !closed && waiting > inbox.size(); }
};

std::string encode_all(std::vector<std::pair<std::size_t, RunResult>>& batch) {
  std::string text;
  for (const auto& [i, r] : batch) {
    if (!text.empty()) text += '\n';
    text += encode_result(i, r);
  }
  batch.clear();
  return text;
}

void count_not_started(ExecuteReport& rep) {
  if (rep.stopped_launching.empty()) return;
  const std::size_t accounted = rep.skipped + rep.ran + rep.interrupted;
  rep.not_started = rep.planned > accounted ? rep.planned - accounted : 0;
}

}  // namespace

std::pair<int, int> parse_shard(const std::string& text) {
  auto bad = [&](const std::string& why) { return PlanError({fmt::format("--shard {}: {}", text, why)}); };
  if (text.empty()) {
    const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    if (!id || !count) return {0, 1};
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    try {
      int i = std::stoi(id) - (min ? std::stoi(min) : 0), k = std::stoi(count);
      if (k < 1 || i < 0 || i >= k)
        throw PlanError({fmt::format("SLURM_ARRAY_TASK_ID={} (min {}) and SLURM_ARRAY_TASK_COUNT={} do not give a shard I/K "
                                     "with 0 <= I < K: use consecutive array indices, e.g. --array=0-{}",
                                     id, min ? min : "0", count, k > 0 ? k - 1 : 0)});
      return {i, k};
    } catch (const std::invalid_argument&) {
      throw PlanError({"SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT are not integers"});
    }
  }
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) throw bad("expected I/K, e.g. 0/4 (shard I of K, 0 <= I < K)");
  int i = -1, k = 0;
  try {
    std::size_t p1 = 0, p2 = 0;
    i = std::stoi(text.substr(0, slash), &p1);
    k = std::stoi(text.substr(slash + 1), &p2);
    if (p1 != slash || p2 != text.size() - slash - 1) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw bad("expected I/K with integers, e.g. 0/4");
  }
  if (k < 1 || i < 0 || i >= k) throw bad("needs 0 <= I < K");
  return {i, k};
}

ExecuteReport execute_plan(const Plan& plan, const ExecuteOptions& o, const MpiWorld& world) {
  if (!o.registry || !o.load) throw std::logic_error("execute_plan: registry and loader are required");
  ExecuteReport rep;
  const std::size_t n = plan.runs.size();
  rep.results.assign(n, RunResult{});
  for (auto& r : rep.results) r.metrics.assign(metric_names().size(), std::numeric_limits<double>::quiet_NaN());
  const bool rank0 = world.rank() == 0;
  rep.writer = rank0 && o.shards == 1;

  std::filesystem::create_directories(o.dir);
  if (rank0) write_plan_csv(plan, o.dir / "plan.csv");

  const int cores = process_cores(world);
  const int jobs = o.jobs > 0 ? o.jobs : cores;

  // Which runs are still to make (rank 0 decides, from the logs on disk).
  std::vector<std::size_t> to_run;
  if (rank0) {
    for (std::size_t i = 0; i < n; ++i) {
      if (static_cast<int>(i % static_cast<std::size_t>(o.shards)) != o.shard) continue;
      ++rep.planned;
      RunResult r = read_run_result(o.dir, plan.runs[i], &o.load);
      if (r.status == "ok") {
        rep.results[i] = std::move(r);
        ++rep.skipped;
      } else {
        if (!r.error.empty() && r.status == "missing")   // a complete log that fails its checks (even with -q)
          std::fprintf(stderr, "%s: %s is complete but %s; making it again\n", o.label.c_str(), log_name(plan.runs[i]).c_str(),
                       r.error.c_str());
        to_run.push_back(i);
      }
    }
    if (o.progress) {
      std::fprintf(stderr, "%s: %zu runs%s, %zu already complete, %zu to run (%d at a time%s, %d cores)\n", o.label.c_str(),
                   rep.planned, o.shards > 1 ? fmt::format(" in shard {}/{}", o.shard, o.shards).c_str() : "", rep.skipped,
                   to_run.size(), jobs, world.active() ? fmt::format(" on each of {} MPI ranks", world.size()).c_str() : "",
                   cores);
      std::fflush(stderr);
    }
  }

  Progress progress(o.progress && rank0, o.label, to_run.size());
  rep.runs_per_rank.assign(static_cast<std::size_t>(world.size()), 0);
  std::atomic<bool> disk_full{false};
  auto stopped = [&] {
    return disk_full.load(std::memory_order_relaxed) || (o.stop != nullptr && o.stop->load(std::memory_order_relaxed) != 0);
  };
  auto record = [&](std::size_t i, RunResult r, int by_rank) {
    if (r.status == "interrupted") {
      ++rep.interrupted;
      return;
    }
    if (r.status == kNotStarted || (r.status == "failed" && !out_of_space_cause(r.error).empty())) {
      if (rep.stopped_launching.empty()) rep.stopped_launching = r.error;
      disk_full.store(true, std::memory_order_relaxed);
      if (r.status == kNotStarted) return;   // its log was never begun: missing, not failed
    }
    ++rep.runs_per_rank[static_cast<std::size_t>(by_rank)];
    const bool failed = r.status != "ok";
    if (failed) ++rep.failed;
    ++rep.ran;
    rep.results[i] = std::move(r);
    progress.run_done(failed);
  };

  if (!world.active()) {
    CoreBudget budget(cores, jobs, to_run.size());
    std::atomic<std::size_t> next{0};
    std::mutex m;
    run_pool(
        std::min<int>(jobs, static_cast<int>(std::max<std::size_t>(to_run.size(), 1))),
        [&]() -> std::optional<std::size_t> {
          if (stopped()) return std::nullopt;
          std::size_t k = next++;
          return k < to_run.size() ? std::optional<std::size_t>(to_run[k]) : std::nullopt;
        },
        [&](std::size_t i) {
          RunResult r = run_one(plan.runs[i], o, budget.threads_for_next_run());
          budget.run_finished();
          std::lock_guard lock(m);
          record(i, std::move(r), 0);
        });
    progress.finish();
    count_not_started(rep);
    return rep;
  }

  // MPI: this thread talks MPI; the run slots live in a pool on another thread.
  Mailbox box;
  CoreBudget budget(cores, jobs, std::numeric_limits<std::size_t>::max());
  std::thread pool([&] {
    run_pool(
        jobs, [&] { return box.take(); },
        [&](std::size_t i) { box.put(i, run_one(plan.runs[i], o, budget.threads_for_next_run())); });
    std::lock_guard lock(box.m);
    box.finished = true;
    box.dispatcher_cv.notify_all();
  });

  if (rank0) {
    std::deque<std::size_t> queue(to_run.begin(), to_run.end());
    int ranks_running = world.size() - 1;
    for (;;) {
      bool busy = false;
      bool local_done = false;
      {
        std::lock_guard lock(box.m);
        for (auto& [i, r] : box.outbox) record(i, std::move(r), 0);
        box.outbox.clear();
        if (stopped()) queue.clear();
        while (box.wants_work()) {
          if (queue.empty()) {
            box.closed = true;
          } else {
            box.inbox.push_back(queue.front());
            queue.pop_front();
          }
          box.work_cv.notify_all();
          busy = true;
        }
        local_done = box.finished;
      }
      int source = 0, tag = 0;
      while (world.probe(source, tag)) {
        busy = true;
        const std::string text = world.recv_text(source, tag);
        std::size_t start = 0;
        while (start < text.size()) {
          std::size_t end = text.find('\n', start);
          if (end == std::string::npos) end = text.size();
          RunResult r;
          const std::size_t i = decode_result(text.substr(start, end - start), r);
          if (i < n) record(i, std::move(r), source);
          start = end + 1;
        }
        if (tag == kTagRequest) {
          std::int64_t give = -1;
          if (!queue.empty() && !stopped()) {
            give = static_cast<std::int64_t>(queue.front());
            queue.pop_front();
          }
          world.send_int(source, kTagReply, give);
        } else if (tag == kTagFinal) {
          --ranks_running;
        }
      }
      if (local_done && ranks_running == 0) {
        std::lock_guard lock(box.m);
        for (auto& [i, r] : box.outbox) record(i, std::move(r), 0);
        box.outbox.clear();
        break;
      }
      if (!busy) {
        std::unique_lock lock(box.m);
        box.dispatcher_cv.wait_for(lock, std::chrono::milliseconds(2));
      }
    }
  } else {
    for (;;) {
      std::vector<std::pair<std::size_t, RunResult>> batch;
      bool final = false;
      {
        std::unique_lock lock(box.m);
        box.dispatcher_cv.wait(lock, [&] { return box.finished || box.wants_work(); });
        final = box.finished;
        batch.swap(box.outbox);
      }
      if (final) {
        world.send_text(0, kTagFinal, encode_all(batch));
        break;
      }
      world.send_text(0, kTagRequest, encode_all(batch));
      const std::int64_t give = world.recv_int(0, kTagReply);
      std::lock_guard lock(box.m);
      if (give >= 0)
        box.inbox.push_back(static_cast<std::size_t>(give));
      else
        box.closed = true;
      box.work_cv.notify_all();
    }
  }
  pool.join();
  progress.finish();
  world.barrier();
  count_not_started(rep);
  return rep;
}

}  // namespace stampede::sweep
