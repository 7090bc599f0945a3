#!/usr/bin/env bash
# End-to-end check of the kbuild integration in a booted kernel (issue 5).
#
# usage: tests/e2e/run-e2e.sh [--workdir DIR] [--accel tcg|auto|kvm] [--kas PATH] [--touch FILE]
#
# Drives ../shared/e2e/kernel-e2e.sh (beside this repository) with this
# project's kbuild/patches on its small Linux 6.1 kernel, in two boots:
#   1. build (kbuild/apply --enable as the harness's hook, KAS=PATH), boot,
#      and record /proc/kallsyms; the alias names are taken from it;
#   2. boot the same build again and probe: a vmlinux alias and the
#      out-of-tree kas_hello alias must register and fire, a uio alias must
#      register, plain name_show must still be refused.
# Then, on the host, from the guest's /proc/kallsyms: vmlinux aliases for
# duplicated text names; module aliases in uio, pps_core, extcon_core,
# fpga_mgr, fpga_bridge and kas_hello; no alias of a unique name; no alias
# name twice; the same alias names in every kallsyms pass, none in .syms or
# System.map; and pahole -J (BTF) works on a module with aliases.
# Not run in CI (the first build takes minutes); run it before resolving
# changes to kbuild/ or the module rewriting. Exit 0 when every check passes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
harness=${KAS_E2E_HARNESS:-$repo/../shared/e2e/kernel-e2e.sh}
workdir=/tmp/kas-e2e
accel=tcg
kas=$repo/build/client/kas
touch_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --workdir) workdir=$2; shift 2 ;;
    --accel) accel=$2; shift 2 ;;
    --kas) kas=$2; shift 2 ;;
    --touch) touch_args=(--touch "$2"); shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-e2e.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$harness" ] || { echo "run-e2e.sh: no harness at $harness (set KAS_E2E_HARNESS)" >&2; exit 2; }
[ -x "$kas" ] || { echo "run-e2e.sh: no kas at $kas (build the project first)" >&2; exit 2; }
for tool in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static pahole:dwarves cpio:cpio; do
  command -v "${tool%%:*}" > /dev/null ||
    { echo "run-e2e.sh: ${tool%%:*} missing: apt-get install ${tool#*:}" >&2; exit 2; }
done
export KAS=$kas

failures=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "PASS $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}

echo "== build and boot 1: kallsyms"
"$harness" --workdir "$workdir" --accel "$accel" --quiet "${touch_args[@]}" \
  --hook "$repo/kbuild/apply . --enable" \
  --expect-kallsyms ' name_show@kernel_irq_irqdesc_c_[0-9]+$' \
  --expect-kallsyms ' name_show@drivers_uio_uio_c_[0-9]+[[:space:]]+\[uio\]$' \
  --expect-kallsyms '@[^[:space:]]*[[:space:]]+\[kas_hello\]$' \
  --probe-fail name_show
syms=$workdir/kallsyms.txt

# Alias names to probe, from the guest's own kallsyms.
alias_of() { awk -v re="$1" '$3 ~ re && NF == '"$2"' { print $3; exit }' "$syms"; }
vmlinux_alias=$(alias_of '^name_show@kernel_irq_irqdesc_c_' 3)
uio_alias=$(awk '$3 ~ /^name_show@/ && $4 == "[uio]" { print $3; exit }' "$syms")
hello_alias=$(awk '$3 ~ /^name_show@/ && $4 == "[kas_hello]" { print $3; exit }' "$syms")
echo "aliases: vmlinux $vmlinux_alias, uio $uio_alias, kas_hello $hello_alias"

echo "== boot 2: probes"
"$harness" --workdir "$workdir" --accel "$accel" --quiet --no-build \
  --probe-fail name_show \
  --probe-hit "$vmlinux_alias" \
  --probe "$uio_alias" \
  --probe-hit "$hello_alias"

echo "== host-side checks on the guest's /proc/kallsyms"
for m in uio pps_core extcon_core fpga_mgr fpga_bridge kas_hello; do
  check "module aliases in $m" grep -qE "@[^[:space:]]+[[:space:]]+\[$m\]$" "$syms"
done
check "vmlinux aliases for duplicated text names" \
  bash -c "awk 'NF == 3 && \$3 ~ /@/' '$syms' | grep -q ' [tT] '"
# Every alias names a symbol defined more than once (plain names, all binaries).
check "no alias of a unique name" bash -c "awk '
  { n = \$3; if (n ~ /@/) { split(n, p, \"@\"); alias[p[1]] = 1 } else count[n]++ }
  END { bad = 0; for (a in alias) if (count[a] < 2) { print \"unique: \" a; bad = 1 } exit bad }' '$syms'"
check "no alias name twice" bash -c "awk '\$3 ~ /@/ { print \$3 }' '$syms' | sort | uniq -d | grep -q . && exit 1 || exit 0"

check "alias names identical in every kallsyms pass" bash -c "
  cd '$workdir/linux' && ls .tmp_vmlinux.kallsyms*.syms.kas >/dev/null &&
  for f in .tmp_vmlinux.kallsyms*.syms.kas; do
    awk '\$3 ~ /@/ { print \$3 }' \$f | sort | cmp -s - <(awk '\$3 ~ /@/ { print \$3 }' .tmp_vmlinux.kallsyms1.syms.kas | sort) || exit 1
  done"
check "each pass's .syms has no alias (System.map stays plain)" bash -c \
  "! grep -q '@' '$workdir/linux/System.map' && ! cat '$workdir'/linux/.tmp_vmlinux.kallsyms*.syms | grep -q '@'"

ko=$(find "$workdir/linux/drivers/uio" -name uio.ko | head -1)
tmp=$(mktemp -d)
cp "$ko" "$tmp/uio.ko"
check "uio.ko has aliases" bash -c "nm '$tmp/uio.ko' | grep -q '@'"
check "pahole -J on a module with aliases" bash -c \
  "pahole -J '$tmp/uio.ko' >/dev/null 2>&1 && readelf -S '$tmp/uio.ko' | grep -q '\.BTF'"
rm -rf "$tmp"

echo "== $failures host-side check(s) failed"
[ "$failures" -eq 0 ]
