#pragma once
// The little of MPI a sweep needs, behind an interface that exists with or without MPI support
// (CMake option STAMPEDE_WITH_MPI). MPI is initialised only when the process was started by an
// MPI launcher (mpirun/srun set OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK), so a plain
// `stampede sweep` never touches MPI. Every call is made from the thread that created the World
// (MPI_THREAD_FUNNELED).
#include <cstdint>
#include <string>

namespace stampede::sweep {

class MpiWorld {
 public:
  MpiWorld();                 // initialises MPI when launched by an MPI launcher and built with MPI
  ~MpiWorld();                // finalises it
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_size() const { return local_size_; }   // ranks on this node (for sizing thread pools)
  bool active() const { return size_ > 1; }

  // Point-to-point text and integers; probe() is non-blocking (any source, any tag).
  void send_text(int dest, int tag, const std::string& text) const;
  std::string recv_text(int source, int tag) const;
  void send_int(int dest, int tag, std::int64_t value) const;
  std::int64_t recv_int(int source, int tag) const;
  bool probe(int& source, int& tag) const;
  void barrier() const;
  void abort(int code) const;

 private:
  int rank_ = 0, size_ = 1, local_size_ = 1;
  bool initialised_ = false;
};

// True when compiled with MPI support.
bool mpi_supported();

}  // namespace stampede::sweep
