#!/usr/bin/env bash
# End-to-end check of `kas probe` on an unmodified booted kernel: the
# locations it prints for duplicated names are accepted by kprobe_events,
# register, and fire where a trigger exists.
#
# usage: tests/e2e/probe-e2e.sh [--arch x86_64|arm64] [--kernel 6.1|6.12|7.3] [--workdir DIR]
#                               [--kas PATH] [--names N] [--seed S] [--no-boot]
#
# Works on a work directory that tests/e2e/decode-e2e.sh built and booted
# (the unmodified kernel with tests/e2e/sysrq*.config; the same defaults).
# On the host:
#   1. chooses N duplicated function names (default 20) by a seeded draw,
#      name_show always among them (it has triggers: the harness reads
#      /sys/kernel/irq/*/name and kas_hello's name): text names (nm t/T)
#      defined more than once over vmlinux, every module of modules.order and
#      kas_hello.ko, in a .text section (not .init/.exit, which are gone
#      after boot, nor the sections kprobes refuse: .noinstr.text,
#      .entry.text, .kprobes.text), no __pfx_/__cfi_ names;
#   2. asks `kas lookup NAME` for every definition's alias, and `kas probe`
#      (with the guest's /proc/kallsyms, which has no aliases) for the
#      location of each: ALIAS for vmlinux, MODULE:ALIAS for a module; a
#      notrace definition (no ftrace call site: a header's inline,
#      kernel/trace/) gets none, which kprobe_events would refuse anyway;
#   3. checks that no location is called unique (how=unique) and that none
#      is a plain duplicated name;
# then boots the same kernel again (the harness's --no-build) and has the
# guest write each location to kprobe_events: every one must be accepted and
# registered, and vmlinux's name_show@kernel_irq_irqdesc_c_N and kas_hello's
# name_show must fire; plain name_show must still be refused.
# --no-boot stops after the host's checks. Not run in CI (needs the built
# kernel). Exit 0 when every check passes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
harness=${KAS_E2E_HARNESS:-$repo/../shared/e2e/kernel-e2e.sh}
arch=x86_64
kernel=6.1
workdir=
kas=$repo/build/client/kas
names=20
seed=25
boot=1
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --kas) kas=$2; shift 2 ;;
    --names) names=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --no-boot) boot=; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "probe-e2e.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$arch" in
  x86_64) cross= ;;
  arm64) cross=${CROSS_COMPILE:-aarch64-linux-gnu-} ;;
  *) echo "probe-e2e.sh: --arch must be x86_64 or arm64, not '$arch'" >&2; exit 2 ;;
esac
workdir=${workdir:-/var/tmp/kas-e2e-stack-$arch-$kernel}
. "$here/kernel-source.sh"
kernel_src=$(kernel_source "$kernel") || exit 2
tree=$workdir/linux
for f in "$tree/vmlinux" "$tree/modules.order" "$workdir/kallsyms.txt" "$workdir/hello-build/kas_hello.ko"; do
  [ -s "$f" ] || { echo "probe-e2e.sh: no $f (run tests/e2e/decode-e2e.sh first)" >&2; exit 2; }
done
[ -x "$kas" ] || { echo "probe-e2e.sh: no kas at $kas (build it, or --kas PATH)" >&2; exit 2; }
command -v jq > /dev/null || { echo "probe-e2e.sh: jq not found" >&2; exit 2; }
out=$workdir/probe-e2e
rm -rf "$out"
mkdir -p "$out"

failures=0
check() {  # check DESCRIPTION COMMAND...
  local desc=$1; shift
  if "$@"; then echo "PASS $desc"; else echo "FAIL $desc"; failures=$((failures + 1)); fi
}

# 1. Duplicated text names in .text sections, per binary (readelf: section of each symbol).
binaries=("$tree/vmlinux")
while read -r m; do
  ko=$tree/${m%.o}.ko
  ko=${ko%.ko.ko}.ko
  [ -f "$ko" ] && binaries+=("$ko")
