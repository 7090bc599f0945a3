#!/usr/bin/env bash
# The Debian package, built and checked as a user gets it: dpkg-buildpackage
# on a copy of this tree (so nothing is written beside it), lintian with no
# error or warning, and the package's files unpacked into a scratch root
# (dpkg -x) and used from there with nothing of the build tree:
#   - every shared library the programs need comes from a package that the
#     Depends line names (readelf -d NEEDED, dpkg -S: not from our code);
#   - the files are where cmake --install and systemd expect them, and the
#     units start the installed kasd;
#   - the maintainer scripts, run in a mount namespace, enable the user
#     socket for every user and no system unit, and purge removes the link;
#   - systemd-analyze verify accepts the units;
#   - the installed kas runs the built-in sample through the installed kasd
#     (found beside it; the daemon's /proc/PID/exe is checked), and through
#     kasd started as the user unit says, on a socket passed as systemd does
#     (systemd-socket-activate);
#   - kas --version carries debian/changelog's version;
#   - man -l renders both installed man pages without a warning;
#   - the installed kbuild/apply applies every series to its linux-source
#     tarball (tests/kbuild/apply-test.sh with KAS_APPLY);
#   - the installed kas and kbuild/ add the alias to an out-of-tree module
#     built against Debian's 6.12 headers and against a prepared 7.3 tree
#     (tests/oot: the two run here and not in ctest, 6.1's there);
#   - the installed completion completes every command (completion-test.sh);
#   - the installed kas finds kas-fetch in libexec and fetches the running
#     kernel's debug files from a local debuginfod (debuginfod-test.sh).
#
# usage: tests/package/deb-check.sh WORKDIR
#   WORKDIR: where the copy, the build, the .deb and the scratch root go
#   (emptied first; kept afterwards for inspection: build-deb in CI).
#   KAS_DEB_REUSE=1: check the package a previous run left in WORKDIR
#   instead of building it again (when changing this script).
set -euo pipefail
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
[ $# -eq 1 ] || { usage >&2; exit 2; }
case "$1" in -h|--help) usage; exit 0 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mkdir -p "$1"
work=$(cd "$1" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

version=$(dpkg-parsechangelog -l "$repo/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
src=$work/kasd-$version
deb=$work/kasd_${version}_$arch.deb
changes=$work/kasd_${version}_$arch.changes
if [ "${KAS_DEB_REUSE:-}" = 1 ] && [ -f "$deb" ] && [ -f "$changes" ]; then
  step "reusing $deb (KAS_DEB_REUSE=1)"
  rm -rf "$work/root" "$work/control" "$work/units" "$work/xdg" "$work/run" "$work/sample"
else
rm -rf "${work:?}"/*
mkdir -p "$src"

step "copying the tree to $src"
if git -C "$repo" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  # Tracked and new files, not ignored ones (build directories).
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard |
     xargs -0 cp --parents -t "$src")
else
  tar -C "$repo" --exclude='./build*' -cf - . | tar -C "$src" -xf -
fi

step "dpkg-buildpackage -us -uc -b (log: $work/build.log)"
start=$(date +%s)
# The build compiles through ccache when it is installed (cmake/KasCcache.cmake):
# into the user's cache, which debhelper's HOME would hide, and with paths
# relative to the copy, which a rerun makes again at the same place.
if command -v ccache > /dev/null; then
  CCACHE_DIR=${CCACHE_DIR:-$(ccache --get-config cache_dir)}
  export CCACHE_DIR CCACHE_BASEDIR=$src
fi
# In batches (a unity build, debian/rules): a fifth less time; each changed
# source is still compiled alone by tests/style/check-style.sh's clang-tidy.
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" KAS_UNITY_BUILD=${KAS_UNITY_BUILD:-ON} \
        dpkg-buildpackage -us -uc -b > "$work/build.log" 2>&1); then
  tail -40 "$work/build.log" >&2
  fail "dpkg-buildpackage failed (whole log: $work/build.log)"
fi
echo "built in $(( $(date +%s) - start )) s"
[ -f "$deb" ] || fail "no $deb after the build"
fi

step "lintian"
lintian --fail-on error,warning --info "$changes" | tee "$work/lintian.log" ||
  fail "lintian reports errors or warnings (above)"

root=$work/root
dpkg -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"

step "the package's files"
for f in usr/bin/kas usr/bin/kasd usr/libexec/kasd/kas-fetch \
         usr/share/man/man1/kas.1.gz usr/share/man/man1/kasd.1.gz \
         usr/share/bash-completion/completions/kas \
         usr/lib/systemd/user/kasd.service usr/lib/systemd/user/kasd.socket \
         usr/share/kasd/kbuild/apply usr/share/kasd/kbuild/kas-module.mk \
         usr/share/doc/kasd/copyright; do
  [ -e "$root/$f" ] || fail "$deb lacks /$f"
done
[ -x "$root/usr/share/kasd/kbuild/apply" ] || fail "/usr/share/kasd/kbuild/apply is not executable"
for series in "$repo"/kbuild/patches/*/; do
  series=$(basename "$series")
  diff -r "$repo/kbuild/patches/$series" "$root/usr/share/kasd/kbuild/patches/$series" ||
    fail "the installed series $series differs from kbuild/patches/$series"
done
grep -qx 'ExecStart=/usr/bin/kasd --idle-timeout 600' "$root/usr/lib/systemd/user/kasd.service" ||
  fail "the user kasd.service does not start /usr/bin/kasd: $(grep ExecStart "$root/usr/lib/systemd/user/kasd.service")"
# A kasd serves its own user only: no system-wide unit, which would run one
# as root for others.
[ ! -e "$root/lib/systemd/system" ] && [ ! -e "$root/usr/lib/systemd/system" ] ||
  fail "the package ships system units: $(find "$root"/lib/systemd/system "$root"/usr/lib/systemd/system 2>/dev/null)"
grep -qx 'ListenStream=%t/kasd/kasd.sock' "$root/usr/lib/systemd/user/kasd.socket" ||
  fail "the user socket is not where kas looks (\$XDG_RUNTIME_DIR/kasd/kasd.sock)"

step "systemd-analyze verify on the units (ExecStart pointed into the scratch root)"
mkdir -p "$work/units/user" "$work/xdg"
chmod 700 "$work/xdg"
for unit in kasd.service kasd.socket; do
  sed "s|^ExecStart=/usr/bin/kasd |ExecStart=$root/usr/bin/kasd |" "$root/usr/lib/systemd/user/$unit" > "$work/units/user/$unit"
done
# verify also runs `man kasd(1)` for Documentation=: the package's page.
export MANPATH=$root/usr/share/man
XDG_RUNTIME_DIR=$work/xdg systemd-analyze --user verify "$work"/units/user/kasd.{socket,service} ||
  fail "systemd-analyze verify: the user units"
unset MANPATH

step "Depends covers every library the programs load"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for bin in usr/bin/kas usr/bin/kasd usr/libexec/kasd/kas-fetch; do
  for soname in $(readelf -d "$root/$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    # Whole outputs are read (no early exit): under pipefail a writer cut
    # off by SIGPIPE would fail the step.
    lib=$(ldconfig -p | awk -v s="$soname" '$1 == s && lib == "" && /x86-64|AArch64|64bit/ { lib = $NF } END { print lib }')
    [ -n "$lib" ] || fail "/$bin needs $soname, which this machine does not have"
    # dpkg knows a library by one of its names (/lib or /usr/lib, the
    # link or the file) and fails for the other.
    pkg=$({ dpkg -S "$(readlink -f "$lib")" "$lib" 2>/dev/null || true; } | awk -F: 'NR == 1 { print $1 }')
    [ -n "$pkg" ] || fail "no package holds $lib ($soname, needed by /$bin)"
    tr ',' '\n' <<<"$depends" | awk -v p="$pkg" '$1 == p { found = 1 } END { exit !found }' ||
      fail "/$bin needs $soname from $pkg, not in Depends"
  done
done

step "maintainer scripts: the user socket is enabled for every user"
# Run for real, in a mount namespace where systemd's directories are the
# package's units and empty configuration and state: what postinst
# configure links, and what postrm purge leaves.
if unshare --mount --propagation private true 2> /dev/null; then
  unshare --mount --propagation private bash -euc '
    root=$1 control=$2 out=$3
    mount -t tmpfs kas-etc /etc/systemd
    mount -t tmpfs kas-state /var/lib/systemd
    mkdir -p /usr/lib/systemd/user
    mount --bind "$root/usr/lib/systemd/user" /usr/lib/systemd/user
    links() { find /etc/systemd -type l -printf "%P -> %l\n" | sort; }
    # As dpkg runs them; a script debhelper had nothing to put in is absent
    # (no preinst without system units), as dpkg skips it.
    run() { [ ! -e "$control/$1" ] || DPKG_MAINTSCRIPT_PACKAGE=kasd DPKG_MAINTSCRIPT_NAME=$1 "$control/$@"; }
    run preinst install
    run postinst configure
    links > "$out/links-installed"
    run postrm remove
    run postrm purge
    links > "$out/links-purged"
  ' _ "$root" "$work/control" "$work" || fail "the maintainer scripts failed (above)"
  echo "postinst configure: $(cat "$work/links-installed")"
  [ "$(cat "$work/links-installed")" = "user/sockets.target.wants/kasd.socket -> /usr/lib/systemd/user/kasd.socket" ] ||
    fail "postinst configure should link the user socket only, not: $(cat "$work/links-installed")"
  [ ! -s "$work/links-purged" ] || fail "postrm purge left: $(cat "$work/links-purged")"
else
  # No mount namespace for us here (a container without CAP_SYS_ADMIN):
  # the scripts' text, then.
  echo "unshare --mount is not permitted here: checking the maintainer scripts' text instead"
  grep -q "deb-systemd-helper --user enable 'kasd.socket'" "$work/control/postinst" ||
    fail "postinst does not enable the user socket"
  awk '/deb-systemd-helper enable/ && !/--user/ && prev !~ /was-enabled/ { bad = 1 } NF && $1 !~ /^#/ { prev = $0 } END { exit bad }' \
    "$work/control/postinst" || fail "postinst enables a system unit the administrator had not enabled"
  grep -q "deb-systemd-helper --user purge 'kasd.socket'" "$work/control/postrm" ||
    fail "postrm purge does not remove the user socket's link"
fi

kas=$root/usr/bin/kas
run=$work/run
mkdir -m 700 "$run"
export KAS_SOCKET=$run/kasd.sock
unset KAS KASD KAS_FETCH KAS_NO_DAEMON
cleanup() { "$kas" daemon stop --socket "$KAS_SOCKET" > /dev/null 2>&1 || true; }
trap cleanup EXIT

step "kas --version"
"$kas" --version | grep -q "^kas ${version}+" || fail "kas --version: $("$kas" --version), not version $version"
"$root/usr/bin/kasd" --version | grep -q "^kasd ${version}+" || fail "kasd --version is not version $version"

step "the installed kas on the built-in sample"
"$repo/tests/sample/run-sample.sh" "$kas" "$work/sample" > "$work/sample.log" 2> "$work/sample.err" ||
  { cat "$work/sample.log" "$work/sample.err"; fail "the sample failed with the installed kas"; }
grep -q '^[0-9a-f]* [tT] name_show@' "$work/sample.log" || { cat "$work/sample.log"; fail "no name_show alias in the sample's output"; }
grep -q 'running in-process' "$work/sample.err" && { cat "$work/sample.err"; fail "the installed kas did not use a daemon"; }
pid=$("$kas" daemon status --socket "$KAS_SOCKET" | sed -n 's/.*pid \([0-9]*\).*/\1/p' | head -1)
[ -n "$pid" ] || fail "kas daemon status names no pid: $("$kas" daemon status --socket "$KAS_SOCKET")"
[ "$(readlink "/proc/$pid/exe")" = "$root/usr/bin/kasd" ] ||
  fail "the daemon is $(readlink "/proc/$pid/exe"), not the installed $root/usr/bin/kasd"
head -3 "$work/sample.log"
"$kas" daemon stop --socket "$KAS_SOCKET" > /dev/null

step "kasd as the user unit starts it, on a socket passed by systemd-socket-activate"
objtree=$(sed -n 's|^Alias lines added to \(.*\)/vmlinux.syms.alias:$|\1|p' "$work/sample.log")
[ -d "$objtree" ] || fail "the sample names no tree: $(cat "$work/sample.log")"
read -r -a exec_start < <(sed -n "s|^ExecStart=/usr/bin/kasd |$root/usr/bin/kasd |p" "$root/usr/lib/systemd/user/kasd.service")
activated=$run/activated.sock
systemd-socket-activate -l "$activated" "${exec_start[@]}" 2> "$work/activated.log" &
activate_pid=$!
for _ in $(seq 100); do [ -S "$activated" ] && break; sleep 0.05; done
(cd "$objtree" && "$kas" lookup name_show --socket "$activated") > "$work/activated.out" 2>&1 ||
  { cat "$work/activated.out" "$work/activated.log"; fail "kas lookup through the activated kasd failed"; }
grep -q 'name_show@' "$work/activated.out" || fail "kas lookup through the activated kasd: $(cat "$work/activated.out")"
grep -q 'running in-process' "$work/activated.out" && fail "kas did not use the activated kasd: $(cat "$work/activated.out")"
"$kas" daemon status --socket "$activated" | grep -q "^kasd pid $activate_pid," ||
  fail "the activated socket is not served by kasd as started by systemd-socket-activate (pid $activate_pid)"
"$kas" daemon stop --socket "$activated" > /dev/null
wait "$activate_pid" || fail "the activated kasd exited with $? (log: $(cat "$work/activated.log"))"

step "man -l"
for page in kas kasd; do
  text=$(MANWIDTH=100 man --warnings -l "$root/usr/share/man/man1/$page.1.gz" 2> "$work/man-$page.err")
  [ ! -s "$work/man-$page.err" ] || fail "man -l $page.1.gz: $(cat "$work/man-$page.err")"
  grep -q "^NAME" <<<"$text" || fail "man -l $page.1.gz renders no NAME section"
done
MANWIDTH=100 man -l "$root/usr/share/man/man1/kas.1.gz" | grep -q 'kas lookup name_show' ||
  fail "kas.1 lacks the lookup examples"
MANWIDTH=100 man -l "$root/usr/share/man/man1/kasd.1.gz" | grep -q -- '--idle-timeout' ||
  fail "kasd.1 lacks kasd's options"

step "the installed kbuild/apply"
KAS_APPLY=$root/usr/share/kasd/kbuild/apply "$repo/tests/kbuild/apply-test.sh"

step "the installed kas and kbuild/ on out-of-tree modules: 6.12's headers, a prepared 7.3 tree (together)"
# (6.1's runs in ctest, with the sanitized kas.) Each test uses a daemon of
# its own (KAS_SOCKET in its work directory).
kbuild=$root/usr/share/kasd/kbuild
(KAS_KBUILD=$kbuild "$repo/tests/oot/oot-module-test.sh" "$kas" 6.12.107+deb12-amd64 > "$work/oot-6.12.log" 2>&1) &
oot_612=$!
(KAS_KBUILD=$kbuild "$repo/tests/oot/oot-tree-test.sh" "$kas" \
   /var/cache/kasd-ci/linux-source-7.3/usr/src/linux-source-7.3.tar.xz 7.3.4+deb13-amd64 > "$work/oot-7.3.log" 2>&1) &
oot_73=$!
oot_failed=
wait "$oot_612" || oot_failed+=" 6.12"
wait "$oot_73" || oot_failed+=" 7.3"
for series in 6.12 7.3; do
  if [[ " $oot_failed " == *" $series "* ]]; then cat "$work/oot-$series.log" >&2; else grep '^ok: ' "$work/oot-$series.log"; fi
done
[ -z "$oot_failed" ] || fail "out-of-tree module test failed for$oot_failed (above)"

step "the installed bash completion"
"$repo/tests/completion/completion-test.sh" "$kas" "$root/usr/share/bash-completion/completions/kas"

step "the installed kas finds kas-fetch (debuginfod)"
"$repo/tests/debuginfod/debuginfod-test.sh" "$kas"

echo "PASS: $deb"
