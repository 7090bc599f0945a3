#!/bin/bash
# Byte-identical comparison of kas's outputs before and after a refactor of
# the request path (issue 28, deliverable 5).
#
# A refactor of how kas and kasd pass requests (the service seam) must change
# no output, whether a command runs in process (--no-daemon) or through kasd.
# `capture` runs one build's kas over the Debian 6.1 amd64 debug kernel and
# keeps every answer; `compare` holds two captures (before/after) side by
# side and fails on any difference. A capture also compares its own in-process
# answers with its kasd answers: those must agree already.
#
#   bench/seam-compare.sh capture BUILD_DIR OUT_DIR [--corpus DIR] [--jobs N] [--seed S]
#   bench/seam-compare.sh compare DIR_A DIR_B
#
# BUILD_DIR holds kas and kasd of one build (client/kas and daemon/kasd, or
# found below it). OUT_DIR must not exist. --corpus: an unpacked
# linux-image-RELEASE-dbg (default /var/tmp/kas-dbg-6.1); --jobs: parallel
# kas module runs (default 2); --seed: the questions' seed (default 6,
# bench/query-bench.py's).
#
# What a capture holds, under inproc/ (--no-daemon) and kasd/ (a fresh kasd
# on a private socket, stopped afterwards) alike, each command's stdout,
# stderr and exit status (.stdout, .stderr, .rc):
#   census/   kas census --nm System.map --modules MODDIR, with and without --units
#   vmlinux/  kas vmlinux --nm System.map --elf vmlinux --modules MODDIR -v
#   module/   per module: kas module X.ko --census CENSUS -o OUT -v, where
#             CENSUS is this capture's in-process --units census: one .rec
#             file per module (exit status, sha256 of OUT, stderr)
#   module-kbuild/  every 80th module by sorted path (50):
#             kas module X.ko --nm System.map --modules MODDIR -o OUT
#   lookup/ resolve/ decode/ probe/  the questions in inputs/ (drawn by
#             bench/query-bench.py's own code, bench/seam-compare.py), as
#             text and --json; probe also --format bpftrace and perf
# and inputs/ (the module list, the sample, the questions), meta/ (kas
# --version, wall times, kasd's status and log, inproc-vs-kasd.txt: not
# compared).
#
# Normalised (the only nondeterminism found; bench/seam-compare.py normalise):
# the capture's temporary directory (module outputs, the census file, the
# socket) reads <WORK>, the corpus <CORPUS>, OUT_DIR <CAPTURE>, in every file
# kept. On the 6.1 corpus <WORK> is only in kas module -v's "-> OUT" line,
# <CORPUS> in module stderr and the --json paths of lookup/resolve/probe.
# Module outputs are kept as sha256 only (disk). Nothing else is rewritten:
# no timings are printed without KAS_TIMING, which is unset; kasd's pid,
# uptime and memory (kas daemon status) go to meta/ only. Two captures of one
# build are identical (8,230 files; a capture takes 47-50 min on 2 busy cores).
#
# Exit status of capture: 0 complete and in-process agrees with kasd; 2
# complete but they disagree (see meta/inproc-vs-kasd.txt); 1 failed.
# compare: 0 identical, 1 any difference or missing file.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
HELPER="$HERE/seam-compare.py"

