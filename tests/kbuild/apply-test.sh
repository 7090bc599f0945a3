#!/usr/bin/env bash
# kbuild/apply on the files it patches, taken from Debian's linux-source
# tarballs, one per series: the series of the tree's version applies, a
# second run changes nothing, --enable needs a .config (in the tree, or in
# the --objtree/O= build directory), the shell script still parses, and the
# series stays small (about 60 added lines). Then refusals: a changed file
# (naming the patch) and a version without a series (naming the supported
# ones and the nearest). The booted-kernel check is tests/e2e/.
#
# usage: apply-test.sh [TARBALL...]   (linux-source-X.Y.tar.xz: checks series X.Y)
#   KAS_APPLY: the apply script to check (default: this tree's kbuild/apply;
#   the package test gives the installed one), with its series beside it
#   default: every series of kbuild/patches, each on its Debian tarball:
#   /usr/src/linux-source-X.Y.tar.xz (installed by .ci/setup --tests), else
#   unpacked by .ci/setup --tests from a newer suite into
#   /var/cache/kasd-ci/linux-source-X.Y/usr/src/linux-source-X.Y.tar.xz
#   KAS_APPLY_CACHE: where the files taken from the tarballs are kept
#   (default /var/cache/kasd-ci/apply-files; see extract_cached)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
apply=${KAS_APPLY:-$here/../../kbuild/apply}
patches=$(dirname "$apply")/patches
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ $# -gt 0 ]; then
  tarballs=("$@")
else
  tarballs=()
  for series in $(cd "$patches" && ls -d [0-9]*.[0-9]* | sort -V); do
    t=/usr/src/linux-source-$series.tar.xz
    [ -f "$t" ] || t=/var/cache/kasd-ci/linux-source-$series/usr/src/linux-source-$series.tar.xz
    [ -f "$t" ] || fail "no linux-source-$series.tar.xz for series $series (run .ci/setup --tests)"
    tarballs+=("$t")
  done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# extract_cached TARBALL SERIES DEST FILE...: the files into DEST (under the
# tarball's one top directory). Decompressing the tarball is most of this
# test's time, and the package check runs it a second time: the files are
# kept in KAS_APPLY_CACHE (default /var/cache/kasd-ci/apply-files, where
# .ci/setup --tests puts the kernels; skipped when not writable), under a
# key of the tarball's name, size and time and the file list, and copied
# from there.
cache_root=${KAS_APPLY_CACHE:-/var/cache/kasd-ci/apply-files}
extract_cached() {
  local tarball=$1 series=$2 dest=$3
  shift 3
  # One top directory (linux-source-X.Y/); '*' does not cross '/' here.
  local key cached tmp
  key=$({ stat -c '%n %s %Y' "$tarball"; printf '%s\n' "$@"; } | sha256sum | cut -c1-16)
  cached=$cache_root/$series-$key
  if [ ! -d "$cached" ] && mkdir -p "$cache_root" 2> /dev/null && [ -w "$cache_root" ]; then
    tmp=$(mktemp -d "$cache_root/.extract.XXXXXX")
    tar -xJf "$tarball" -C "$tmp" --wildcards --no-wildcards-match-slash "${@/#/*/}" ||
      { rm -rf "$tmp"; fail "$tarball: cannot extract $*"; }
    # Another run may have finished first: then its copy is kept.
    mv -T "$tmp" "$cached" 2> /dev/null || rm -rf "$tmp"
  fi
  if [ -d "$cached" ]; then
    cp -r "$cached/." "$dest/"
  else
    tar -xJf "$tarball" -C "$dest" --wildcards --no-wildcards-match-slash "${@/#/*/}" ||
      fail "$tarball: cannot extract $*"
  fi
}

