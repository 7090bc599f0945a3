#!/usr/bin/env bash
# The README's test command (its second line, which .ci/run runs) step by
# step, each timed: wall, CPU (user+sys of the step and its children) and the
# load before and after, so a change to the test loop says which step it
# made faster or slower. Run from a clean clone for CI's figures (ccache
# starts empty there; KAS_CCACHE=OFF or CCACHE_DISABLE=1 for the same here).
#
# usage: bench/ci-steps.sh [OUT_DIR]   (default /tmp/kas-ci-steps.XXXXXX)
#   OUT_DIR/stepN.log holds each step's output, OUT_DIR/summary the figures.
#   KAS_CI_FROM=N starts at step N (after a failed step was fixed; the
#   steps before it must have run in this tree).
set -uo pipefail
case "${1:-}" in -h|--help) sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;; esac
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
out=${1:-$(mktemp -d /tmp/kas-ci-steps.XXXXXX)}
mkdir -p "$out"
cmdline=$(sed -n 2p README.md | sed 's/^ *//')
[ "$cmdline" = "$(tail -1 .ci/run)" ] || { echo "README's test command and .ci/run differ" >&2; exit 1; }
IFS=$'\n' read -r -d '' -a steps < <(echo "$cmdline" | sed 's/ && /\n/g'; printf '\0')
from=${KAS_CI_FROM:-1}
[ "$from" -gt 1 ] || : > "$out/summary"
start=$(date +%s.%N)
rc=0
i=0
for s in "${steps[@]}"; do
  i=$((i + 1))
  [ "$i" -ge "$from" ] || continue
  echo "== step $i: $s" | tee -a "$out/summary"
  l0=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -f "%e s wall, %U s user, %S s sys" -o "$out/step$i.time" bash -c "$s" > "$out/step$i.log" 2>&1
  rc=$?
  l1=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "   exit $rc: $(tail -1 "$out/step$i.time"); load before $l0, after $l1" | tee -a "$out/summary"
  [ $rc -eq 0 ] || { echo "   (output: $out/step$i.log)" | tee -a "$out/summary"; break; }
done
echo "total: $(echo "$(date +%s.%N) - $start" | bc | cut -d. -f1) s wall" | tee -a "$out/summary"
exit $rc
