#pragma once
// Internal to stampede_record: crash-safe writing of one HDF5 file.
//
// HDF5 updates a file in place: a process killed while the library flushes (or writes a chunk)
// can leave metadata that is half old, half new. SWMR avoids that but leaves a file that plain
// readers refuse after a crash (its superblock stays marked "open for writing"). Instead, the run
// log is written through a small HDF5 virtual file driver that keeps TWO copies of the file:
//   * `path`, the published copy, which is never written while it carries that name, and
//   * a hidden working copy `.<name>.tmp` next to it, which receives every write.
// publish(), called right after H5Fflush (the file is consistent), swaps the two names atomically
// (renameat2 RENAME_EXCHANGE; hard links where that is not supported) and copies the byte ranges
// written since the last publish into the copy that is now the working one, so both are equal
// again. A SIGKILL at any moment therefore leaves at `path` the file as of the last publish.
// Before touching any file it takes the run log's lock, .<name>.lock (output_lock.hpp), so a second
// process writing the same log fails at once instead of truncating this one's working copy.
// Costs: the bytes of each day are written twice (no second compression), and the working copy
// takes as much disk as the log until the run ends (it is then removed; a killed run leaves it).
#include <hdf5.h>

#include "sim/record/output_lock.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace stampede::record_detail {

class ShadowFile {
 public:
  // Takes the run log's lock (output_lock.hpp: OutputBusy when another process writes it), then
  // removes any file at `path` (and a stale working copy), creates the empty working copy.
  // Throws std::runtime_error naming the path on failure.
  // With keep_previous (a resumed run), a file at `path` is moved to run_log_resume_path(path)
  // instead (replacing an older one there), to copy the resumed days from.
  explicit ShadowFile(std::filesystem::path path, bool keep_previous = false);
  ~ShadowFile();   // closes both copies; removes the working copy; keeps what was published
  ShadowFile(const ShadowFile&) = delete;
  ShadowFile& operator=(const ShadowFile&) = delete;

  // A file access property list (owned by this object) selecting the driver, for H5Fcreate.
  hid_t fapl() const { return fapl_; }
  const std::filesystem::path& working_path() const { return tmp_; }

  // Call after H5Fflush: what HDF5 has written becomes the file at `path`, atomically.
  void publish();
  // Call after a successful H5Fclose: the final file becomes `path`, the other copy is removed.
  void publish_final();
  // After a write error (the HDF5 file closed, errors ignored): closes both copies. True when
  // `path` holds the last published copy, untouched since its publish (a log written in place,
  // crash_safe() false, may be damaged and is removed). The published copy is never written
  // again: the working copy is made equal to it (copy_ready()), so the caller can add to it and
  // commit_copy() it over `path` atomically; otherwise it is removed.
  bool abandon();
  bool copy_ready() const { return copy_ready_; }
  // How many publish() calls made their day visible under the log's name: a publish that fails
  // after the names were swapped (copying the day into the other copy) still published it.
  int publishes() const { return publishes_; }
  void commit_copy();
  // False when the file system supports neither RENAME_EXCHANGE nor hard links: the log is then
  // written in place (as plain HDF5 does) after the first publish.
  bool crash_safe() const { return two_copies_; }

  // For the driver (shadow_file.cpp) only.
  int work_fd() const { return fd_[work_]; }
  void note_write(std::uint64_t addr, std::uint64_t size);
  bool locked = false;

 private:
  void copy_ranges(int from, int to);
  void lock_fd(int fd) const;

  OutputLock lock_;   // first: taken before any file is touched, released after the copies are closed
  std::filesystem::path path_, tmp_, prev_;
  int fd_[2] = {-1, -1};
  int work_ = 0;            // index of the working copy in fd_
  bool published_ = false;  // `path` holds a published copy (fd_[1 - work_])
  bool two_copies_ = true;
  bool use_exchange_ = true;
  bool copy_ready_ = false;
  int publishes_ = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> dirty_;   // [addr, end) written since the copies were equal
  hid_t fapl_ = H5I_INVALID_HID;
};

// Removes the working copies (.NAME.tmp, .NAME.prev) of run logs in `dir` that no live process
// writes (each checked by taking its run log's lock): what killed runs leave behind. Returns how
// many files were removed; `holders` (if given) gets the processes their lock files still named.
int remove_stale_temporaries(const std::filesystem::path& dir, std::vector<std::string>* holders = nullptr);

}  // namespace stampede::record_detail
