#include "sim/record/shadow_file.hpp"

#include "sim/record/run_log.hpp"

#include <H5FDpublic.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace stampede::record_detail {

namespace {

// ---- the HDF5 virtual file driver: a POSIX file (like sec2) whose writes go to the working copy

struct Driver {
  H5FD_t pub;            // must come first: HDF5 sees this part
  ShadowFile* shadow;
  haddr_t eoa;
};

constexpr haddr_t kMaxAddr = (static_cast<haddr_t>(1) << (8 * sizeof(off_t) - 1)) - 1;

void push_error(const char* func, H5E_major_t maj, H5E_minor_t min, const std::string& msg) {
  H5Epush2(H5E_DEFAULT, __FILE__, func, __LINE__, H5E_ERR_CLS, maj, min, "%s", msg.c_str());
}

std::string errno_text(const char* what, int err) {
  return std::string(what) + ": " + std::strerror(err) + " (errno " + std::to_string(err) + ")";
}

void* fapl_copy(const void* info) {
  void* p = std::malloc(sizeof(ShadowFile*));
  if (p) std::memcpy(p, info, sizeof(ShadowFile*));
  return p;
}
herr_t fapl_free(void* info) {
  std::free(info);
  return 0;
}

H5FD_t* drv_open(const char* /*name*/, unsigned /*flags*/, hid_t fapl, haddr_t maxaddr) {
  const void* info = H5Pget_driver_info(fapl);
  if (info == nullptr || maxaddr == 0 || maxaddr > kMaxAddr) {
    push_error("shadow_open", H5E_VFL, H5E_BADVALUE, "run log driver opened without its state");
    return nullptr;
  }
  auto* d = new (std::nothrow) Driver{};
  if (d == nullptr) return nullptr;
  std::memcpy(&d->shadow, info, sizeof(ShadowFile*));
  d->eoa = 0;
  return &d->pub;
}

herr_t drv_close(H5FD_t* f) {
  delete reinterpret_cast<Driver*>(f);
  return 0;
}

int drv_cmp(const H5FD_t* a, const H5FD_t* b) {
  const auto* x = reinterpret_cast<const Driver*>(a)->shadow;
  const auto* y = reinterpret_cast<const Driver*>(b)->shadow;
  return x < y ? -1 : x > y ? 1 : 0;
}

herr_t drv_query(const H5FD_t*, unsigned long* flags) {
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
           H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  return 0;
}

haddr_t drv_get_eoa(const H5FD_t* f, H5FD_mem_t) { return reinterpret_cast<const Driver*>(f)->eoa; }
herr_t drv_set_eoa(H5FD_t* f, H5FD_mem_t, haddr_t addr) {
  reinterpret_cast<Driver*>(f)->eoa = addr;
  return 0;
}
haddr_t drv_get_eof(const H5FD_t* f, H5FD_mem_t) {
  struct stat st{};
  if (fstat(reinterpret_cast<const Driver*>(f)->shadow->work_fd(), &st) != 0) return HADDR_UNDEF;
  return static_cast<haddr_t>(st.st_size);
}
herr_t drv_get_handle(H5FD_t* f, hid_t, void** handle) {
  *handle = reinterpret_cast<Driver*>(f)->shadow;
  return 0;
}

herr_t drv_read(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t addr, size_t size, void* buf) {
  const int fd = reinterpret_cast<Driver*>(f)->shadow->work_fd();
  auto* p = static_cast<unsigned char*>(buf);
  while (size > 0) {
    const ssize_t n = pread(fd, p, size, static_cast<off_t>(addr));
    if (n < 0) {
      if (errno == EINTR) continue;
      push_error("shadow_read", H5E_IO, H5E_READERROR, errno_text("reading the run log failed", errno));
      return -1;
    }
    if (n == 0) {   // past the end of the file: zeros, as sec2 does
      std::memset(p, 0, size);
      break;
    }
    p += n;
    addr += static_cast<haddr_t>(n);
    size -= static_cast<size_t>(n);
  }
  return 0;
}

herr_t drv_write(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t addr, size_t size, const void* buf) {
  ShadowFile* s = reinterpret_cast<Driver*>(f)->shadow;
  const int fd = s->work_fd();
  s->note_write(addr, size);
  const auto* p = static_cast<const unsigned char*>(buf);
  while (size > 0) {
    const ssize_t n = pwrite(fd, p, size, static_cast<off_t>(addr));
    if (n < 0) {
      if (errno == EINTR) continue;
      push_error("shadow_write", H5E_IO, H5E_WRITEERROR, errno_text("writing the run log failed", errno));
      return -1;
    }
    p += n;
    addr += static_cast<haddr_t>(n);
    size -= static_cast<size_t>(n);
  }
  return 0;
}

herr_t drv_truncate(H5FD_t* f, hid_t, hbool_t) {
  auto* d = reinterpret_cast<Driver*>(f);
  const int fd = d->shadow->work_fd();
  struct stat st{};
  if (fstat(fd, &st) != 0) return -1;
  if (static_cast<haddr_t>(st.st_size) != d->eoa && ftruncate(fd, static_cast<off_t>(d->eoa)) != 0) {
    push_error("shadow_truncate", H5E_IO, H5E_SEEKERROR, errno_text("resizing the run log failed", errno));
    return -1;
  }
  return 0;
}

herr_t drv_flush(H5FD_t*, hid_t, hbool_t) { return 0; }   // SIGKILL keeps written data; power loss is not covered

herr_t drv_lock(H5FD_t* f, hbool_t) {
  ShadowFile* s = reinterpret_cast<Driver*>(f)->shadow;
  if (flock(s->work_fd(), LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    push_error("shadow_lock", H5E_VFL, H5E_CANTLOCKFILE, "the run log is locked by another process");
    return -1;
  }
  s->locked = true;
  return 0;
}
herr_t drv_unlock(H5FD_t* f) {
  ShadowFile* s = reinterpret_cast<Driver*>(f)->shadow;
  flock(s->work_fd(), LOCK_UN);
  s->locked = false;
  return 0;
}

H5FD_class_t make_class() {
  H5FD_class_t c{};
  c.name = "stampede_shadow";
  c.maxaddr = kMaxAddr;
  c.fc_degree = H5F_CLOSE_WEAK;
  c.fapl_size = sizeof(ShadowFile*);
  c.fapl_copy = fapl_copy;
  c.fapl_free = fapl_free;
  c.open = drv_open;
  c.close = drv_close;
  c.cmp = drv_cmp;
  c.query = drv_query;
  c.get_eoa = drv_get_eoa;
  c.set_eoa = drv_set_eoa;
  c.get_eof = drv_get_eof;
  c.get_handle = drv_get_handle;
  c.read = drv_read;
  c.write = drv_write;
  c.flush = drv_flush;
  c.truncate = drv_truncate;
  c.lock = drv_lock;
  c.unlock = drv_unlock;
  const H5FD_mem_t map[H5FD_MEM_NTYPES] = H5FD_FLMAP_DICHOTOMY;
  std::copy(std::begin(map), std::end(map), c.fl_map);
  return c;
}

hid_t driver_id() {
  static const H5FD_class_t cls = make_class();
  static const hid_t id = H5FDregister(&cls);   // once per process; the caller holds the HDF5 lock
  return id;
}

std::runtime_error io_error(const std::string& what, const std::filesystem::path& p, int err) {
  return std::runtime_error("run log '" + p.string() + "': " + what + ": " + std::strerror(err) + " (errno " +
                            std::to_string(err) + ")");
}

int open_copy(const std::filesystem::path& p) {
  const int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw io_error("cannot create '" + p.string() + "'", p, errno);
  return fd;
}

}  // namespace

ShadowFile::ShadowFile(std::filesystem::path path, bool keep_previous)
    : lock_(run_log_lock_path(path), "run log '" + path.string() + "'"), path_(std::move(path)) {
  if (!lock_.previous_holder().empty())
    std::fprintf(stderr, "stampede: note: run log '%s': the process that wrote it last is gone (%s); starting it afresh\n",
                 path_.c_str(), lock_.previous_holder().c_str());
  const std::string name = path_.filename().string();
  tmp_ = path_.parent_path() / ("." + name + ".tmp");
  prev_ = path_.parent_path() / ("." + name + ".prev");
  std::error_code ec;
  // An older log at `path` must not pass for this run's if this run is killed before it publishes.
  if (keep_previous) {
    if (std::filesystem::is_regular_file(path_, ec) && ::rename(path_.c_str(), run_log_resume_path(path_).c_str()) != 0)
      throw io_error("cannot keep the log to resume as '" + run_log_resume_path(path_).string() + "'", path_, errno);
  } else {
    if (std::filesystem::is_regular_file(path_, ec)) std::filesystem::remove(path_, ec);
    std::filesystem::remove(run_log_resume_path(path_), ec);
  }
  std::filesystem::remove(prev_, ec);
  fd_[0] = open_copy(tmp_);
  const hid_t id = driver_id();
  fapl_ = H5Pcreate(H5P_FILE_ACCESS);
  ShadowFile* self = this;
  if (id < 0 || fapl_ < 0 || H5Pset_driver(fapl_, id, &self) < 0) {
    if (fapl_ >= 0) H5Pclose(fapl_);
    ::close(fd_[0]);
    std::filesystem::remove(tmp_, ec);
    throw std::runtime_error("run log '" + path_.string() + "': cannot set up the HDF5 file driver");
  }
}

ShadowFile::~ShadowFile() {
  if (fapl_ >= 0) H5Pclose(fapl_);
  for (int& fd : fd_)
    if (fd >= 0) ::close(fd);
  std::error_code ec;
  std::filesystem::remove(tmp_, ec);
  std::filesystem::remove(prev_, ec);
}

void ShadowFile::note_write(std::uint64_t addr, std::uint64_t size) {
  if (!two_copies_ || size == 0) return;
  if (!dirty_.empty() && dirty_.back().second == addr)
    dirty_.back().second = addr + size;   // the common case: appending
  else
    dirty_.emplace_back(addr, addr + size);
}

void ShadowFile::lock_fd(int fd) const {
  if (locked) flock(fd, LOCK_EX | LOCK_NB);
}

void ShadowFile::copy_ranges(int from, int to) {
  std::sort(dirty_.begin(), dirty_.end());
  std::vector<unsigned char> buf(std::size_t{1} << 20);
  std::uint64_t done_to = 0;   // ranges overlap: copy each byte once
  for (auto [begin, end] : dirty_) {
    begin = std::max(begin, done_to);
    while (begin < end) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(end - begin, buf.size()));
      const ssize_t n = pread(from, buf.data(), want, static_cast<off_t>(begin));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw io_error("cannot read back for the second copy", path_, errno);
      if (n == 0) break;   // truncated since: nothing left to copy
      std::size_t off = 0;
      while (off < static_cast<std::size_t>(n)) {
        const ssize_t w = pwrite(to, buf.data() + off, static_cast<std::size_t>(n) - off, static_cast<off_t>(begin + off));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw io_error("cannot write the second copy '" + tmp_.string() + "'", path_, errno);
        off += static_cast<std::size_t>(w);
      }
      begin += static_cast<std::uint64_t>(n);
    }
    done_to = std::max(done_to, end);
  }
  dirty_.clear();
  struct stat st{};
  if (fstat(from, &st) != 0) throw io_error("cannot stat", path_, errno);
  if (ftruncate(to, st.st_size) != 0) throw io_error("cannot resize the second copy '" + tmp_.string() + "'", path_, errno);
}

