#!/usr/bin/env bash
# The generated man pages: kas.1 documents every command (its own --help,
# examples included) and renders without roff warnings; kasd.1 exists.
# usage: man-test.sh MANDIR
set -euo pipefail
dir=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -s "$dir/kas.1" ] || fail "no $dir/kas.1"
[ -s "$dir/kasd.1" ] || fail "no $dir/kasd.1"
for command in lookup resolve decode vmlinux module census daemon; do
  grep -q "^\.SS \"kas $command\"" "$dir/kas.1" || fail "kas.1 lacks kas $command"
done
grep -q "kas lookup name_show" "$dir/kas.1" || fail "kas.1 lacks the lookup examples"
grep -q "DEBUGINFOD_URLS" "$dir/kas.1" || fail "kas.1 lacks ENVIRONMENT"
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$dir/kas.1" 2>&1 || true)
  [ -z "$warnings" ] || fail "roff warnings: $warnings"
fi
echo "PASS: man pages"
