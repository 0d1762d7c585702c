# MPI for `mpirun -n K stampede sweep ...` (included from sim/CMakeLists.txt): on when an MPI C
# library is found (Debian: libopenmpi-dev), off otherwise or with -DSTAMPEDE_WITH_MPI=OFF.
find_package(MPI COMPONENTS C QUIET)
option(STAMPEDE_WITH_MPI "Share sweep runs among MPI ranks (mpirun -n K stampede sweep ...)" ${MPI_C_FOUND})
if(STAMPEDE_WITH_MPI)
  if(NOT MPI_C_FOUND)
    message(FATAL_ERROR "STAMPEDE_WITH_MPI is ON but no MPI C library was found (Debian: apt install libopenmpi-dev openmpi-bin)")
  endif()
  target_link_libraries(stampede_sweep PUBLIC MPI::MPI_C)
  target_compile_definitions(stampede_sweep PRIVATE STAMPEDE_WITH_MPI=1)
  message(STATUS "stampede: sweeps share runs among MPI ranks (MPI ${MPI_C_VERSION})")
else()
  message(STATUS "stampede: built without MPI (sweeps run on one machine, or as Slurm array shards)")
endif()