void ShadowFile::publish() {
  if (!two_copies_) return;   // written in place
  const int work = work_;
  if (!published_) {
    // First publish: the working copy takes the name; a fresh copy of it becomes the working one.
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw io_error("cannot publish", path_, errno);
    published_ = true;
    ++publishes_;
    fd_[1 - work] = open_copy(tmp_);
    lock_fd(fd_[1 - work]);
  } else {
    // Swap the names: `path` is now what was written, the old published copy the working one.
    bool swapped = false;
    if (use_exchange_) {
      if (::renameat2(AT_FDCWD, tmp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) == 0)
        swapped = true;
      else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP)
        use_exchange_ = false;
      else
        throw io_error("cannot publish", path_, errno);
    }
    if (!swapped) {
      // path -> prev as well; tmp -> path (atomic replace); prev -> tmp. `path` exists throughout.
      if (::link(path_.c_str(), prev_.c_str()) != 0) {
        if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != EMLINK) throw io_error("cannot publish", path_, errno);
        // No way to keep two names: from now on the log is written in place, as plain HDF5 does.
        if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw io_error("cannot publish", path_, errno);
        ::close(fd_[1 - work]);
        fd_[1 - work] = -1;
        two_copies_ = false;
        dirty_.clear();
        std::fprintf(stderr, "stampede: warning: the file system of '%s' has no hard links: the run log is written in place "
                             "and a killed run may leave it damaged\n", path_.c_str());
        return;
      }
      if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw io_error("cannot publish", path_, errno);
      ++publishes_;   // the day is visible now, whatever follows
      if (::rename(prev_.c_str(), tmp_.c_str()) != 0) throw io_error("cannot publish", path_, errno);
    } else {
      ++publishes_;
    }
  }
  work_ = 1 - work;
  copy_ranges(fd_[work], fd_[work_]);
}

