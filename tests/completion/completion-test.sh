#!/usr/bin/env bash
# The bash completion, run in a real bash with the real kas: commands,
# global options before the command, option values; and, for every command
# of kas's table (kas --completion-table), exactly the options the table and
# the command's --help list, each value completed as the table says.
# usage: completion-test.sh KAS [SCRIPT]   (SCRIPT: default completion/kas.bash)
set -euo pipefail
kas=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
script=${2:-$(cd "$(dirname "$0")/../../completion" && pwd)/kas.bash}
work=$(mktemp -d /tmp/kas-completion-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Values of kind file and dir are completed from here.
mkdir "$work/somedir"
touch "$work/somefile"
cd "$work"

complete_words() {  # WORDS... -> completions of the last word, one a line
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _kas
    [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' _ "$script" "$@"
}
fail() { echo "FAIL: $*" >&2; exit 1; }
sorted() { sort -u | tr '\n' ' '; }

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
got=$(complete_words "$kas" module "" | sorted)
[ "$got" = "somedir somefile " ] || fail "kas module '' -> '$got'"

# Global options, and the command after them.
got=$(complete_words "$kas" --no | tr '\n' ' ')
[ "$got" = "--no-daemon " ] || fail "kas --no -> '$got'"
got=$(complete_words "$kas" --no-daemon -j 4 --socket sock mo)
[ "$got" = module ] || fail "kas --no-daemon -j 4 --socket sock mo -> '$got'"
got=$(complete_words "$kas" --no-daemon lookup --js)
[ "$got" = --json ] || fail "kas --no-daemon lookup --js -> '$got'"
got=$(complete_words "$kas" -j 2 resolve --color n)
[ "$got" = never ] || fail "kas -j 2 resolve --color n -> '$got'"
got=$(complete_words "$kas" --socket "" | sorted)
[ "$got" = "somedir somefile " ] || fail "kas --socket '' -> '$got'"

# Every command of the table: the options offered are the table's long ones,
# which are the ones its --help lists; each value completes as its kind says.
commands=$("$kas" --completion-table | awk '$1 == "command" { print $2 }')
[ -n "$commands" ] || fail "kas --completion-table lists no command"
for c in $commands; do
  table=$("$kas" --completion-table "$c")
  want=$(awk '$1 == "option" && $2 ~ /^--/ { print $2 }' <<<"$table" | sorted)
  got=$(complete_words "$kas" "$c" -- | sorted)
  [ "$got" = "$want" ] || fail "kas $c --: '$got' vs the table's '$want'"
  in_help=$("$kas" "$c" --help | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+' | sorted)
  [ "$in_help" = "$want" ] || fail "kas $c --help lists '$in_help', the table '$want'"
  while read -r _ option kind words; do
    [ -n "$kind" ] || continue
    got=$(complete_words "$kas" "$c" "$option" "" | sorted)
    case $kind in
      file) want="somedir somefile " ;;
      dir) want="somedir " ;;
      none) want="" ;;
      words) want=$(tr ' ' '\n' <<<"$words" | sorted) ;;
      release) continue ;;  # whatever this machine has installed
      *) fail "kas $c $option: kind '$kind' unknown to the test" ;;
    esac
    [ "$got" = "$want" ] || fail "kas $c $option '': '$got', want '$want' ($kind)"
  done < <(grep '^option ' <<<"$table")
done
echo "PASS: bash completion"
