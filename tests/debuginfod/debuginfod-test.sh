#!/usr/bin/env bash
# kas --live when the running kernel's debug files are not installed: they
# are fetched by build-id from a real debuginfod server (Debian package
# debuginfod) on loopback, serving the fixture kernel. The "running kernel"
# is a recorded sysfs, given with kas's hidden --sysfs-root: its notes files
# carry the fixture's build-ids, as /sys/kernel/notes and /sys/module/*/notes do.
#
# usage: debuginfod-test.sh KAS
set -euo pipefail

kas=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/kas-debuginfod-test.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  "$kas" daemon stop --socket "$work/run/kasd.sock" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

objtree=$("$here/../fixtures/build-kernel.sh" intree "$work/kernel")
build_id() { readelf -n "$1" | awk '/Build ID/ {print $3}'; }
vmlinux_id=$(build_id "$objtree/vmlinux")
[ -n "$vmlinux_id" ] || fail "the fixture vmlinux has no build-id"

# The served files: vmlinux and the modules, as a debuginfod would hold them.
mkdir -p "$work/served" "$work/sys/kernel" "$work/sys/module" "$work/run" "$work/empty"
chmod 700 "$work/run"
cp "$objtree/vmlinux" "$work/served/"
objcopy -O binary --only-section=.note.gnu.build-id "$objtree/vmlinux" "$work/sys/kernel/notes"
for m in hello other; do
  ko=$objtree/modules/$m/$m.ko
  [ -n "$(build_id "$ko")" ] || fail "$ko has no build-id"
  cp "$ko" "$work/served/"
  mkdir -p "$work/sys/module/$m/notes"
  objcopy -O binary --only-section=.note.gnu.build-id "$ko" "$work/sys/module/$m/notes/.note.gnu.build-id"
done
# A loaded module no server knows (its build-id: the vmlinux note with the
# last descriptor byte changed).
mkdir -p "$work/sys/module/ghost/notes"
python3 - "$work/sys/kernel/notes" "$work/sys/module/ghost/notes/.note.gnu.build-id" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[-1] ^= 0xff
open(sys.argv[2], "wb").write(data)
PY

# The server, on a free port.
port=
for try in 1 2 3 4 5 6 7 8; do
  candidate=$((20000 + RANDOM % 40000))
  debuginfod -F "$work/served" -p "$candidate" -d "$work/db.sqlite" -t0 -g0 >"$work/server.log" 2>&1 &
  server_pid=$!
  sleep 1
  if kill -0 "$server_pid" 2>/dev/null; then port=$candidate; break; fi
  server_pid=
done
[ -n "$port" ] || fail "debuginfod did not start: $(cat "$work/server.log")"
export DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH=$work/client-cache XDG_CACHE_HOME=$work/xdg
export KAS_SOCKET=$work/run/kasd.sock
for i in $(seq 1 60); do
  # A cache of its own each time: the client remembers misses for minutes.
  rm -rf "$work/poll-cache"
  DEBUGINFOD_CACHE_PATH=$work/poll-cache debuginfod-find debuginfo "$vmlinux_id" >/dev/null 2>&1 && break
  sleep 0.5
  [ "$i" = 60 ] && fail "debuginfod never served $vmlinux_id: $(tail -5 "$work/server.log")"
done
rm -rf "$work/poll-cache"

check_lookup() {  # MODE (--no-daemon or "")
  out=$("$kas" lookup name_show --live --sysfs-root "$work/sys" --debug-root "$work/empty" --json $1 2>"$work/err") ||
    fail "kas lookup --live $1: $(cat "$work/err")"
  python3 - "$out" <<'PY' || fail "lookup through debuginfod $1: $out"
import json, sys
defs = json.loads(sys.argv[1])["results"][0]["definitions"]
binaries = sorted(d["binary"] for d in defs)
assert binaries == ["hello", "other", "vmlinux", "vmlinux"], binaries
for d in defs:
    assert "/client-cache/" in d["path"] or "/xdg/kas/live/" in d["path"], d["path"]
    assert d["file"] and d["line"], d
    assert d["alias"], d
PY
  grep -q "ghost" "$work/err" || fail "the module no server has is not reported: $(cat "$work/err")"
}
check_lookup --no-daemon
check_lookup ""
[ -d "$work/client-cache/$vmlinux_id" ] || fail "nothing in debuginfod's cache"
echo "PASS: lookup --live through debuginfod (in-process and daemon)"

# Resolve by name, through the same fetched files.
out=$("$kas" resolve --live --sysfs-root "$work/sys" --debug-root "$work/empty" 'name_show+0x1 [other]' 2>/dev/null) ||
  fail "resolve --live: $out"
echo "$out" | grep -q "modules/other/other.c:" || fail "resolve --live: $out"
echo "PASS: resolve --live through debuginfod"

# No server configured, or one without the files: say so (then answer from
# /proc/kallsyms alone when it is readable).
err=$(env -u DEBUGINFOD_URLS "$kas" lookup name_show --live --sysfs-root "$work/sys" --debug-root "$work/empty" 2>&1 >/dev/null) || true
echo "$err" | grep -q "DEBUGINFOD_URLS" || fail "no hint at DEBUGINFOD_URLS: $err"
mkdir -p "$work/other-sys/kernel"
printf '\004\000\000\000\004\000\000\000\003\000\000\000GNU\000\001\002\003\004' >"$work/other-sys/kernel/notes"
err=$("$kas" lookup name_show --live --sysfs-root "$work/other-sys" --debug-root "$work/empty" 2>&1 >/dev/null) || true
echo "$err" | grep -q "has no debug info for the running kernel (build-id 01020304)" || fail "unclear: $err"
echo "PASS: missing debug info is explained"
