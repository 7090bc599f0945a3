#!/usr/bin/env bash
# The generated man pages: kas.1 documents every command of kas's table (its
# own --help, examples included) and the global options, and renders without
# roff warnings; kasd.1 exists.
# usage: man-test.sh MANDIR KAS
set -euo pipefail
dir=$1
kas=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -s "$dir/kas.1" ] || fail "no $dir/kas.1"
[ -s "$dir/kasd.1" ] || fail "no $dir/kasd.1"
commands=$("$kas" --completion-table | awk '$1 == "command" { print $2 }')
[ -n "$commands" ] || fail "kas --completion-table lists no command"
for command in $commands; do
  grep -q "^\.SS \"kas $command\"" "$dir/kas.1" || fail "kas.1 lacks kas $command"
done
grep -q "kas lookup name_show" "$dir/kas.1" || fail "kas.1 lacks the lookup examples"
grep -q "DEBUGINFOD_URLS" "$dir/kas.1" || fail "kas.1 lacks ENVIRONMENT"
for option in $("$kas" --completion-table | awk '$1 == "option" && $2 ~ /^--/ && $2 != "--version" { print $2 }'); do
  grep -q -- "$(sed 's/-/\\\\-/g' <<<"$option")" "$dir/kas.1" || fail "kas.1 lacks the global option $option"
done
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$dir/kas.1" 2>&1 || true)
  [ -z "$warnings" ] || fail "roff warnings: $warnings"
fi
echo "PASS: man pages"
