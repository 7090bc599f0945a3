#!/usr/bin/env bash
# ThreadSanitizer run of the daemon tests (CI): kasd's sessions, worker
# pool, caches, time limits and peer identities, with kas and kasd built
# with -fsanitize=thread. A data race or a lock-order inversion fails the
# run (halt_on_error).
#
# usage: tests/tsan/daemon-tsan.sh [BUILD_DIR]   (default build-tsan)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build-tsan}
# -O2 with line tables (-g1): TSan's reports name lines, and the build is
# faster than with full debug info (GCC 12's -O3 warns falsely in libstdc++).
# A unity build (CMAKE_UNITY_BUILD: sources compiled in batches) parses each
# header once a batch: the ASan build took 40% less CPU so.
cmake -S "$repo" -B "$build" -DKAS_TSAN=ON -DKAS_WERROR=ON -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON \
  "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -g1 -DNDEBUG" > /dev/null
cmake --build "$build" -j2 --target kas kasd kas_daemon_tests
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
# GCC 12's TSan maps its shadow at fixed addresses that a fully randomised
# 6.x address space may take: run without ASLR (setarch -R).
setarch "$(uname -m)" -R ctest --test-dir "$build" -R '^(Daemon|SocketActivated|Session|SessionHooks|DaemonStop|DaemonOutput|Descriptors|OneUser|ControlLane)\.' -j2 --output-on-failure