int remove_stale_temporaries(const std::filesystem::path& dir, std::vector<std::string>* holders) {
  int removed = 0;
  std::error_code ec;
  std::vector<std::filesystem::path> logs;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    for (const char* suffix : {".tmp", ".prev"}) {
      const std::size_t ls = std::strlen(suffix);
      if (n.size() <= ls + 1 || n[0] != '.' || n.compare(n.size() - ls, ls, suffix) != 0) continue;
      std::string log = n;
      log.resize(n.size() - ls);
      logs.push_back(dir / log.erase(0, 1));
    }
  }
  std::sort(logs.begin(), logs.end());
  logs.erase(std::unique(logs.begin(), logs.end()), logs.end());
  for (const auto& log : logs) {
    try {
      OutputLock lock(run_log_lock_path(log), "run log '" + log.string() + "'");   // busy: a live writer's
      if (holders && !lock.previous_holder().empty()) holders->push_back(lock.previous_holder());
      for (const char* suffix : {".tmp", ".prev"}) {
        std::string name(".");
        name += log.filename().string();
        name += suffix;
        removed += std::filesystem::remove(log.parent_path() / name, ec) ? 1 : 0;
      }
    } catch (const std::exception&) {
    }
  }
  return removed;
}

bool ShadowFile::abandon() {
  copy_ready_ = false;
  if (published_ && two_copies_ && fd_[0] >= 0 && fd_[1] >= 0) {
    // The working copy back to the published bytes: only the ranges written since they were
    // equal, on blocks it already holds (no new space needed on a full disk).
    try {
      copy_ranges(fd_[1 - work_], fd_[work_]);
      copy_ready_ = true;
    } catch (const std::exception&) {
    }
  }
  for (int& fd : fd_)
    if (fd >= 0) ::close(fd), fd = -1;
  std::error_code ec;
  if (!copy_ready_) std::filesystem::remove(tmp_, ec);
  std::filesystem::remove(prev_, ec);
  if (published_ && !two_copies_) {
    std::filesystem::remove(path_, ec);
    return false;
  }
  return published_;
}

void ShadowFile::commit_copy() {
  copy_ready_ = false;
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw io_error("cannot publish", path_, errno);
}

void ShadowFile::publish_final() {
  if (two_copies_ && ::rename(tmp_.c_str(), path_.c_str()) != 0) throw io_error("cannot publish", path_, errno);
  for (int& fd : fd_)
    if (fd >= 0) ::close(fd), fd = -1;
}

}  // namespace stampede::record_detail