usage() {
  sed -n '12,13p' "$0" | sed 's/^#   //' >&2
  exit 2
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# part NAME COMMAND...: runs a part, prints and records its wall time.
part() {
  local name=$1 start
  shift
  start=$(now)
  "$@"
  local took
  took=$(elapsed "$start")
  printf '  %-28s %8s s\n' "$name" "$took" | tee -a "$OUT/meta/timings.txt"
}

# run DIR NAME [--stdin FILE] -- ARGS...: kas ARGS, keeping DIR/NAME.{stdout,stderr,rc}.
run() {
  local dir=$1 name=$2 stdin=/dev/null
  shift 2
  if [ "$1" = --stdin ]; then
    stdin=$2
    shift 2
  fi
  [ "$1" = -- ] && shift
  mkdir -p "$dir"
  local rc=0
  "$KAS" "$@" <"$stdin" >"$dir/$name.stdout" 2>"$dir/$name.stderr" || rc=$?
  echo "$rc" >"$dir/$name.rc"
}

# one_module MODE FORM REL: one kas module run, kept as MODE/FORM/REL.rec.
one_module() {
  local mode=$1 form=$2 rel=$3
  local in="$MODDIR/$rel" out="$WORK/out/$form-${rel//\//%}" rec="$OUT/$mode/$form/$rel.rec"
  local -a route=(--no-daemon)
  [ "$mode" = kasd ] && route=(--socket "$SOCK")
  local -a how=(--census "$WORK/census.units" -o "$out" -v)
  [ "$form" = module-kbuild ] && how=(--nm "$SYSMAP" --modules "$MODDIR" -o "$out")
  mkdir -p "$(dirname "$rec")"
  local rc=0 sha=none
  "$KAS" module "$in" "${how[@]}" "${route[@]}" </dev/null >"$rec.stdout.tmp" 2>"$rec.stderr.tmp" || rc=$?
  if [ -f "$out" ]; then
    sha=$(sha256sum "$out" | cut -d' ' -f1)
    rm -f "$out"
  fi
  {
    echo "exit $rc"
    echo "output sha256 $sha"
    echo "--- stdout"
    cat "$rec.stdout.tmp"
    echo "--- stderr"
    cat "$rec.stderr.tmp"
  } >"$rec"
  rm -f "$rec.stdout.tmp" "$rec.stderr.tmp"
}

modules() { # MODE FORM LIST
  xargs -r -d '\n' -P "$JOBS" -n 1 bash -c 'one_module "$@"' _ "$1" "$2" <"$3"
}

census() { # MODE ROUTE...
  local mode=$1
  shift
  run "$OUT/$mode/census" units -- census --nm "$SYSMAP" --modules "$MODDIR" --units "$@"
  run "$OUT/$mode/census" plain -- census --nm "$SYSMAP" --modules "$MODDIR" "$@"
}

vmlinux() { # MODE ROUTE...
  local mode=$1
  shift
  run "$OUT/$mode/vmlinux" v -- vmlinux --nm "$SYSMAP" --elf "$VMLINUX" --modules "$MODDIR" -v "$@"
}

queries() { # MODE ROUTE...
  local mode=$1
  local d="$OUT/$mode"
  shift
  local -a target=(--kernel "$RELEASE" --debug-root "$CORPUS")
  local -a lookup resolve probe
  mapfile -t lookup <"$OUT/inputs/lookup.args"
  mapfile -t resolve <"$OUT/inputs/resolve.args"
  mapfile -t probe <"$OUT/inputs/probe.args"
  run "$d/lookup" text -- lookup --all "${lookup[@]}" "${target[@]}" "$@"
  run "$d/lookup" json -- lookup --all --json "${lookup[@]}" "${target[@]}" "$@"
  run "$d/resolve" text -- resolve "${resolve[@]}" "${target[@]}" "$@"
  run "$d/resolve" json -- resolve --json "${resolve[@]}" "${target[@]}" "$@"
  run "$d/decode" text --stdin "$OUT/inputs/oops.txt" -- decode "${target[@]}" "$@"
  run "$d/decode" json --stdin "$OUT/inputs/oops.txt" -- decode --json "${target[@]}" "$@"
  run "$d/probe" text -- probe "${probe[@]}" "${target[@]}" "$@"
  run "$d/probe" json -- probe --json "${probe[@]}" "${target[@]}" "$@"
  run "$d/probe" bpftrace -- probe --format bpftrace "${probe[@]}" "${target[@]}" "$@"
  run "$d/probe" perf -- probe --format perf "${probe[@]}" "${target[@]}" "$@"
}

# everything MODE ROUTE...: every command of the capture, one way.
everything() {
  local mode=$1
  shift
  part "$mode census (x2)" census "$mode" "$@"
  # Every kas module --census run, in process and through kasd, reads the
  # in-process --units census.
  if [ "$mode" = inproc ]; then cp "$OUT/inproc/census/units.stdout" "$WORK/census.units"; fi
  part "$mode vmlinux" vmlinux "$mode" "$@"
  part "$mode module ($(wc -l <"$OUT/inputs/modules.list"))" modules "$mode" module "$OUT/inputs/modules.list"
  part "$mode module-kbuild ($(wc -l <"$OUT/inputs/kbuild-sample.list"))" \
    modules "$mode" module-kbuild "$OUT/inputs/kbuild-sample.list"
  part "$mode queries" queries "$mode" "$@"
}

kasd_status() { "$KAS" daemon status --socket "$SOCK" 2>&1 || true; }
kasd_pid() { kasd_status | sed -n 's/^kasd pid \([0-9]*\).*/\1/p'; }

stop_kasd() {
  if [ -n "${SOCK:-}" ] && [ -S "$SOCK" ]; then
    "$KAS" daemon stop --socket "$SOCK" >/dev/null 2>&1 || true
  fi
}

cleanup() {
  stop_kasd
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
}

find_program() { # BUILD_DIR NAME SUBDIR
  if [ -x "$1/$3/$2" ]; then
    echo "$1/$3/$2"
  elif [ -x "$1/$2" ]; then
    echo "$1/$2"
  else
    find "$1" -maxdepth 3 -type f -name "$2" -perm -u+x | sort | head -1
  fi
}

capture() {
  [ $# -ge 2 ] || usage
  local build out
  build=$(realpath "$1")
  out=$2
  shift 2
  CORPUS=/var/tmp/kas-dbg-6.1
  JOBS=2
  local seed=6
  while [ $# -gt 0 ]; do
    case $1 in
      --corpus) CORPUS=$2; shift 2 ;;
      --jobs) JOBS=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [ -e "$out" ] && { echo "seam-compare: $out exists: give a new directory" >&2; exit 1; }
  CORPUS=$(realpath "$CORPUS")
  KAS=$(find_program "$build" kas client)
  local kasd
  kasd=$(find_program "$build" kasd daemon)
  if [ -z "$KAS" ] || [ -z "$kasd" ]; then echo "seam-compare: no kas and kasd below $build" >&2; exit 1; fi
  local boot="$CORPUS/usr/lib/debug/boot"
  VMLINUX=$(find "$boot" -maxdepth 1 -name 'vmlinux-*' 2>/dev/null | sort | head -1 || true)
  [ -n "$VMLINUX" ] || { echo "seam-compare: no $boot/vmlinux-*" >&2; exit 1; }
  RELEASE=${VMLINUX##*/vmlinux-}
  SYSMAP="$boot/System.map-$RELEASE"
  MODDIR="$CORPUS/usr/lib/debug/lib/modules/$RELEASE"
  if [ ! -f "$SYSMAP" ] || [ ! -d "$MODDIR" ]; then echo "seam-compare: no $SYSMAP or $MODDIR" >&2; exit 1; fi

  mkdir -p "$out"/{inputs,meta,inproc,kasd}
  OUT=$(realpath "$out")
  WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/kas-seam.XXXXXX")
  mkdir -p "$WORK/out" "$WORK/run"
  chmod 700 "$WORK/run"
  SOCK="$WORK/run/kasd.sock"
  trap cleanup EXIT
  # kas and kasd of this build only; nothing from the caller's environment
  # that changes what kas prints or where it goes.
  unset KAS_NO_DAEMON KAS_TIMING KAS_SOCKET DEBUGINFOD_URLS NO_COLOR
  export KASD="$kasd" KASD_IDLE_TIMEOUT=0 LC_ALL=C TERM=dumb
  export KAS OUT WORK SOCK CORPUS MODDIR SYSMAP VMLINUX RELEASE JOBS
  export -f one_module

  local total
  total=$(now)
  echo "capture of $KAS into $OUT (corpus $CORPUS, release $RELEASE, $JOBS jobs)"
  { "$KAS" --version 2>&1 || true; } >"$OUT/meta/version.txt"
  { "$kasd" --version 2>&1 || true; } >>"$OUT/meta/version.txt"
  printf 'kas %s\nkasd %s\ncorpus %s\nseed %s\nwork %s\n' "$KAS" "$kasd" "$CORPUS" "$seed" "$WORK" >"$OUT/meta/capture.txt"

  (cd "$MODDIR" && find -L . -name '*.ko' -type f -printf '%P\n' | LC_ALL=C sort) >"$OUT/inputs/modules.list"
  awk 'NR % 80 == 1' "$OUT/inputs/modules.list" | head -50 >"$OUT/inputs/kbuild-sample.list"
  part "inputs (nm, readelf)" python3 "$HELPER" inputs "$CORPUS" "$RELEASE" "$OUT/inputs" --seed "$seed"

  everything inproc --no-daemon

  "$KAS" daemon start --socket "$SOCK" >"$OUT/meta/kasd-start.txt" 2>&1
  local pid_before pid_after
  pid_before=$(kasd_pid)
  everything kasd --socket "$SOCK"
  kasd_status >"$OUT/meta/kasd-status.txt"
  pid_after=$(kasd_pid)
  stop_kasd
  cp "$SOCK.log" "$OUT/meta/kasd.log" 2>/dev/null || true

  python3 "$HELPER" normalise "$OUT" "$WORK=<WORK>" "$CORPUS=<CORPUS>" "$OUT=<CAPTURE>"

  # Within the capture: in process against kasd.
  local agree=0 fallbacks
  fallbacks=$(grep -rl 'no kasd' "$OUT/kasd" 2>/dev/null | wc -l || true)
  {
    echo "kasd pid at start ${pid_before:-?}, at end ${pid_after:-?} (a change: kasd died and kas started another)"
    echo "kasd answers that fell back in process ('no kasd' on stderr): $fallbacks"
    python3 "$HELPER" compare "$OUT/inproc" "$OUT/kasd" --label-a inproc --label-b kasd || agree=$?
  } >"$OUT/meta/inproc-vs-kasd.txt"
  if [ "${pid_before:-x}" != "${pid_after:-y}" ] || [ "$fallbacks" != 0 ]; then agree=1; fi
  printf '  %-28s %8s s\n' "capture total" "$(elapsed "$total")" | tee -a "$OUT/meta/timings.txt"
  echo "in process against kasd, within this capture:"
  sed 's/^/  /' "$OUT/meta/inproc-vs-kasd.txt" | head -60
  [ "$agree" = 0 ] || { echo "seam-compare: in process and kasd DISAGREE (finding: $OUT/meta/inproc-vs-kasd.txt)"; exit 2; }
  echo "seam-compare: capture complete; in process and kasd agree"
}

compare_captures() {
  [ $# -eq 2 ] || usage
  local a=$1 b=$2 start
  start=$(now)
  for d in "$a" "$b"; do
    if [ ! -d "$d/inproc" ] || [ ! -d "$d/kasd" ] || [ ! -d "$d/inputs" ]; then
      echo "seam-compare: $d is no capture" >&2
      exit 1
    fi
  done
  echo "A: $a ($(head -1 "$a/meta/version.txt" 2>/dev/null))"
  echo "B: $b ($(head -1 "$b/meta/version.txt" 2>/dev/null))"
  local rc=0
  python3 "$HELPER" compare "$a" "$b" --label-a A --label-b B --skip '^meta/' || rc=$?
  echo "compare wall time: $(elapsed "$start") s"
  if [ "$rc" = 0 ]; then echo "seam-compare: IDENTICAL"; else echo "seam-compare: DIFFERENT"; fi
  exit "$rc"
}

case ${1:-} in
  capture) shift; capture "$@" ;;
  compare) shift; compare_captures "$@" ;;
  *) usage ;;
esac
