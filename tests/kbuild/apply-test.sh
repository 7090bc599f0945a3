#!/usr/bin/env bash
# kbuild/apply on the files it patches, taken from Debian's linux-source-6.1
# tarball: the series applies, a second run changes nothing, --enable needs a
# .config, the shell script still parses, and the series stays small (about
# 60 added lines, four files). The booted-kernel check is tests/e2e/.
#
# usage: apply-test.sh [TARBALL]
set -euo pipefail
tarball=${1:-/usr/src/linux-source-6.1.tar.xz}
here=$(cd "$(dirname "$0")" && pwd)
apply=$here/../../kbuild/apply
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$tarball" ] || fail "$tarball missing (apt-get install linux-source-6.1; .ci/setup does)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=(init/Kconfig scripts/link-vmlinux.sh scripts/Makefile.modfinal Makefile)
# One top directory (linux-source-6.1/); '*' does not cross '/' here.
tar -xJf "$tarball" -C "$work" --wildcards --no-wildcards-match-slash "${files[@]/#/*/}" ||
  fail "$tarball: cannot extract ${files[*]}"
tree=$(dirname "$(dirname "$(ls "$work"/*/scripts/link-vmlinux.sh)")")
cp -r "$tree" "$work/pristine"

"$apply" "$tree" > "$work/first.log" || { cat "$work/first.log"; fail "first apply failed"; }
grep -c ': applied$' "$work/first.log" | grep -qx 4 || { cat "$work/first.log"; fail "expected 4 patches applied"; }
cp -r "$tree" "$work/once"
"$apply" "$tree" > "$work/second.log" || { cat "$work/second.log"; fail "second apply failed"; }
grep -c ': already applied$' "$work/second.log" | grep -qx 4 || { cat "$work/second.log"; fail "second run not idempotent"; }
diff -r "$work/once" "$tree" > /dev/null || fail "second run changed the tree"

bash -n "$tree/scripts/link-vmlinux.sh" || fail "link-vmlinux.sh no longer parses"
grep -q 'kas_alias ${kallsyms_vmlinux}.syms ${kallsyms_vmlinux}.syms.kas' "$tree/scripts/link-vmlinux.sh" ||
  fail "link-vmlinux.sh: no kas step"
grep -q '^config KALLSYMS_ALIAS_SRCLINE$' "$tree/init/Kconfig" || fail "Kconfig: no option"

added=$(diff -r -u "$work/pristine" "$tree" | grep -c '^+[^+]' || true)
changed=$(diff -r -q "$work/pristine" "$tree" | wc -l || true)
[ "$changed" -eq 4 ] || fail "the series changes $changed files, expected 4"
[ "$added" -le 60 ] || fail "the series adds $added lines (at most about 60)"

if "$apply" "$tree" --enable > "$work/enable.log" 2>&1; then fail "--enable without .config succeeded"; fi
grep -q 'no .config' "$work/enable.log" || { cat "$work/enable.log"; fail "--enable: unclear error"; }

# Another kernel's file: refused, naming the patch.
printf 'something else\n' > "$work/pristine/scripts/Makefile.modfinal"
if "$apply" "$work/pristine" > "$work/other.log" 2>&1; then fail "applied to a different tree"; fi
grep -q 'modfinal.*does not apply' "$work/other.log" || { cat "$work/other.log"; fail "unclear refusal"; }
echo "ok: 4 files, $added added lines, idempotent"
