#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include "tests/record/run_log_fixture.hpp"

using namespace stampede;
using namespace stampede::test;
using Catch::Matchers::Contains;

TEST_CASE("run log that cannot be created throws naming the path", "[record]") {
  const auto dir = temp_dir();
  SECTION("parent is a regular file") {
    const auto blocker = dir / "not_a_directory";
    std::ofstream(blocker) << "x";
    const auto path = blocker / "sub" / "run.h5";
    CHECK_THROWS_WITH(RunLog(path, sample_header()), Contains(path.string()));
    CHECK_THROWS_AS(RunLog(path, sample_header()), std::runtime_error);
  }
  SECTION("path is a directory") {
    const auto path = dir / "a_directory.h5";
    std::filesystem::create_directories(path);
    CHECK_THROWS_WITH(RunLog(path, sample_header()), Contains(path.string()));
    CHECK_THROWS_AS(RunLog(path, sample_header()), std::runtime_error);
  }
  SECTION("directory without write permission") {
    const auto ro = dir / "read_only";
    std::filesystem::create_directories(ro);
    std::filesystem::permissions(ro, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    const auto path = ro / "run.h5";
    if (::geteuid() != 0) {  // root ignores permissions
      CHECK_THROWS_WITH(RunLog(path, sample_header()), Contains(path.string()));
    }
    std::filesystem::permissions(ro, std::filesystem::perms::owner_all);
  }
}

TEST_CASE("malformed header and frames are rejected on the caller's thread", "[record]") {
  const auto path = temp_dir() / "malformed.h5";
  RunHeader bad = sample_header();
  bad.stocks.limit_pct.pop_back();
  CHECK_THROWS_AS(RunLog(path, bad), std::invalid_argument);
  bad = sample_header();
  bad.step_phase.push_back(1);
  CHECK_THROWS_AS(RunLog(path, bad), std::invalid_argument);

  bad = sample_header();
  bad.daily_agent_id.pop_back();
  CHECK_THROWS_WITH(RunLog(path, bad), Contains("daily_agent_id"));
  bad = sample_header();
  bad.daily_agent_class.push_back(0);
  CHECK_THROWS_WITH(RunLog(path, bad), Contains("daily_agent_class"));
  bad = sample_header();
  bad.daily_agent_class[1] = 2;  // only two classes
  CHECK_THROWS_WITH(RunLog(path, bad), Contains("daily_agent_class[1]"));
  CHECK_THROWS_AS(RunLog(path, bad), std::invalid_argument);
  bad = sample_header();
  bad.event_kinds.push_back(bad.event_kinds.front());
  CHECK_THROWS_WITH(RunLog(path, bad), Contains("declared twice"));

  RunLog log(path, sample_header());
  StepFrame f = sample_step(0);
  f.classes.pop_back();
  CHECK_THROWS_WITH(log.write_step(f), Contains("StepFrame.classes"));
  CHECK_THROWS_AS(log.write_step(f), std::invalid_argument);
  f = sample_step(0);
  f.last_price.pop_back();
  CHECK_THROWS_WITH(log.write_step(f), Contains("last_price"));
  f = sample_step(0);
  f.futures_volume.push_back(1);
  CHECK_THROWS_AS(log.write_step(f), std::invalid_argument);
  log.write_step(sample_step(0));
  CHECK_THROWS_WITH(log.write_step(sample_step(0)), Contains("does not follow"));
  DayFrame d = sample_day(0);
  d.futures_code.pop_back();
  CHECK_THROWS_AS(log.write_day(d), std::invalid_argument);
  d = sample_day(0);
  d.agents.push_back({});
  CHECK_THROWS_WITH(log.write_day(d), Contains("DayFrame.agents"));
  d = sample_day(0);
  d.date = "2024-02-30";   // it becomes the CF time coordinate: a calendar date or nothing
  CHECK_THROWS_WITH(log.write_day(d), Contains("not an ISO calendar date"));
  d = sample_day(0);
  d.flows.pop_back();   // 5 rows for 2 classes x 3 segments
  CHECK_THROWS_WITH(log.write_day(d), Contains("DayFrame.flows"));
  CHECK_THROWS_AS(log.write_day(d), std::invalid_argument);
  log.write_day(sample_day(0));
  CHECK_THROWS_AS(log.write_day(sample_day(0)), std::invalid_argument);
  CHECK_THROWS_AS(log.write_events("a/b", {}), std::invalid_argument);
  // only declared kinds (sim/record/event_kinds.def, plus the header's own): every log has the same tables
  CHECK_THROWS_WITH(log.write_events("trade", {}), Contains("event_kinds.def"));
  log.write_events("margin_calls", {});
  CHECK_THROWS_AS(log.set_attribute("complete", 1.0), std::invalid_argument);
  log.finish(1.0);
  CHECK_THROWS_AS(log.write_step(sample_step(1)), std::logic_error);
  CHECK_THROWS_AS(log.finish(1.0), std::logic_error);
  CHECK(complete_flag(path) == 1);
}

TEST_CASE("an error on the writer thread is rethrown on the caller's thread", "[record]") {
  // Simulate a full disk: cap the file size this process may write (and ignore SIGXFSZ, so the
  // write fails with EFBIG instead of killing the process).
  const auto path = temp_dir() / "disk_full.h5";
  RunHeader h = sample_header();
  const int n = 20000;
  h.stocks.names.resize(n, "S");
  h.stocks.segment.resize(n, 0);
  h.stocks.shares_outstanding.resize(n, 1);
  h.stocks.index_weight.resize(n, 0.0);
  h.stocks.limit_pct.resize(n, 10.0);
  for (int i = 0; i < n; ++i) h.stocks.names[static_cast<std::size_t>(i)].append(std::to_string(i));

  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit small = old_limit;
  small.rlim_cur = 4 << 20;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);

  bool thrown_on_call = false;
  std::string message;
  {
    RunLog log(path, h);
    try {
      // Random-ish prices compress badly: 200 days x 5 steps x 20000 stocks is far beyond 4 MiB.
      std::uint64_t x = 88172645463325252ULL;
      for (StepIndex step = 0; step < 1000 && !thrown_on_call; ++step) {
        StepFrame f = sample_step(step);
        f.last_price.resize(n);
        for (double& p : f.last_price) {
          x ^= x << 13, x ^= x >> 7, x ^= x << 17;
          p = static_cast<double>(x % 100000) / 100.0;
        }
        log.write_step(std::move(f));
        if (step % 5 == 4) {
          DayFrame d = sample_day(static_cast<DayIndex>(step / 5));
          for (auto* v : {&d.open, &d.high, &d.low, &d.close, &d.turnover}) v->resize(n, 1.0);
          d.volume.resize(n, 1);
          d.limit_up.resize(n, 0);
          d.limit_down.resize(n, 0);
          d.value.resize(n, 1.0);
          log.write_day(std::move(d));
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      }
    } catch (const std::runtime_error& e) {
      thrown_on_call = true;
      message = e.what();
    }
    CHECK(thrown_on_call);
    CHECK_THROWS_AS(log.finish(1.0), std::runtime_error);  // the same error again
  }
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  CHECK_THAT(message, Contains(path.string()));
  std::filesystem::remove(path);
}

TEST_CASE("a killed run keeps every completed day", "[record]") {
  const auto path = temp_dir() / "killed.h5";
  std::filesystem::remove(path);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child is killed with SIGKILL by the parent: no destructor, no finish(), no close.
    auto* log = new RunLog(path, sample_header());
    write_sample_run(*log);
    log->write_step(sample_step(10));
    log->write_events("trades", {EventRow{10, 2, 1, "retail", 0, 1, 1.0, "after the last close"}});
    for (;;) ::pause();
  }
  // Kill once the writer thread has put both days on disk (it flushes after each day); however
  // slow the machine (sanitizers, load), give up after a minute.
  {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_file_locking(fapl, false, true);   // the child's writer holds the file open
    H5E_auto2_t handler = nullptr;
    void* data = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &handler, &data);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);   // "not there yet" is expected while polling
    for (int tries = 0; tries < 600; ++tries) {
      bool written = false;
      if (hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl); f >= 0) {
        if (H5Lexists(f, "/day", H5P_DEFAULT) > 0) written = shape_of(f, "/day") == std::vector<hsize_t>{2};
        H5Fclose(f);
      }
      if (written) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    H5Eset_auto2(H5E_DEFAULT, handler, data);
    H5Pclose(fapl);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(complete_flag(path) == 0);
  H5Closer f{must(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path.string()), H5Fclose};
  CHECK(read_int32(f.id, "/day") == std::vector<std::int32_t>{0, 1});
  CHECK(read_int64(f.id, "/step") == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(shape_of(f.id, "/market/stocks/last_price") == std::vector<hsize_t>{10, 3});
  CHECK(read_doubles(f.id, "/market/stocks/close").size() == 6);
  const auto codes = read_strings(f.id, "/market/futures/code");
  REQUIRE_FALSE(codes.empty());
  CHECK(codes.back() == "IM2403");
}
