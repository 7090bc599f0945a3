#!/usr/bin/env bash
# Out-of-tree module against a distribution's kbuild (Debian 12's
# linux-headers-6.1.0-56-amd64, or linux-headers-6.12.107+deb12-amd64,
# whose kbuild also makes the module's BTF): build tests/oot/hello with
# `make -C .../linux-headers-RELEASE M=...`, add its aliases with
# `kas module --kernel` using the installed kernel's census (the
# linux-image package unpacked by .ci/setup), and check them with readelf.
#
# usage: oot-module-test.sh KAS [RELEASE]   (default 6.1.0-56-amd64)
#   KAS_KBUILD: the kbuild/ directory whose kas-module.mk is used (default this
#   tree's; the package check gives the installed /usr/share/kasd/kbuild)
set -euo pipefail
kas=$1
release=${2:-6.1.0-56-amd64}
# installed (6.1), or unpacked by .ci/setup (6.12's depends on its kernel image)
headers=/usr/src/linux-headers-$release
[ -d "$headers" ] || headers=/var/cache/kasd-ci/linux-headers-$release/usr/src/linux-headers-$release
image=${KAS_KERNEL_IMAGE_DIR:-/var/cache/kasd-ci/linux-image-$release}
here=$(cd "$(dirname "$0")" && pwd)
kbuild=${KAS_KBUILD:-$here/../../kbuild}

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$headers" ] || fail "$headers missing (run .ci/setup)"
[ -f "$image/usr/lib/debug/boot/System.map-$release" ] || fail "$image: no System.map (run .ci/setup)"

work=$(mktemp -d)
export KAS_SOCKET=$work/kasd.sock   # our own daemon, stopped at exit
trap '"$kas" daemon stop >/dev/null 2>&1; rm -rf "$work"' EXIT
cp -r "$here/hello" "$work/hello"
# The distribution's kbuild is not under test: a failure of it (seen once in
# CI: its compiler probe `cc-option -mfentry` came out false, so hello.o
# called mcount) is shown with what may explain it, then retried once.
build_module() { make -s -C "$headers" M="$work/hello" modules > "$work/build.log" 2>&1; }
if ! build_module; then
  cat "$work/build.log"
  echo "kbuild failed; disk: $(df -h "$work" | tail -1)" >&2
  gcc -Werror -mfentry -c -x c /dev/null -o "$work/probe.o" && echo "gcc -mfentry works" >&2
  make -s -C "$headers" M="$work/hello" clean > /dev/null 2>&1 || true
  build_module || { cat "$work/build.log"; fail "kbuild failed twice"; }
  echo "kbuild worked when retried" >&2
fi
ko=$work/hello/hello.ko
[ -f "$ko" ] || fail "no hello.ko"
cp "$ko" "$work/hello.ko.orig"
# In-process and through the daemon: the same bytes.
"$kas" module "$ko" --kernel "$image/lib/modules/$release" -o "$work/inprocess.ko" --no-daemon 2> /dev/null

"$kas" module "$ko" --kernel "$image/lib/modules/$release" --in-place -v 2> "$work/kas.log" || {
  cat "$work/kas.log"; fail "kas module failed"; }
cat "$work/kas.log"
cmp "$ko" "$work/inprocess.ko" || fail "daemon and in-process outputs differ"

line=$(grep -n 'LOC name_show' "$here/hello/hello.c" | cut -d: -f1)
alias="name_show@hello_hello_c_$line"
readelf -sW "$ko" > "$work/syms"
orig=$(awk '$8 == "name_show" {print $2, $3, $4, $5, $7}' "$work/syms")
got=$(awk -v a="$alias" '$8 == a {print $2, $3, $4, $5, $7}' "$work/syms")
[ -n "$orig" ] || fail "name_show not in hello.ko"
[ "$got" = "$orig" ] || { grep '@' "$work/syms" >&2 || true; fail "alias $alias: got '$got', want '$orig' (value size type bind ndx)"; }
if grep -q 'kas_oot_unique@' "$work/syms"; then fail "unique kas_oot_unique got an alias"; fi
[ "$(grep -c '@' "$work/syms")" = 1 ] || { grep '@' "$work/syms" >&2; fail "expected exactly one alias"; }
cmp -s <(readelf -rW "$work/hello.ko.orig" | awk '{$2=""; print}') <(readelf -rW "$ko" | awk '{$2=""; print}') ||
  fail "relocations changed"
ld -r -o "$work/relinked.o" "$ko" || fail "ld -r of the output failed"
# 6.12's kbuild made the module's BTF (pahole, from DWARF) before kas ran:
# kas keeps it byte for byte, and BTF names functions, never aliases.
if readelf -SW "$work/hello.ko.orig" | grep -q ' \.BTF '; then
  for f in hello.ko.orig hello/hello.ko; do
    objcopy --dump-section .BTF="$work/${f//\//_}.btf" "$work/$f" "$work/dump.o"
  done
  [ -s "$work/hello.ko.orig.btf" ] || fail "empty .BTF in hello.ko"
  cmp -s "$work/hello.ko.orig.btf" "$work/hello_hello.ko.btf" || fail ".BTF changed by kas module"
  if grep -aq '@hello_hello_c' "$work/hello_hello.ko.btf"; then fail "an alias name in .BTF"; fi
  # (dwarves 1.24's pahole encodes hello_init and hello_exit, not name_show)
  grep -aq 'hello_init' "$work/hello_hello.ko.btf" || fail "hello_init not in hello.ko's BTF"
  echo "ok: .BTF ($(stat -c %s "$work/hello_hello.ko.btf") bytes) unchanged"
fi

# The same through kbuild/kas-module.mk, the recipe for module makefiles.
mkdir "$work/frag"
cp -r "$here/hello" "$work/frag/hello"   # same directory name: same alias
cat > "$work/frag/hello/Makefile" <<MK
obj-m += hello.o
modules:
	\$(MAKE) -C $headers M=\$(CURDIR) modules
include $kbuild/kas-module.mk
MK
make -s -C "$work/frag/hello" modules kas-aliases KAS="$kas" KAS_KERNEL="$image/lib/modules/$release" \
  > "$work/frag.log" 2>&1 || { cat "$work/frag.log"; fail "make kas-aliases failed"; }
readelf -sW "$work/frag/hello/hello.ko" | grep -q " $alias\$" || { cat "$work/frag.log"; fail "kas-module.mk: no $alias"; }
echo "ok: $alias $got"
