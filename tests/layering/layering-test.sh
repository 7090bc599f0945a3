#!/bin/sh
# cmake/check-layering.sh, which every core library's build runs: an include
# against the flow fails with file, line and what the layer may use; an
# include along it passes and writes the stamp the build waits for.
set -u
check=$(dirname "$0")/../../cmake/check-layering.sh
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

printf '#include <string>\n#include "core/util/path.hpp"\n#include "core/census/census.hpp"\n' > "$work/good.cpp"
"$check" "$work/ok.stamp" alias index dwarf elf census util -- "$work/good.cpp" || fail "an include along the flow was refused"
[ -f "$work/ok.stamp" ] || fail "no stamp written on success"

printf '#include "core/elf/symtab.hpp"\n\n#include "core/query/symbol_index.hpp"\n' > "$work/bad.cpp"
if err=$("$check" "$work/bad.stamp" index dwarf elf census util -- "$work/good.cpp" "$work/bad.cpp" 2>&1); then
  fail "core/index including core/query was accepted"
fi
case $err in
  *"bad.cpp:3: core/index may not include core/query/symbol_index.hpp"*) ;;
  *) fail "message does not name the file, line and include: $err" ;;
esac
[ ! -f "$work/bad.stamp" ] || fail "stamp written although the check failed"
# Above the core (cmake/check-includes.sh): a program's folder may include
# only the prefixes it is given; its own folder always.
includes=$(dirname "$0")/../../cmake/check-includes.sh
mkdir -p "$work/client"
printf '#include <string>\n#include "client/link/routing.hpp"\n#include "service/service.hpp"\n#include "core/util/fd.hpp"\n' > "$work/client/ok.cpp"
"$includes" "$work/inc-ok.stamp" client service/ proto/ core/util/ -- "$work/client/ok.cpp" ||
  fail "an include the client may use was refused"
[ -f "$work/inc-ok.stamp" ] || fail "no stamp written on success"
printf '#include "service/service.hpp"\n#include "core/index/kernel_snapshot.hpp"\n' > "$work/client/reach.cpp"
if err=$("$includes" "$work/inc-bad.stamp" client service/ proto/ core/util/ -- "$work/client/reach.cpp" 2>&1); then
  fail "client/ reaching into core/index was accepted"
fi
case $err in
  *"reach.cpp:2: client/ may not include core/index/kernel_snapshot.hpp"*) ;;
  *) fail "message does not name the file, line and include: $err" ;;
esac
[ ! -f "$work/inc-bad.stamp" ] || fail "stamp written although the check failed"
printf '#include "kas.pb.h"\n' > "$work/client/wire.cpp"
if "$includes" "$work/inc-pb.stamp" client service/ proto/ core/util/ -- "$work/client/wire.cpp" 2>/dev/null; then
  fail "generated protobuf code outside the allowed list was accepted"
fi

# The programs' own lists, as their builds check them (tests/CMakeLists.txt
# passes each as "FOLDER ALLOWED..."; by hand, give them the same way):
# generated protobuf code is the wire layer's alone, so client/ and daemon/
# may include the envelopes but not kas.pb.h, nor a proto/ header that
# includes it.
root=$(dirname "$0")/../..
for list in "$@"; do
  # shellcheck disable=SC2086 # a list of words
  set -- $list
  folder=$1; shift
  mkdir -p "$work/$folder"
  printf '#include "proto/request_envelope.hpp"\n#include "proto/response_envelope.hpp"\n' > "$work/$folder/seam.cpp"
  "$includes" "$work/$folder-seam.stamp" "$folder" "$@" -- "$work/$folder/seam.cpp" ||
    fail "$folder/ may not include the envelopes"
  printf '#include <string>\n\n#include "kas.pb.h"\n' > "$work/$folder/pb.cpp"
  if err=$("$includes" "$work/$folder-pb.stamp" "$folder" "$@" -- "$work/$folder/pb.cpp" 2>&1); then
    fail "$folder/ including kas.pb.h was accepted"
  fi
  case $err in
    *"pb.cpp:3: $folder/ may not include kas.pb.h"*) ;;
    *) fail "message does not name the file, line and include: $err" ;;
  esac
  printf '#include "proto/convert.hpp"\n' > "$work/$folder/convert.cpp"
  if "$includes" "$work/$folder-convert.stamp" "$folder" "$@" -- "$work/$folder/convert.cpp" 2>/dev/null; then
    fail "$folder/ including proto/convert.hpp (kas.pb.h through proto/) was accepted"
  fi
  # What the list lets it include of proto/ includes no more of proto/ than
  # that, so kas.pb.h is not reached through it either.
  seam=""; files=""
  for a in "$@"; do
    case $a in proto/*) seam="$seam $a"; files="$files $root/$a" ;; esac
  done
  [ -n "$seam" ] || fail "$folder/ may include nothing of proto/: $*"
  # shellcheck disable=SC2086 # lists of words
  "$includes" "$work/$folder-proto.stamp" proto-seam core/ service/ $seam -- $files ||
    fail "a proto/ header $folder/ may include reaches further into proto/"
done

# The index applies no alias rule: the rules are above it (core/CMakeLists.txt).
printf '#include "core/alias/policy.hpp"\n' > "$work/rule.cpp"
if "$check" "$work/rule.stamp" index dwarf elf census util -- "$work/rule.cpp" 2>/dev/null; then
  fail "core/index including core/alias was accepted"
fi
echo "ok"
