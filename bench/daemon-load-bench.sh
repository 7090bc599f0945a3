#!/bin/sh
# kasd under load, at length, on a Release build (issue 27): the load of the
# kasd_under_load test (tests/daemon/load_main.cpp: thousands of short
# connections, hostile and slow clients, a status prober) for SECONDS, then
# status latency p50/p99 against the goal (p99 < 100 ms) and kasd's peak
# resident memory against its budget.
#
# usage: bench/daemon-load-bench.sh [SECONDS [BUDGET_MIB [BUILD_DIR]]]
#   default 120 s, 256 MiB, build-bench-release beside the sources
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-120}
budget=${2:-256}
build=${3:-$here/build-bench-release}

cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target kasd kas_load >/dev/null

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
"$build/tests/kas_load" --seconds "$seconds" --budget-mib "$budget" --clients 4 --hostile 4 | tee "$out" || status=$?

p99=$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' "$out")
peak=$(sed -n 's/.*peak \([0-9.]*\) MiB.*/\1/p' "$out")
before=$(sed -n 's/.*resident \([0-9.]*\) MiB before.*/\1/p' "$out")
echo
echo "status p99: $p99 ms (goal < 100 ms): $(awk -v v="$p99" 'BEGIN { print (v < 100 ? "met" : "NOT met") }')"
echo "kasd peak RSS: $peak MiB; $before MiB before the load + budget $budget MiB = $(awk -v b="$before" -v m="$budget" 'BEGIN { print b + m }') MiB:" \
     "$(awk -v p="$peak" -v b="$before" -v m="$budget" 'BEGIN { print (p <= b + m ? "within" : "OVER") }')"
exit $status
