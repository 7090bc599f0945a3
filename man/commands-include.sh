#!/usr/bin/env bash
# Writes a help2man include file with a COMMANDS section holding every kas
# command's own --help, so the man page says exactly what the program says.
# usage: commands-include.sh KAS OUT
set -euo pipefail
kas=$1
out=$2
{
  echo "[COMMANDS]"
  for command in lookup resolve decode vmlinux module census daemon; do
    echo ".SS \"kas $command\""
    echo ".nf"
    # roff: backslashes as \e, a leading dot or quote escaped.
    "$kas" "$command" --help | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
    echo ".fi"
  done
} >"$out.tmp"
mv "$out.tmp" "$out"