done < "$tree/modules.order"
binaries+=("$workdir/hello-build/kas_hello.ko")
for b in "${binaries[@]}"; do
  "${cross}readelf" -SW "$b" | sed -n 's/^ *\[ *\([0-9]*\)\] \([^ ]*\) .*/\1 \2/p' > "$out/sections"
  "${cross}readelf" -sW "$b" | awk -v sections="$out/sections" '
    BEGIN { while ((getline l < sections) > 0) { split(l, f, " "); name[f[1]] = f[2] } }
    $4 == "FUNC" && $7 ~ /^[0-9]+$/ && NF == 8 { print name[$7], $8 }' |
    awk '$1 ~ /^\.text/ && $1 !~ /^\.text\.(startup|exit)/ { print $2 }'
done | grep -v -E '^(__pfx_|__cfi_)' | sort | uniq -d > "$out/duplicated"
echo "$(wc -l < "$out/duplicated") duplicated function names in .text sections"
python3 - "$out/duplicated" "$names" "$seed" > "$out/names" <<'EOF'
import random, sys
names = [n for n in open(sys.argv[1]).read().split() if n != "name_show"]
rng = random.Random(int(sys.argv[3]))
print("\n".join(["name_show"] + rng.sample(names, min(int(sys.argv[2]) - 1, len(names)))))
EOF
echo "names: $(tr '\n' ' ' < "$out/names")"

# 2. Every definition's alias, then its probe location.
target=(--vmlinux "$tree/vmlinux" --modules-order "$tree/modules.order" --modules "$workdir/hello-build"
        --srctree "$tree" --no-daemon)
