#!/usr/bin/env bash
# kbuild/apply on the files it patches, taken from Debian's linux-source
# tarballs, one per series: the series of the tree's version applies, a
# second run changes nothing, --enable needs a .config, the shell script
# still parses, and the series stays small (about 60 added lines). Then
# refusals: a changed file (naming the patch) and a version without a series
# (naming the supported ones). The booted-kernel check is tests/e2e/.
#
# usage: apply-test.sh [TARBALL...]   (linux-source-X.Y.tar.xz: checks series X.Y)
#   KAS_APPLY: the apply script to check (default: this tree's kbuild/apply;
#   the package test gives the installed one), with its series beside it
#   default: linux-source-6.1 (required: .ci/setup installs it) and
#   linux-source-6.12 (checked when installed; .ci/setup installs it too)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
apply=${KAS_APPLY:-$here/../../kbuild/apply}
patches=$(dirname "$apply")/patches
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ $# -gt 0 ]; then
  tarballs=("$@")
else
  tarballs=(/usr/src/linux-source-6.1.tar.xz)
  if [ -f /usr/src/linux-source-6.12.tar.xz ]; then
    tarballs+=(/usr/src/linux-source-6.12.tar.xz)
  else
    echo "skip: 6.12 series (apt-get install linux-source-6.12; .ci/setup does)"
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check_series TARBALL: every check on the series of the tarball's version.
check_series() {
  local tarball=$1 series=${1##*/linux-source-}
  series=${series%.tar.xz}
  [ -f "$tarball" ] || fail "$tarball missing (apt-get install linux-source-$series; .ci/setup does)"
  local dir=$patches/$series
  [ -d "$dir" ] || fail "$tarball: no series kbuild/patches/$series"
  local w=$work/$series
  mkdir -p "$w/x"
  # The files the series touches, and no more: extracting is most of the time.
  local files npatches nfiles
  mapfile -t files < <(sed -n 's|^+++ b/||p' "$dir"/*.patch | sort -u)
  npatches=$(ls "$dir"/*.patch | wc -l)
  nfiles=${#files[@]}
  # One top directory (linux-source-X.Y/); '*' does not cross '/' here.
  tar -xJf "$tarball" -C "$w/x" --wildcards --no-wildcards-match-slash "${files[@]/#/*/}" ||
    fail "$tarball: cannot extract ${files[*]}"
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
  grep -q 'no .config' "$w/enable.log" || { cat "$w/enable.log"; fail "$series: --enable: unclear error"; }

  # A changed file: refused, naming the patch.
  cp -r "$w/pristine" "$w/changed"
  printf 'something else\n' > "$w/changed/scripts/Makefile.modfinal"
  if "$apply" "$w/changed" > "$w/changed.log" 2>&1; then fail "$series: applied to a changed tree"; fi
  grep -q 'modfinal.*does not apply' "$w/changed.log" || { cat "$w/changed.log"; fail "$series: unclear refusal"; }

  echo "ok: $series: $npatches patches, $nfiles files, $added added lines, idempotent"
  last_pristine=$w/pristine
}

last_pristine=
for t in "${tarballs[@]}"; do check_series "$t"; done

# A version without a series: refused before any patch, naming the supported ones.
other=$work/other
cp -r "$last_pristine" "$other"
sed -i 's/^PATCHLEVEL = .*/PATCHLEVEL = 7/' "$other/Makefile"
if "$apply" "$other" > "$work/other.log" 2>&1; then fail "applied to Linux 6.7"; fi
grep -q 'is Linux 6\.7; supported: 6\.1, 6\.12$' "$work/other.log" || { cat "$work/other.log"; fail "unclear refusal of 6.7"; }
diff -r -x Makefile "$last_pristine" "$other" > /dev/null || fail "refused tree was changed"
echo "ok: Linux 6.7 refused"
