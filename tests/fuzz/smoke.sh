#!/usr/bin/env bash
# Fuzz smoke run (CI): builds the libFuzzer targets of tests/fuzz with clang
# 16 (Debian's clang-16, libclang-rt-16-dev; .ci/setup --tests installs
# them), makes their seed corpora at run time from real objects (gcc, nm)
# and real protocol messages (kas_fuzz_seeds), and runs each target for
# SECONDS, as many at once as there are cores (KAS_FUZZ_JOBS). A crash, a
# sanitizer report or a leak fails the run and keeps the input under
# WORK/artifacts (printed).
#
# usage: tests/fuzz/smoke.sh [BUILD_DIR] [SECONDS]   (default build-fuzz, 45)
#   KAS_FUZZ_KEEP=DIR: use DIR as the work directory and keep it (corpora
#   grow there across runs: the long runs by hand use this)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build-fuzz}
seconds=${2:-45}
targets=(fuzz_frames fuzz_requests fuzz_nm_listing fuzz_census fuzz_symtab fuzz_rewriter)

# Release with line tables: reports name lines, and the build is faster;
# a unity build, faster again (tests/tsan/daemon-tsan.sh).
CC=clang-16 CXX=clang++-16 cmake -S "$repo" -B "$build" -DKAS_FUZZ=ON -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON \
  -DCMAKE_CXX_FLAGS=-gline-tables-only > /dev/null
cmake --build "$build" -j2 --target "${targets[@]}" kas_fuzz_seeds

if [ -n "${KAS_FUZZ_KEEP:-}" ]; then
  work=$KAS_FUZZ_KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
# fuzz_frames and fuzz_requests drop root for uid 65534 (they open what a
# fuzzed request names): their corpora must be theirs to write.
chmod 755 "$work"
mkdir -p "$work"/seeds/{objects,listings,censuses,requests,frames} "$work/artifacts" "$work/scratch"
# The daemon targets' scratch directories (and whatever a fuzzed request
# writes there) go with the work directory.
export TMPDIR=$work/scratch

# Seeds: the test fixtures' objects, with and without DWARF.
fixtures=$repo/tests/fixtures
n=0
for src in "$fixtures"/modules/*/*.c "$fixtures"/kernel/drivers/*/*.c "$fixtures"/objects/small32.c; do
  for g in -g -g0; do
    n=$((n + 1))
    gcc -c -O2 "$g" -I"$fixtures/kernel/include" "$src" -o "$work/seeds/objects/$n.o" 2>/dev/null ||
      rm -f "$work/seeds/objects/$n.o"
  done
done
[ "$(ls "$work/seeds/objects" | wc -l)" -gt 4 ] || { echo "smoke.sh: too few seed objects built" >&2; exit 1; }
# gcc's LTO plugin named: told none, nm tries every LLVMgold installed.
nm_plugin=$(gcc -print-file-name=liblto_plugin.so)
[ -f "$nm_plugin" ] && nm_plugin=(--plugin "$nm_plugin") || nm_plugin=()
for o in "$work"/seeds/objects/*.o; do
  b=$(basename "$o" .o)
  nm "${nm_plugin[@]}" "$o" > "$work/seeds/listings/$b.syms" || true
  nm "${nm_plugin[@]}" "$o" | awk 'NF == 3 { print $3 ":" (NR % 3 + 1) } END { print "drivers/base/core.c:1" }' \
    > "$work/seeds/censuses/$b.symbfreq"
done
"$build/tests/fuzz/kas_fuzz_seeds" "$work/seeds/requests" "$work/seeds/frames" "$(ls "$work"/seeds/objects/*.o | head -1)"

corpus_of() {
  case "$1" in
    fuzz_frames) echo frames ;; fuzz_requests) echo requests ;; fuzz_nm_listing) echo listings ;;
    fuzz_census) echo censuses ;; *) echo objects ;;
  esac
}
max_len_of() {
  case "$1" in fuzz_symtab|fuzz_rewriter) echo 65536 ;; *) echo 8192 ;; esac
}
# Each target is one process on one core: KAS_FUZZ_JOBS of them (default:
# the number of cores) run at once, each still for SECONDS.
jobs=${KAS_FUZZ_JOBS:-$(nproc)}
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t"
  cp -n "$work/seeds/$(corpus_of "$t")"/* "$work/corpus/$t/"
done
chmod -R a+rwX "$work/corpus" "$work/artifacts"
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  corpus=$work/corpus/$t
  echo "== $t: $seconds s from $(ls "$corpus" | wc -l) inputs"
  (
    status=0
    "$build/tests/fuzz/$t" -max_total_time="$seconds" -max_len="$(max_len_of "$t")" -timeout=20 \
      -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" "$corpus" \
      > "$work/$t.log" 2>&1 || status=$?
    echo "$status" > "$work/$t.status"
  ) &
done
wait
failed=0
for t in "${targets[@]}"; do
  if [ "$(cat "$work/$t.status")" != 0 ]; then
    failed=$((failed + 1))
    tail -60 "$work/$t.log"
    echo "FAIL $t: see the input in $work/artifacts" >&2
    trap - EXIT
  else
    echo "$t: $(grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$work/$t.log" | tr '\n' ' ')"
  fi
done
[ "$failed" -eq 0 ] || { echo "smoke.sh: $failed target(s) failed" >&2; exit 1; }
echo "smoke.sh: ${#targets[@]} targets, $seconds s each, no failure"
