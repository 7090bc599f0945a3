#!/bin/sh
# usage: check-layering.sh STAMP LAYER ALLOWED... -- SOURCES...
# Fails (naming file, line and include) when a source of core/LAYER
# includes a core header from a layer LAYER does not depend on: the data
# flow (files -> index -> policy -> protocol -> client) is enforced by the
# build, not by review. Writes STAMP on success.
set -eu
stamp=$1; layer=$2; shift 2
allowed="$layer"
while [ "$1" != "--" ]; do allowed="$allowed $1"; shift; done
shift
status=0
for src in "$@"; do
  grep -n '^#include "core/' "$src" | while IFS= read -r hit; do
    line=${hit%%:*}
    inc=${hit#*\"core/}; inc=${inc%%\"*}
    dep=${inc%%/*}
    ok=no
    for a in $allowed; do [ "$a" = "$dep" ] && ok=yes; done
    if [ $ok = no ]; then
      echo "$src:$line: core/$layer may not include core/$inc (core/$layer depends on: $allowed)" >&2
      exit 1
    fi
  done || status=1
done
[ $status = 0 ] || exit 1
: > "$stamp"
