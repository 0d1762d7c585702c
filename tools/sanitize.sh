#!/usr/bin/env bash
# Builds stampede with sanitizers in its own directory and runs the whole test suite there.
#   tools/sanitize.sh address,undefined   # ASan + UBSan in build-asan (what .ci/run runs)
#   tools/sanitize.sh thread              # TSan in build-tsan
# Extra arguments go to cmake, e.g. -DSTAMPEDE_WITH_MPI=OFF. BUILD_DIR=... picks another
# directory; CTEST_ARGS="-R book" runs part of the suite. See cmake/sanitizers.cmake and the
# README's "Reliability checks".
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=${1:?usage: tools/sanitize.sh address,undefined|thread [cmake args...]}
shift
case "$sanitize" in
  thread) default_dir=build-tsan ;;
  *) default_dir=build-asan ;;
esac
dir=${BUILD_DIR:-$default_dir}
jobs=$(nproc)
# RelWithDebInfo: optimised enough for the simulation tests, with line numbers in every report.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTAMPEDE_SANITIZE="$sanitize" \
  -DSTAMPEDE_BUILD_BENCHMARKS=OFF "$@" >/dev/null
cmake --build "$dir" -j"$jobs"
# shellcheck disable=SC2086
ctest --test-dir "$dir" --output-on-failure -j"$jobs" ${CTEST_ARGS:-}