# check_series TARBALL: every check on the series of the tarball's version.
check_series() {
  local tarball=$1 series=${1##*/linux-source-}
  series=${series%.tar.xz}
  [ -f "$tarball" ] || fail "$tarball missing (apt-get install linux-source-$series; .ci/setup --tests does)"
  local dir=$patches/$series
  [ -d "$dir" ] || fail "$tarball: no series kbuild/patches/$series"
  local w=$work/$series
  mkdir -p "$w/x"
  # The files the series touches, and no more: extracting is most of the time.
  local files npatches nfiles
  mapfile -t files < <(sed -n 's|^+++ b/||p' "$dir"/*.patch | sort -u)
  npatches=$(ls "$dir"/*.patch | wc -l)
  nfiles=${#files[@]}
  extract_cached "$tarball" "$series" "$w/x" "${files[@]}"
  local tree
  tree=$(dirname "$(dirname "$(ls "$w"/x/*/scripts/link-vmlinux.sh)")")
  cp -r "$tree" "$w/pristine"

  "$apply" "$tree" > "$w/first.log" || { cat "$w/first.log"; fail "$series: first apply failed"; }
  grep -qx "  Linux $series: kbuild/patches/$series" "$w/first.log" ||
    { cat "$w/first.log"; fail "$series: series not chosen by version"; }
  grep -c ': applied$' "$w/first.log" | grep -qx "$npatches" ||
    { cat "$w/first.log"; fail "$series: expected $npatches patches applied"; }
  cp -r "$tree" "$w/once"
  "$apply" "$tree" > "$w/second.log" || { cat "$w/second.log"; fail "$series: second apply failed"; }
  grep -c ': already applied$' "$w/second.log" | grep -qx "$npatches" ||
    { cat "$w/second.log"; fail "$series: second run not idempotent"; }
  diff -r "$w/once" "$tree" > /dev/null || fail "$series: second run changed the tree"

  bash -n "$tree/scripts/link-vmlinux.sh" || fail "$series: link-vmlinux.sh no longer parses"
  grep -Eq '^[[:space:]]*kas_alias .*\.syms\.kas' "$tree/scripts/link-vmlinux.sh" ||
    fail "$series: link-vmlinux.sh: no kas step"
  grep -q '^config KALLSYMS_ALIAS_SRCLINE$' "$tree/init/Kconfig" || fail "$series: Kconfig: no option"

  local added changed
  added=$(diff -r -u "$w/pristine" "$tree" | grep -c '^+[^+]' || true)
  changed=$(diff -r -q "$w/pristine" "$tree" | wc -l || true)
  [ "$changed" -eq "$nfiles" ] || fail "$series: the series changes $changed files, expected $nfiles"
  [ "$added" -le 60 ] || fail "$series: the series adds $added lines (at most about 60)"

  if "$apply" "$tree" --enable > "$w/enable.log" 2>&1; then fail "$series: --enable without .config succeeded"; fi
  grep -q 'no .config.*--objtree' "$w/enable.log" || { cat "$w/enable.log"; fail "$series: --enable: unclear error"; }
  # O= builds: the .config looked for is the build directory's, in both spellings.
  mkdir "$w/obj"
  for o in "--objtree $w/obj" "O=$w/obj"; do
    # shellcheck disable=SC2086
    if "$apply" "$tree" $o --enable > "$w/enable.log" 2>&1; then fail "$series: --enable without $w/obj/.config succeeded"; fi
    grep -q "$w/obj/.config: no .config" "$w/enable.log" || { cat "$w/enable.log"; fail "$series: $o --enable: unclear error"; }
  done
  if "$apply" "$tree" --objtree "$w/none" --enable > "$w/enable.log" 2>&1; then fail "$series: --objtree of no directory accepted"; fi
  grep -q "$w/none: no such directory" "$w/enable.log" || { cat "$w/enable.log"; fail "$series: --objtree: unclear error"; }

  # A changed file: refused, naming the patch.
  cp -r "$w/pristine" "$w/changed"
  printf 'something else\n' > "$w/changed/scripts/Makefile.modfinal"
  if "$apply" "$w/changed" > "$w/changed.log" 2>&1; then fail "$series: applied to a changed tree"; fi
  grep -q 'modfinal.*does not apply' "$w/changed.log" || { cat "$w/changed.log"; fail "$series: unclear refusal"; }

  echo "ok: $series: $npatches patches, $nfiles files, $added added lines, idempotent"
  last_pristine=$w/pristine
}

# VERSION:NEAREST for the refusal checks, given the series in kbuild/patches.
NEAREST_CASES=()
for c in 7.4:7.3 6.6:6.1 6.7:6.12 5.15:6.1; do
  [ ! -d "$patches/${c#*:}" ] || [ -d "$patches/${c%:*}" ] || NEAREST_CASES+=("$c")
done
last_pristine=
for t in "${tarballs[@]}"; do check_series "$t"; done

# A version without a series: refused before any patch, naming the
# supported ones and the nearest (7.4 -> 7.3, 6.6 -> 6.1, 6.7 -> 6.12).
supported=$(cd "$patches" && ls -d [0-9]*.[0-9]* | sort -V | paste -sd, - | sed 's/,/, /g')
refused() {  # refused VERSION NEAREST
  local other=$work/other-$1
  cp -r "$last_pristine" "$other"
  sed -i "s/^VERSION = .*/VERSION = ${1%.*}/; s/^PATCHLEVEL = .*/PATCHLEVEL = ${1#*.}/" "$other/Makefile"
  if "$apply" "$other" > "$work/other.log" 2>&1; then fail "applied to Linux $1"; fi
  grep -qF "is Linux $1; supported: $supported (nearest supported: $2;" "$work/other.log" ||
    { cat "$work/other.log"; fail "unclear refusal of $1 (want nearest $2)"; }
  diff -r -x Makefile "$last_pristine" "$other" > /dev/null || fail "refused tree was changed"
  echo "ok: Linux $1 refused, nearest supported $2"
}
for case in "${NEAREST_CASES[@]}"; do refused ${case/:/ }; done
