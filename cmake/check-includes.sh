#!/bin/sh
# usage: check-includes.sh STAMP FOLDER ALLOWED... -- SOURCES...
# The layering above the core (service, proto, daemon, client), enforced by
# the build as check-layering.sh does inside it: every quoted include of a
# source in FOLDER must be FOLDER's own or start with one of the ALLOWED
# prefixes ("service/", "core/util/", "kas.pb.h"). Fails naming file, line,
# include and what FOLDER may use; writes STAMP on success.
set -eu
stamp=$1; folder=$2; shift 2
allowed="$folder/"
while [ "$1" != "--" ]; do allowed="$allowed $1"; shift; done
shift
status=0
for src in "$@"; do
  grep -n '^#include "' "$src" | while IFS= read -r hit; do
    line=${hit%%:*}
    inc=${hit#*\"}; inc=${inc%%\"*}
    ok=no
    for a in $allowed; do
      case $inc in "$a"*) ok=yes ;; esac
    done
    if [ $ok = no ]; then
      echo "$src:$line: $folder/ may not include $inc ($folder/ may use: $allowed)" >&2
      exit 1
    fi
  done || status=1
done
[ $status = 0 ] || exit 1
: > "$stamp"