mapfile -t name_list < "$out/names"
"$kas" lookup --json --all "${name_list[@]}" "${target[@]}" > "$out/lookup.json"
# Definitions in .text sections only: .init text is gone after boot.
jq -r '.results[].definitions[] | select(.alias != null and (.type == "t" or .type == "T")
                                         and ((.section // "") | startswith(".text")))
       | if .binary == "vmlinux" then .alias else .binary + ":" + .alias end' "$out/lookup.json" > "$out/specs"
mapfile -t specs < "$out/specs"
echo "${#specs[@]} aliased definitions of those names"
check "every chosen name has aliased definitions" test "${#specs[@]}" -ge "$names"
rc=0
"$kas" probe --json "${specs[@]}" "${target[@]}" --kallsyms "$workdir/kallsyms.txt" > "$out/probe.json" || rc=$?
jq -r '.results[] | [.query, (.location // "-"), (.how // "-"), (.error // "")] | @tsv' "$out/probe.json" \
  > "$out/locations.tsv"
column -t -s $'\t' "$out/locations.tsv" | cut -c1-200 | sed 's/^/  /'
# A notrace function (a header's inline, kernel/trace/) has no location:
# kprobe_events refuses it whatever the name (within_notrace_func).
# Nor has a function on the kprobe blacklist (entry/irqentry text, NOKPROBE).
notrace=$(awk -F'\t' '$4 ~ /is notrace|kprobe blacklist/' "$out/locations.tsv" | wc -l)
other=$(awk -F'\t' '$2 == "-" && $4 !~ /is notrace|kprobe blacklist/' "$out/locations.tsv" | wc -l)
echo "$(awk -F'\t' '$2 != "-"' "$out/locations.tsv" | wc -l) locations, $notrace notrace or blacklisted definitions" \
     "refused by kas ($(awk -F'\t' '$4 ~ /kprobe blacklist/' "$out/locations.tsv" | wc -l) blacklisted)"
check "kas probe gives every definition a location or says it is notrace or blacklisted ($other other errors)" \
  test "$other" -eq 0
check "kas probe exits 0 only when every definition has a location (exit $rc)" \
  test "$rc" -eq "$([ "$notrace" -eq 0 ] && echo 0 || echo 1)"

# 3. Nothing duplicated is called unique; no location is a plain duplicated
# name, but for a kernel that counts a plain name in vmlinux alone when
# vmlinux has it (Linux 7.1 on, trace_kprobe.c number_of_same_symbols): there
# a plain name is vmlinux's (how=vmlinux-first), which the guest's own
# /proc/kallsyms must list once without a module.
check "no location is called unique" test "$(awk -F'\t' '$3 == "unique"' "$out/locations.tsv" | wc -l)" -eq 0
awk '$4 == "" { n[$3]++ } END { for (s in n) print s, n[s] }' "$workdir/kallsyms.txt" > "$out/vmlinux-counts"
# (MODULE:NAME is fine when NAME is unique in its module: how=module.)
plain=$(awk -F'\t' 'NR == FNR { dup[$1] = 1; next } { n = $2; sub(/\+0x[0-9a-f]+$/, "", n);
                     if ((n in dup) && $3 != "vmlinux-first") print $2 }' "$out/duplicated" "$out/locations.tsv")
check "no location is a plain duplicated name (${plain:-none})" test -z "$plain"
first=$(awk -F'\t' '$3 == "vmlinux-first" { n = $2; sub(/\+0x[0-9a-f]+$/, "", n); print n }' "$out/locations.tsv")
bad_first=$(for n in $first; do awk -v n="$n" '$1 == n && $2 == 1 { ok = 1 } END { if (!ok) print n }' \
  "$out/vmlinux-counts"; done)
check "every vmlinux-first location ($(echo $first | wc -w)) is once in the guest's vmlinux kallsyms (${bad_first:-ok})" \
  test -z "$bad_first"
# What the kernel does with plain name_show: refused (6.x), or vmlinux's one
# name_show when it counts vmlinux alone (7.1 on); and a name vmlinux has
# twice is refused by every release.
plain_name_show=(--probe-fail name_show)
if [ -n "$first" ] || jq -e '.results[] | select(.how == "vmlinux-first")' "$out/probe.json" > /dev/null; then
  [ "$(awk '$1 == "name_show" {print $2}' "$out/vmlinux-counts")" = 1 ] && plain_name_show=(--probe-hit name_show)
fi
twice=$(awk 'NR == FNR { if ($2 >= 2) v[$1] = 1; next } ($1 in v) { print $1; exit }' "$out/vmlinux-counts" "$out/duplicated")
[ -z "$twice" ] || plain_name_show+=(--probe-fail "$twice")
echo "plain names: ${plain_name_show[*]}"

if [ -z "$boot" ]; then
  echo "== $failures check(s) failed (no boot)"
  [ "$failures" -eq 0 ]
  exit
fi

# 4. The guest takes every location.
probe_args=()
while IFS=$'\t' read -r query location how error; do
  [ "$location" != "-" ] || continue
  case "$query" in
    name_show@kernel_irq_irqdesc_c_*|kas_hello:name_show@*) probe_args+=(--probe-hit "$location") ;;
    *) probe_args+=(--probe "$location") ;;
  esac
done < "$out/locations.tsv"
harness_args=(--workdir "$workdir" --arch "$arch" --accel tcg --jobs 2 --quiet --no-build
              --kernel-src "$kernel_src" --extra-fragment "$here/sysrq.config")
[ ! -f "$here/sysrq-$arch.config" ] || harness_args+=(--extra-fragment "$here/sysrq-$arch.config")
echo "== boot: ${#probe_args[@]} probe arguments"
hrc=0
"$harness" "${harness_args[@]}" "${plain_name_show[@]}" "${probe_args[@]}" > "$out/harness.log" 2>&1 || hrc=$?
cp "$workdir/results.txt" "$out/results.txt"
grep -E '^(PASS|FAIL) ' "$out/results.txt" | grep -iE 'probe' | sed 's/^/  /'
[ "$hrc" -ne 2 ] || { echo "probe-e2e.sh: the harness stopped (see $out/harness.log)" >&2; exit 2; }
check "the guest accepts, registers (and fires where triggered) every location; ${plain_name_show[*]}" \
  test "$hrc" -eq 0
echo "== $failures check(s) failed"
[ "$failures" -eq 0 ]
