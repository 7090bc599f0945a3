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

# The index applies no alias rule: the rules are above it (core/CMakeLists.txt).
printf '#include "core/alias/policy.hpp"\n' > "$work/rule.cpp"
if "$check" "$work/rule.stamp" index dwarf elf census util -- "$work/rule.cpp" 2>/dev/null; then
  fail "core/index including core/alias was accepted"
fi
echo "ok"
