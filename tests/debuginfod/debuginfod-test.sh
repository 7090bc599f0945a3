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

# Issue 27 E: the cache is the user's own, and kas deletes in it only
# through its own directories' descriptors. The attack: a root kas with HOME
# unset kept its links in /tmp/.cache/kas, where another user planted
# live/BUILDID/modules as a link to a directory of the victim's (the
# build-id is public in /sys/kernel/notes), and kas removed every file
# there as "modules unloaded since an earlier run".
victim=$work/victim
reset_victim() { rm -rf "$victim"; mkdir -p "$victim"; echo keep >"$victim/passwd"; echo keep >"$victim/old.ko"; }
victim_intact() { [ "$(cat "$victim/passwd" 2>/dev/null)" = keep ] && [ "$(cat "$victim/old.ko" 2>/dev/null)" = keep ]; }
as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
plant() {  # CACHE: the attacker's live/BUILDID/modules link to the victim's directory
  as_other mkdir -p "$1/kas/live/$vmlinux_id" && as_other ln -s "$victim" "$1/kas/live/$vmlinux_id/modules"
}
lookup_live() {  # ENV...: kas lookup --live in process, in that environment
  env "$@" "$kas" lookup name_show --live --sysfs-root "$work/sys" --debug-root "$work/empty" --json --no-daemon
}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the cache attack needs a second uid and a mount namespace (root; CI runs as root)"
  exit 0
fi
chmod 711 "$work"  # the attacker reaches the shared directories below

# HOME unset, in a mount namespace of its own: /tmp a fresh sticky
# directory (holding $work at its own path) that the attacker plants in,
# /root (uid 0's home in the password database) a fresh empty one.
reset_victim
view=$work/tmp-view
mkdir -p "$view/${work#/tmp/}"
chmod 1777 "$view"
unshare --mount --propagation private env -u HOME -u XDG_CACHE_HOME -u DEBUGINFOD_CACHE_PATH \
  bash -euc '
    work=$1 view=$2 kas=$3 id=$4 victim=$5
    mount --bind "$work" "$view/${work#/tmp/}"
    mount --rbind "$view" /tmp
    mount -t tmpfs -o mode=0700 tmpfs /root
    as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
    as_other mkdir -p "/tmp/.cache/kas/live/$id"
    as_other ln -s "$victim" "/tmp/.cache/kas/live/$id/modules"
    problems=
    out=$("$kas" lookup name_show --live --sysfs-root "$work/sys" --debug-root "$work/empty" --json --no-daemon \
          2>"$work/ns.err") || problems+="lookup failed: $(cat "$work/ns.err"); "
    echo "$out" | grep -q "\"binary\":\"hello\"" || problems+="no module definitions: $out; "
    [ "$(stat -c %a "/root/.cache/kas/live/$id/modules" 2>&1)" = 700 ] || problems+="no private live directory in /root/.cache; "
    [ -L "/root/.cache/kas/live/$id/modules/hello.ko" ] || problems+="no hello.ko link in /root/.cache; "
    [ -d "/root/.cache/debuginfod_client/$id" ] || problems+="kas-fetch did not cache in /root/.cache; "
    [ "$(readlink "/tmp/.cache/kas/live/$id/modules")" = "$victim" ] || problems+="the planted link was touched; "
    [ -z "$problems" ] || { echo "$problems"; exit 1; }
  ' ns "$work" "$view" "$kas" "$vmlinux_id" "$victim" >"$work/ns.out" 2>&1 || ns_failed=1
victim_intact || fail "HOME unset: kas deleted through the planted link: $(ls -la "$victim")"
[ -z "${ns_failed:-}" ] || fail "HOME unset: $(cat "$work/ns.out")"
echo "PASS: with HOME unset the cache is the password database's home, not /tmp"

# A HOME in a shared directory (as /tmp was): the attacker's .cache is
# refused, with the path and why, and nothing is deleted.
reset_victim
mkdir -m 1777 "$work/shared"
plant "$work/shared/.cache"
err=$(lookup_live -u XDG_CACHE_HOME HOME="$work/shared" 2>&1 >/dev/null) || true
victim_intact || fail "shared HOME: kas deleted through the planted link: $(ls -la "$victim")"
echo "$err" | grep -q "$work/shared/.cache: belongs to uid 65534, not to you (uid 0)" ||
  fail "shared HOME: no refusal naming the directory: $err"

# A cache directory others may write, and a debuginfod cache others may
# write: refused.
mkdir "$work/open" "$work/open-debuginfod"
chmod 0777 "$work/open" "$work/open-debuginfod"
err=$(lookup_live XDG_CACHE_HOME="$work/open" 2>&1 >/dev/null) || true
echo "$err" | grep -q "$work/open: mode 0777: writable by others" || fail "open cache: $err"
[ ! -e "$work/open/kas" ] || fail "open cache: kas wrote in it"
err=$(lookup_live DEBUGINFOD_CACHE_PATH="$work/open-debuginfod" 2>&1 >/dev/null) || true
echo "$err" | grep -q "kas-fetch: $work/open-debuginfod: mode 0777: writable by others" || fail "open debuginfod cache: $err"
echo "$err" | grep -q "refused its debuginfod cache directory" || fail "open debuginfod cache: $err"
[ -z "$(ls "$work/open-debuginfod")" ] || fail "open debuginfod cache: kas-fetch wrote in it"
echo "PASS: a cache directory of another user, or writable by others, is refused"
