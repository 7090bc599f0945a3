#!/usr/bin/env bash
# Out-of-tree module against a kernel tree with the kbuild series, for a
# series whose distribution headers cannot build here (Debian 13's 7.3
# headers want gcc-14, pahole 1.30 and glibc 2.38; Debian 12 has gcc-12):
# the tree is Debian's linux-source-X.Y, the series applied by kbuild/apply,
# configured in an O= build directory (tinyconfig + modules + DWARF, and
# kbuild/apply --objtree O --enable) and prepared with `make modules_prepare`
# by the host's gcc. The tree's exported census, O/modules.symbfreq, is the
# one Debian's own X.Y kernel would export (kas census --units over its
# System.map and modules, unpacked by .ci/setup). Then tests/oot/hello is
# built with `make -C TREE O=O M=DIR modules`: the series' Makefile.modfinal
# (run in the M= directory) must link hello.ko from hello.o.kas with exactly
# the alias name_show@hello_hello_c_LINE; `make M=DIR clean` must remove
# hello.o.kas.
#
# usage: oot-tree-test.sh KAS TARBALL RELEASE CACHE
#   TARBALL  linux-source-X.Y.tar.xz (series X.Y of kbuild/patches)
#   RELEASE  Debian's kernel of that series whose census the tree exports
#            (its System.map and modules under
#            /var/cache/kasd-ci/linux-image-RELEASE, or $KAS_KERNEL_IMAGE_DIR)
#   CACHE    where the prepared tree is kept between runs (default
#            /var/cache/kasd-ci/prepared-tree-X.Y, beside what .ci/setup
#            unpacks, so that CI's fresh clones reuse it; where that is not
#            writable, ~/.cache/kasd/prepared-tree-X.Y); prepared again when
#            the tarball, the series, kbuild/apply, gcc or this script change
#   KAS_KBUILD: the kbuild/ directory to use (apply and patches/; default this
#            tree's; the package check gives the installed /usr/share/kasd/kbuild)
set -euo pipefail
kas=$1 tarball=$2 release=$3 cache=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kbuild=${KAS_KBUILD:-$repo/kbuild}
image=${KAS_KERNEL_IMAGE_DIR:-/var/cache/kasd-ci/linux-image-$release}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$tarball" ] || fail "$tarball missing (run .ci/setup)"
sysmap=$image/usr/lib/debug/boot/System.map-$release
moddir=$image/usr/lib/modules/$release
[ -d "$moddir" ] || moddir=$image/lib/modules/$release
[ -f "$sysmap" ] && [ -d "$moddir" ] || fail "$image: no System.map-$release or modules (run .ci/setup)"
series=${tarball##*/linux-source-}
series=${series%.tar.xz}
[ -d "$kbuild/patches/$series" ] || fail "no series kbuild/patches/$series"
arch=$(uname -m)
[ "$arch" = x86_64 ] || fail "the prepared tree is configured for x86_64 (this is $arch)"
if [ -z "$cache" ]; then
  cache=/var/cache/kasd-ci/prepared-tree-$series
  [ -w "$(dirname "$cache")" ] || cache=${XDG_CACHE_HOME:-$HOME/.cache}/kasd/prepared-tree-$series
fi
mkdir -p "$(dirname "$cache")"
exec 9> "$cache.lock"
flock 9   # one run prepares or uses the tree at a time

# The prepared tree, reused while its inputs are the same.
stamp=$( { stat -c '%n %s %Y' "$tarball"; cat "$kbuild/patches/$series"/*.patch "$kbuild/apply" "$0"; gcc --version | head -1; } |
         sha256sum | cut -c1-16)
tree=$cache/src obj=$cache/obj
if [ "$(cat "$cache/stamp" 2>/dev/null)" != "$stamp" ]; then
  start=$(date +%s)
  rm -rf "$cache"
  mkdir -p "$cache/x" "$obj"
  tar -xJf "$tarball" -C "$cache/x" --exclude='*/tools/testing/*' --exclude='*/Documentation/*.rst' ||
    fail "cannot unpack $tarball"
  mv "$cache"/x/* "$tree"
  rmdir "$cache/x"
  "$kbuild/apply" "$tree" > "$cache/apply.log" || { cat "$cache/apply.log"; fail "kbuild/apply failed"; }
  cat > "$cache/oot.config" <<'CFG'
CONFIG_64BIT=y
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_SYSFS=y
CONFIG_KALLSYMS=y
CONFIG_DEBUG_KERNEL=y
CONFIG_DEBUG_INFO_DWARF5=y
CFG
  {
    make -s -C "$tree" O="$obj" tinyconfig &&
    (cd "$obj" && "$tree/scripts/kconfig/merge_config.sh" -m .config "$cache/oot.config") &&
    make -s -C "$tree" O="$obj" olddefconfig &&
    "$kbuild/apply" "$tree" --objtree "$obj" --enable &&
    nice -n 10 make -s -C "$tree" O="$obj" -j"$(nproc)" modules_prepare
  } > "$cache/prepare.log" 2>&1 || { tail -40 "$cache/prepare.log"; fail "preparing the $series tree failed"; }
  grep -qx 'CONFIG_KALLSYMS_ALIAS_SRCLINE=y' "$obj/.config" || fail "the option is not on in $obj/.config"
  [ ! -f "$tree/.config" ] || fail "kbuild/apply --objtree wrote $tree/.config"
  echo "$stamp" > "$cache/stamp"
  echo "prepared $series in $cache: $(( $(date +%s) - start )) s"
fi

work=$(mktemp -d)
export KAS_SOCKET=$work/kasd.sock   # our own daemon, stopped at exit
trap '"$kas" daemon stop >/dev/null 2>&1; rm -rf "$work"' EXIT

# The census this tree exports when built; here Debian's X.Y kernel's.
start=$(date +%s)
"$kas" census --nm "$sysmap" --modules "$moddir" --units -o "$obj/modules.symbfreq" ||
  fail "kas census of $release failed"
grep -q '^name_show:' "$obj/modules.symbfreq" || fail "no name_show in $release's census"
echo "census of $release: $(wc -l < "$obj/modules.symbfreq") lines, $(( $(date +%s) - start )) s"

cp -r "$here/hello" "$work/hello"
# No Module.symvers without a kernel build: modpost warns instead of failing.
make -C "$tree" O="$obj" M="$work/hello" KAS="$kas" KBUILD_MODPOST_WARN=1 modules > "$work/build.log" 2>&1 ||
  { cat "$work/build.log"; fail "M= build against the $series tree failed"; }
grep -q 'LD \[M\] *hello.ko' "$work/build.log" || { cat "$work/build.log"; fail "no LD [M] hello.ko"; }
ko=$work/hello/hello.ko
[ -f "$work/hello/hello.o.kas" ] || fail "no hello.o.kas: the series' modfinal did not run kas"
grep -q 'hello.o.kas' "$work/hello/.hello.ko.cmd" || fail "hello.ko not linked from hello.o.kas"

# The alias kbuild's link carries is the one kas module gives the same
# object with the same census, and it names hello.c's definition line. (How
# the module's path is spelled is the engine's rule, not the series': 7.x
# compiles M= modules in their own directory, DW_AT_name hello.c, and kas
# of issue 26's time names it hello_c where 6.x's absolute paths gave
# hello_hello_c.)
line=$(grep -n 'LOC name_show' "$here/hello/hello.c" | cut -d: -f1)
"$kas" module "$work/hello/hello.o" --census "$obj/modules.symbfreq" -o "$work/direct.o" ||
  fail "kas module on hello.o failed"
alias=$(readelf -sW "$work/direct.o" | awk '$8 ~ /^name_show@/ { print $8 }')
# The same alias as the distribution-kbuild test on 6.x (oot-module-test.sh):
# 7.x compiles the module in its own directory, which still names it.
[ "$alias" = "name_show@hello_hello_c_$line" ] || fail "kas module: alias '$alias', want name_show@hello_hello_c_$line"
readelf -sW "$ko" > "$work/syms"
orig=$(awk '$8 == "name_show" {print $2, $3, $4, $5, $7}' "$work/syms")
got=$(awk -v a="$alias" '$8 == a {print $2, $3, $4, $5, $7}' "$work/syms")
[ -n "$orig" ] || fail "name_show not in hello.ko"
[ "$got" = "$orig" ] || { grep '@' "$work/syms" >&2 || true; fail "alias $alias: got '$got', want '$orig' (value size type bind ndx)"; }
[ "$(grep -c '@' "$work/syms")" = 1 ] || { grep '@' "$work/syms" >&2; fail "expected exactly one alias"; }
# hello.o itself is untouched: no alias in it
if readelf -sW "$work/hello/hello.o" | grep -q '@'; then fail "hello.o was modified"; fi

make -s -C "$tree" O="$obj" M="$work/hello" clean > /dev/null 2>&1 || fail "make M= clean failed"
[ ! -e "$work/hello/hello.o.kas" ] || fail "make M= clean left hello.o.kas"
echo "ok: $series tree (O=), M= build: $alias $got"
