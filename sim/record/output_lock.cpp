#include "sim/record/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

namespace stampede {

namespace {

std::string utc_text(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

// When this process started: /proc/self/stat's start time (clock ticks after boot) plus the boot
// time from /proc/stat; now if either cannot be read.
std::time_t process_start_time() {
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t close = text.rfind(')');   // the command name may hold spaces
  std::ifstream boot("/proc/stat");
  std::string line;
  long long btime = -1;
  while (std::getline(boot, line))
    if (line.rfind("btime ", 0) == 0) btime = std::atoll(line.c_str() + 6);
  if (close == std::string::npos || btime < 0) return std::time(nullptr);
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  for (int i = 3; i <= 22 && fields >> f; ++i)
    if (i == 22) {
      const long ticks = sysconf(_SC_CLK_TCK);
      return static_cast<std::time_t>(btime + std::atoll(f.c_str()) / (ticks > 0 ? ticks : 100));
    }
  return std::time(nullptr);
}

std::string read_fd_text(int fd) {
  std::string text;
  char buf[512];
  off_t off = 0;
  for (;;) {
    const ssize_t n = pread(fd, buf, sizeof buf, off);
    if (n <= 0 || text.size() > 4096) break;
    text.append(buf, static_cast<std::size_t>(n));
    off += n;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text;
}

bool same_file(int fd, const std::filesystem::path& p) {
  struct stat a{}, b{};
  return fstat(fd, &a) == 0 && ::stat(p.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

std::string errno_text(int err) { return std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ")"; }

}  // namespace

std::string this_process_text() {
  static const std::string text = [] {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "?");
    return "host " + std::string(host) + ", pid " + std::to_string(::getpid()) + ", started " +
           utc_text(process_start_time());
  }();
  return text;
}

std::filesystem::path beside_log(const std::filesystem::path& log, const char* suffix) {
  std::string name(".");   // not "." + string: gcc 12 warns wrongly (-Wrestrict) about that
  name += log.filename().string();
  name += suffix;
  return log.parent_path() / name;
}

std::filesystem::path run_log_lock_path(const std::filesystem::path& log) { return beside_log(log, ".lock"); }

OutputLock::OutputLock(std::filesystem::path lock_file, std::string what, Mode mode, bool remove_on_release)
    : path_(std::move(lock_file)), remove_(remove_on_release && mode == Mode::Exclusive), exclusive_(mode == Mode::Exclusive) {
  const int op = (mode == Mode::Exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      throw std::runtime_error(what + ": cannot create the lock file '" + path_.string() + "': " + errno_text(errno));
    if (flock(fd, op) != 0) {
      const int err = errno;
      if (err == EWOULDBLOCK) {
        // The holder writes its name right after taking the lock: give it a moment.
        std::string holder = read_fd_text(fd);
        for (int i = 0; holder.empty() && i < 20; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          holder = read_fd_text(fd);
        }
        ::close(fd);
        throw OutputBusy(what + " is in use by another stampede process (" +
                         (holder.empty() ? std::string("holder unknown") : holder) + ", lock file " + path_.string() +
                         "); wait for it to finish or stop it");
      }
      ::close(fd);
      if (err == EINTR) continue;
      if (err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS) {
        std::fprintf(stderr, "stampede: warning: %s: the file system does not support file locks (%s): nothing keeps "
                             "another process from writing it at the same time\n", what.c_str(), std::strerror(err));
        return;
      }
      throw std::runtime_error(what + ": cannot lock '" + path_.string() + "': " + errno_text(err));
    }
    // A releasing holder may have deleted the file between our open and our lock: retry on the new one.
    if (!same_file(fd, path_)) {
      ::close(fd);
      continue;
    }
    fd_ = fd;
    if (mode == Mode::Exclusive) {
      previous_ = read_fd_text(fd);
      const std::string me = this_process_text() + "\n";
      if (ftruncate(fd, 0) != 0 || pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size()))
        std::fprintf(stderr, "stampede: warning: cannot write the holder into '%s': %s\n", path_.c_str(), std::strerror(errno));
    }
    return;
  }
  throw std::runtime_error(what + ": the lock file '" + path_.string() + "' keeps being replaced by another process");
}

void OutputLock::release() {
  if (fd_ < 0) return;
  if (remove_) {
    if (same_file(fd_, path_)) ::unlink(path_.c_str());   // while still holding it: see the constructor's check
  } else if (exclusive_) {
    // The holder clears its name, so the next holder does not take it for a dead process's.
    if (ftruncate(fd_, 0) != 0) std::fprintf(stderr, "stampede: warning: cannot clear '%s'\n", path_.c_str());
  }
  ::close(fd_);
  fd_ = -1;
}

OutputLock::~OutputLock() { release(); }

OutputLock::OutputLock(OutputLock&& o) noexcept
    : path_(std::move(o.path_)), fd_(o.fd_), remove_(o.remove_), exclusive_(o.exclusive_), previous_(std::move(o.previous_)) {
  o.fd_ = -1;
}

OutputLock& OutputLock::operator=(OutputLock&& o) noexcept {
  if (this != &o) {
    release();
    path_ = std::move(o.path_);
    fd_ = o.fd_;
    remove_ = o.remove_;
    exclusive_ = o.exclusive_;
    previous_ = std::move(o.previous_);
    o.fd_ = -1;
  }
  return *this;
}

std::string current_holder(const std::filesystem::path& lock_file) {
  const int fd = ::open(lock_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string holder;
  if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    holder = read_fd_text(fd);
    if (holder.empty()) holder = "holder unknown";
  }
  ::close(fd);
  return holder;
}

}  // namespace stampede
