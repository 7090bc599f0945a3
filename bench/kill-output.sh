#!/usr/bin/env bash
# Leftovers check by hand (issue 16, finding 5): kill kas (SIGKILL, SIGINT)
# and kasd (SIGKILL) while a large module output is written, ROUNDS times
# each, at a random moment of the run. After each kill the output directory
# must hold the output alone, byte-identical to the previous good one (a
# killed kasd's client resends to a new daemon, which writes it whole).
#
# usage: bench/kill-output.sh KAS MODULE CENSUS [ROUNDS]   (default 20)
#   e.g. bench/kill-output.sh build/client/kas \
#          /data/amd64/usr/lib/debug/lib/modules/6.1.0-56-amd64/kernel/drivers/gpu/drm/amd/amdgpu/amdgpu.ko \
#          amd64.symbfreq
set -euo pipefail
kas=$(realpath "$1"); module=$2; census=$3; rounds=${4:-20}
work=$(mktemp -d)
trap '"$kas" daemon stop --socket "$work/run/kasd.sock" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -m 700 "$work/run" "$work/out"
out=$work/out/module.ko
args=(module "$module" --census "$census" -o "$out")

start=$(date +%s.%N)
"$kas" "${args[@]}" --no-daemon 2> /dev/null
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
good=$(sha256sum < "$out")
echo "output $(stat -c %s "$out") bytes, written in ${elapsed} s in-process"

# A moment between 10% and 90% of a run.
pause() { echo "scale=3; $elapsed * (10 + $RANDOM % 80) / 100" | bc; }
check() {
  local what=$1 names
  names=$(ls -A "$work/out")
  if [ "$names" != "module.ko" ]; then echo "LEFT BEHIND ($what): $names"; return 1; fi
  if [ "$(sha256sum < "$out")" != "$good" ]; then echo "OUTPUT CHANGED ($what)"; return 1; fi
}
bad=0
for sig in KILL INT; do
  for ((i = 1; i <= rounds; i++)); do
    "$kas" "${args[@]}" --no-daemon 2> /dev/null & pid=$!
    sleep "$(pause)"
    kill -s "$sig" "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    check "kas SIG$sig round $i" || bad=$((bad + 1))
  done
  echo "kas SIG$sig: $rounds runs"
done
socket=$work/run/kasd.sock
"$kas" daemon start --socket "$socket" > /dev/null
"$kas" "${args[@]}" --socket "$socket" 2> /dev/null   # indexes the census
for ((i = 1; i <= rounds; i++)); do
  kasd=$("$kas" daemon status --socket "$socket" | sed -n 's/.*kasd pid \([0-9]*\).*/\1/p')
  "$kas" "${args[@]}" --socket "$socket" 2> "$work/client.err" & pid=$!
  sleep "$(pause)"
  kill -KILL "$kasd" 2> /dev/null || true
  if ! wait "$pid"; then echo "client failed (round $i): $(cat "$work/client.err")"; bad=$((bad + 1)); fi
  check "kasd SIGKILL round $i" || bad=$((bad + 1))
done
echo "kasd SIGKILL: $rounds runs"
echo "$bad problem(s) in $((rounds * 3)) kills"
[ "$bad" -eq 0 ]
