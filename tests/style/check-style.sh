#!/usr/bin/env bash
# STYLE.md's format and lint checks on what a change touches: clang-format
# (.clang-format) and clang-tidy (.clang-tidy), both from Debian 12's LLVM
# 16 (clang-format-16, clang-tidy-16; .ci/setup --tests installs them), on
# the lines of C++ files changed since BASE. Lines, not whole files: the
# code base predates .clang-format, and is not reformatted at once (a mass
# reformat would conflict with every branch in flight); what a change
# writes is held to it.
#   clang-format --dry-run -Werror --lines=... on each changed .cpp/.hpp;
#   clang-tidy on each changed .cpp (or, for a header, one .cpp that
#   includes it), its diagnostics kept to the changed lines (-line-filter),
#   with BUILD_DIR's compile_commands.json (CMake writes it in every build
#   directory).
#
# usage: tests/style/check-style.sh BUILD_DIR [BASE]
#   BASE: a commit; the change is what lies between the merge-base of BASE
#   and HEAD, and the working tree. Default: HEAD^1, the first parent of
#   HEAD, which in a fresh CI clone is the previous landing when HEAD is the
#   merge of a branch (all the branch is checked) and the commit before
#   when HEAD is a single commit (that commit is checked). A landing of
#   several plain commits is checked only in its last: land a series as a
#   merge, or pass the last checked commit as BASE. With no parent (a
#   shallow clone: git clone --depth 1) nothing can be compared, and the
#   check fails saying so.
#   KAS_STYLE_JOBS: clang-tidy processes at once (default: nproc).
set -euo pipefail
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
case "${1:-}" in -h|--help) usage; exit 0 ;; esac
[ $# -ge 1 ] && [ $# -le 2 ] || { usage >&2; exit 2; }
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
base=${2:-HEAD^1}
cd "$repo"
fail() { echo "check-style.sh: $*" >&2; exit 1; }
format=clang-format-16
tidy=clang-tidy-16
for tool in "$format" "$tidy"; do
  command -v "$tool" > /dev/null || fail "$tool not found (apt-get install $tool; .ci/setup --tests)"
done
[ -f "$build/compile_commands.json" ] || fail "$build/compile_commands.json: none (configure that build with CMake first)"
git rev-parse -q --verify "$base^{commit}" > /dev/null ||
  fail "BASE '$base' is not a commit here (a shallow clone has no parent to compare with: fetch with more depth, or pass BASE)"
since=$(git merge-base "$base" HEAD) || fail "no merge-base of $base and HEAD"

# Changed C++ files (added, copied, modified, renamed), and their changed
# lines as FIRST:LAST ranges.
mapfile -t files < <(git diff --name-only --diff-filter=ACMR "$since" -- '*.cpp' '*.hpp' '*.h' '*.cc')
echo "check-style.sh: ${#files[@]} C++ file(s) changed since $(git log -1 --format='%h %s' "$since" | cut -c1-80)"
[ ${#files[@]} -gt 0 ] || exit 0
ranges() {
  git diff -U0 --no-color "$since" -- "$1" |
    sed -n 's/^@@ -[0-9,]* +\([0-9]*\)\(,\([0-9]*\)\)\{0,1\} @@.*/\1 \3/p' |
    awk '{ n = ($2 == "") ? 1 : $2; if (n > 0) print $1 ":" ($1 + n - 1) }'
}

status=0
declare -A lines_of
for f in "${files[@]}"; do
  mapfile -t r < <(ranges "$f")
  [ ${#r[@]} -gt 0 ] || continue
  lines_of[$f]="${r[*]}"
  args=()
  for x in "${r[@]}"; do args+=("--lines=$x"); done
  "$format" --dry-run -Werror "${args[@]}" "$f" || { status=1; echo "  (clang-format -i ${args[*]} $f)" >&2; }
done
[ $status -eq 0 ] && echo "clang-format: the changed lines are formatted"

# clang-tidy: -line-filter names each changed file and its changed lines;
# a header is checked through a translation unit that includes it.
filter=$(for f in "${!lines_of[@]}"; do
  printf '{"name":"%s","lines":[' "$f"
  sep=
  for x in ${lines_of[$f]}; do printf '%s[%s,%s]' "$sep" "${x%:*}" "${x#*:}"; sep=,; done
  printf ']},'
done | sed 's/,$//')
filter="[$filter]"
# A unity build (CMAKE_UNITY_BUILD, the test command's) compiles
# build/.../Unity/unity_N_cxx.cxx files that include the sources: each
# source gets its unity file's command in a database of our own.
dbdir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$log" "$dbdir"' EXIT
mapfile -t units < <(python3 - "$build/compile_commands.json" "$repo" "$dbdir/compile_commands.json" "${!lines_of[@]}" <<'PY'
import json, os, re, sys
db, repo, out, changed = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
entries = []
for e in json.load(open(db)):
    if re.search(r"/Unity/unity_[^/]*\.(cxx|c)$", e["file"]):
        for source in re.findall(r'#include\s+"([^"]+)"', open(e["file"]).read()):
            one = dict(e, file=source)
            if "command" in one:
                one["command"] = one["command"].replace(e["file"], source)
            if "arguments" in one:
                one["arguments"] = [source if a == e["file"] else a for a in one["arguments"]]
            entries.append(one)
    else:
        entries.append(e)
json.dump(entries, open(out, "w"))
tus = sorted({os.path.relpath(e["file"], repo) for e in entries
              if os.path.realpath(e["file"]).startswith(repo + "/") and not e["file"].startswith(os.path.dirname(db))})
chosen = []
for f in changed:
    if f in tus:
        chosen.append(f)
    elif f.endswith((".hpp", ".h")):
        # its own .cpp, else the first unit that includes it
        own = os.path.splitext(f)[0] + ".cpp"
        if own in tus:
            chosen.append(own)
            continue
        pattern = re.compile(r'#include\s+"' + re.escape(f) + '"')
        for tu in tus:
            if pattern.search(open(os.path.join(repo, tu), errors="replace").read()):
                chosen.append(tu)
                break
        else:
            print(f"check-style.sh: {f}: no translation unit of this build includes it; not linted", file=sys.stderr)
    else:
        print(f"check-style.sh: {f}: not compiled in this build; not linted", file=sys.stderr)
print("\n".join(sorted(set(chosen))))
PY
)
[ ${#units[@]} -gt 0 ] && [ -n "${units[0]}" ] || { echo "clang-tidy: nothing to lint"; exit $status; }
echo "clang-tidy: ${#units[@]} translation unit(s)"
# Extra arguments make GCC's compile commands clang's, as CMake does for
# the fuzz build: clang 16 spells C++23 -std=c++2b; libstdc++ 12 offers
# std::expected only when __cpp_concepts says what clang 16 implements
# (cmake/KasSettings.cmake); Boost 1.74 sees clang's coroutines only when
# told (daemon/CMakeLists.txt).
printf '%s\n' "${units[@]}" |
  xargs -P "${KAS_STYLE_JOBS:-$(nproc)}" -I{} "$tidy" -p "$dbdir" --quiet --warnings-as-errors='*' \
    --line-filter="$filter" --extra-arg=-Wno-unknown-warning-option --extra-arg=-std=c++2b \
    --extra-arg=-U__cpp_concepts --extra-arg=-D__cpp_concepts=202002L --extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT=1 \
    --extra-arg=-DBOOST_ASIO_HAS_STD_COROUTINE=1 {} > "$log" 2>&1 || status=1
grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Use -system-headers' "$log" || true
[ $status -eq 0 ] && echo "clang-tidy: no finding on the changed lines"
exit $status
