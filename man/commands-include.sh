#!/usr/bin/env bash
# Writes a help2man include file with a COMMANDS section holding the --help
# of every command of kas's table (in the order of kas --help), so the man
# page says exactly what the program says.
# usage: commands-include.sh KAS OUT
set -euo pipefail
kas=$1
out=$2
commands=$("$kas" --completion-table | awk '$1 == "command" { print $2 }')
[ -n "$commands" ] || { echo "commands-include.sh: $kas lists no command" >&2; exit 1; }
{
  echo "[COMMANDS]"
  for command in $commands; do
    echo ".SS \"kas $command\""
    echo ".nf"
    # roff: backslashes as \e, a leading dot or quote escaped.
    "$kas" "$command" --help | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
    echo ".fi"
  done
} >"$out.tmp"
mv "$out.tmp" "$out"
