#pragma once
// One writer per output: a run log, a sweep directory, a shard of a sweep. Two processes writing
// the same output destroy each other's work (each truncates the other's files), so every writer
// first takes an advisory lock (flock) on a small lock file beside the output:
//   run log DIR/NAME.h5           DIR/.NAME.h5.lock
//   sweep directory DIR           DIR/.stampede-sweep.lock   (a whole sweep: exclusive; a shard: shared)
//   shard I of K in DIR           DIR/.stampede-shard-I-of-K.lock
// The holder writes who it is (host, pid, start time) into the file, so a second writer fails at
// once with one line naming it. The kernel releases a flock when its process dies however it dies
// (SIGKILL, OOM), so a lock file left by a dead process is free: the next writer takes it over
// and says whose it was. On NFS, Linux maps flock to POSIX byte-range locks, which all clients see.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace stampede {

// Another live process holds the lock: the message names the output and the holder.
struct OutputBusy : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class OutputLock {
 public:
  enum class Mode { Exclusive, Shared };

  OutputLock() = default;
  // Takes the lock on `lock_file` (created if missing) without waiting. `what` names the output in
  // messages ("run log 'results/x.h5'"). Throws OutputBusy when another process holds it,
  // std::runtime_error when the lock file cannot be created. A file system without locks
  // (ENOLCK) gives a warning on stderr and an unlocked OutputLock (held() false).
  // `remove_on_release`: the file is deleted on release (only for files never locked Shared).
  OutputLock(std::filesystem::path lock_file, std::string what, Mode mode = Mode::Exclusive,
             bool remove_on_release = true);
  ~OutputLock();
  OutputLock(OutputLock&& o) noexcept;
  OutputLock& operator=(OutputLock&& o) noexcept;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  bool held() const { return fd_ >= 0; }
  // The holder the lock file still named when this process took it: a process that died without
  // releasing it (empty when the file was new or released cleanly).
  const std::string& previous_holder() const { return previous_; }
  const std::filesystem::path& path() const { return path_; }
  void release();

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool remove_ = true, exclusive_ = true;
  std::string previous_;
};

// "host H, pid P, started T" for this process (what a holder writes into its lock file).
std::string this_process_text();
// A hidden file beside a run log: `.NAME<suffix>` in the log's directory (the lock, the working
// copies, the copy a resume reads, the checkpoint).
std::filesystem::path beside_log(const std::filesystem::path& log, const char* suffix);
// The run log's lock file: .NAME.lock beside it.
std::filesystem::path run_log_lock_path(const std::filesystem::path& log);
// The holder named in `lock_file` if a live process holds it now, else empty (free or absent).
std::string current_holder(const std::filesystem::path& lock_file);

}  // namespace stampede
