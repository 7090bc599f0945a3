#!/usr/bin/env bash
# The bash completion: commands, options taken from each command's --help,
# and option values; run in a real bash with the real kas.
# usage: completion-test.sh KAS
set -euo pipefail
kas=$1
script=$(cd "$(dirname "$0")/../../completion" && pwd)/kas.bash
complete_words() {  # WORDS... -> completions of the last word
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _kas
    printf "%s\n" "${COMPREPLY[@]}"' _ "$script" "$@"
}
fail() { echo "FAIL: $*" >&2; exit 1; }

got=$(complete_words "$kas" lo)
[ "$got" = lookup ] || fail "kas lo -> '$got'"
got=$(complete_words "$kas" "" | tr '\n' ' ')
for c in lookup resolve decode vmlinux module census daemon; do
  [[ " $got " == *" $c "* ]] || fail "command $c missing from '$got'"
done
got=$(complete_words "$kas" lookup --j | tr '\n' ' ')
[[ " $got " == *" --json "* && " $got " == *" --jobs "* ]] || fail "kas lookup --j -> '$got'"
got=$(complete_words "$kas" decode --li)
[ "$got" = --live ] || fail "kas decode --li -> '$got'"
got=$(complete_words "$kas" resolve --color a | tr '\n' ' ')
[ "$got" = "auto always " ] || fail "kas resolve --color a -> '$got'"
got=$(complete_words "$kas" daemon st | tr '\n' ' ')
[ "$got" = "start stop status " ] || fail "kas daemon st -> '$got'"
# Every option a command's --help lists is offered.
for c in lookup resolve decode vmlinux module census; do
  want=$("$kas" "$c" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
  got=$(complete_words "$kas" "$c" -- | sort -u | tr '\n' ' ')
  [ "$got" = "$want" ] || fail "kas $c --: '$got' vs '$want'"
done
echo "PASS: bash completion"
