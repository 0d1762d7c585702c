#include "sim/sweep/mpi.hpp"

#include <cstdlib>
#include <stdexcept>
#include <vector>

#ifdef STAMPEDE_WITH_MPI
#define OMPI_SKIP_MPICXX 1   // the C API only, from C++
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace stampede::sweep {

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  return (end && *end == '\0' && x > 0) ? static_cast<int>(x) : fallback;
}

// The world size an MPI launcher announced, or 0 when not launched by one.
int launcher_world_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"}) {
    int n = env_int(name, 0);
    if (n > 0) return n;
  }
  return std::getenv("PMIX_RANK") ? 1 : 0;
}

}  // namespace

bool mpi_supported() {
#ifdef STAMPEDE_WITH_MPI
  return true;
#else
  return false;
#endif
}

#ifdef STAMPEDE_WITH_MPI

MpiWorld::MpiWorld() {
  if (launcher_world_size() == 0) return;
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Init_thread failed");
  initialised_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  local_size_ = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", env_int("MPI_LOCALNRANKS", 1));
}

MpiWorld::~MpiWorld() {
  if (initialised_) MPI_Finalize();
}

void MpiWorld::send_text(int dest, int tag, const std::string& text) const {
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD);
}

std::string MpiWorld::recv_text(int source, int tag) const {
  MPI_Status st;
  MPI_Probe(source, tag, MPI_COMM_WORLD, &st);
  int n = 0;
  MPI_Get_count(&st, MPI_CHAR, &n);
  std::string out(static_cast<std::size_t>(n), '\0');
  MPI_Recv(out.data(), n, MPI_CHAR, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return out;
}

void MpiWorld::send_int(int dest, int tag, std::int64_t value) const {
  MPI_Send(&value, 1, MPI_INT64_T, dest, tag, MPI_COMM_WORLD);
}

std::int64_t MpiWorld::recv_int(int source, int tag) const {
  std::int64_t v = 0;
  MPI_Recv(&v, 1, MPI_INT64_T, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return v;
}

bool MpiWorld::probe(int& source, int& tag) const {
  int flag = 0;
  MPI_Status st;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
  if (!flag) return false;
  source = st.MPI_SOURCE;
  tag = st.MPI_TAG;
  return true;
}

void MpiWorld::barrier() const {
  if (initialised_) MPI_Barrier(MPI_COMM_WORLD);
}

void MpiWorld::abort(int code) const {
  if (initialised_) MPI_Abort(MPI_COMM_WORLD, code);
}

#else

MpiWorld::MpiWorld() {
  if (launcher_world_size() > 1)
    throw std::runtime_error(
        "started by an MPI launcher, but this stampede was built without MPI (install libopenmpi-dev and rebuild with "
        "-DSTAMPEDE_WITH_MPI=ON), so every rank would run the whole sweep");
}
MpiWorld::~MpiWorld() = default;
void MpiWorld::send_text(int, int, const std::string&) const { throw std::logic_error("no MPI"); }
std::string MpiWorld::recv_text(int, int) const { throw std::logic_error("no MPI"); }
void MpiWorld::send_int(int, int, std::int64_t) const { throw std::logic_error("no MPI"); }
std::int64_t MpiWorld::recv_int(int, int) const { throw std::logic_error("no MPI"); }
bool MpiWorld::probe(int&, int&) const { return false; }
void MpiWorld::barrier() const {}
void MpiWorld::abort(int) const {}

#endif

}  // namespace stampede::sweep
