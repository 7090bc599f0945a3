#!/usr/bin/env bash
# End-to-end check of the kbuild integration in a booted kernel (issues 5, 11).
#
# usage: tests/e2e/run-e2e.sh [--arch x86_64|arm64] [--workdir DIR] [--accel tcg|auto|kvm]
#                             [--kas PATH] [--touch FILE]
#
# Drives ../shared/e2e/kernel-e2e.sh (beside this repository) with this
# project's kbuild/patches on its small kernel (Linux 6.1 unless --kernel), in two boots:
#   1. build (kbuild/apply --enable as the harness's hook, KAS=PATH), boot,
#      and record /proc/kallsyms; the alias names are taken from it;
#   2. boot the same build again and probe: a vmlinux alias and the
#      out-of-tree kas_hello alias must register and fire, a uio alias must
#      register, plain name_show must still be refused (on a kernel that
#      resolves an unqualified name found in vmlinux there alone, 7.3's
#      trace_kprobe.c, it must instead fire as vmlinux's one name_show), a
#      text name defined twice in vmlinux (c_start if there) must be refused
#      and its alias registered; on arm64 also the
#      GICv2 driver's gic_eoi_irq alias must fire and plain gic_eoi_irq
#      (GICv2 and GICv3 both define it) be refused.
# Then, on the host, from the guest's /proc/kallsyms: vmlinux aliases for
# duplicated text names; module aliases in uio, pps_core, extcon_core,
# fpga_mgr, fpga_bridge and kas_hello; no alias of a unique name or of an ARM
# mapping symbol ($x, $d); no alias name twice; every name_show alias (and
# gic_* on arm64) names the source line that defines it; the same alias
# names in every kallsyms pass, none in .syms or System.map; and pahole -J
# (BTF) works on a module with aliases.
#   --arch     x86_64 (default) or arm64: cross-built with aarch64-linux-gnu-,
#              booted on qemu-system-aarch64 -M virt (always TCG on x86_64)
#   --workdir  the harness's work directory, one per arch (default
#              /tmp/kas-e2e, arm64 /tmp/kas-e2e-arm64)
#   --kernel   6.1 (default), 6.12 or 7.3, any series of kbuild/patches:
#              the harness builds Debian's linux-source-VERSION, its tarball
#              found as /usr/src/linux-source-VERSION.tar.xz, else where
#              .ci/setup --tests unpacks a newer suite's package
#              (/var/cache/kasd-ci/linux-source-VERSION/usr/src/...);
#              the default work directory gets a -VERSION suffix (not 6.1)
#   --kernel-src TARBALL  the source tarball (default: found as above)
#   --btf      also CONFIG_DEBUG_INFO_BTF and _BTF_MODULES (tests/e2e/btf.config,
#              with pahole from dwarves): every module of the tree carries
#              .BTF, its names are plain function names (BTF is made from
#              DWARF, never from the symbol table), and the guest loads
#              every module without a BTF complaint; the default work
#              directory gets a -btf suffix
#   --llvm     build with LLVM=1 (clang, ld.lld); the default work directory
#              gets a -llvm suffix. The tools are the first in PATH: 7.3
#              wants Clang >= 17.0.1 (scripts/min-tool-version.sh; Debian
#              12's clang is 14): apt-get install clang-19 lld-19 llvm-19
#              and run with PATH=/usr/lib/llvm-19/bin:$PATH
#   --lto KIND thin or full: Clang ThinLTO or full LTO (implies --llvm); the
#              default work directory gets a -lto-KIND suffix. Also checks
#              that every name duplicated once the link's suffixes
#              (.llvm.N, full LTO's .N) are dropped is aliased, that no alias
#              carries such a number, and that a kprobe fires on the alias of
#              a name the link suffixed
#   --plain    the unmodified kernel (no series, no aliases in kallsyms): the
#              aliases its build would give are turned into probe locations
#              by kas probe, from its vmlinux and modules, and a kprobe on
#              the one of vmlinux's name_show@kernel_irq_irqdesc_c_N and of
#              kas_hello's name_show must fire while plain name_show is
#              refused; the default work directory gets a -plain suffix
#   --check-clean  last, make clean in the tree must remove what a killed
#              kas may leave beside its outputs (X.o.kas.tmp.*, the kallsyms
#              passes' .syms.kas.tmp.*, modules.symbfreq.tmp.*) with the
#              alias objects; the next run then builds the kernel again
#   --kas      the kas to build with (default build/client/kas; its kasd is
#              looked up beside it, then in ../daemon; the run starts its own
#              on WORKDIR/kasd/kasd.sock unless KAS_SOCKET is set, and stops it)
#   --installed  use only what is installed (the Debian package, or cmake
#              --install): kas from PATH, its kbuild/apply and series from
#              BINDIR/../share/kasd/kbuild, and KAS unset, so kbuild and
#              kas-module.mk find kas in PATH as a user's build does
# Not run in CI (the first build takes minutes); run it before resolving
# changes to kbuild/ or the module rewriting. Exit 0 when every check passes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
harness=${KAS_E2E_HARNESS:-$repo/../shared/e2e/kernel-e2e.sh}
arch=x86_64
workdir=
accel=tcg
kas=$repo/build/client/kas
touch_args=()
kernel=6.1
kernel_src=
btf=
llvm=
lto=
plain=
check_clean=
installed=
while [ $# -gt 0 ]; do
  case "$1" in
    --check-clean) check_clean=1; shift ;;
    --btf) btf=1; shift ;;
    --llvm) llvm=1; shift ;;
    --plain) plain=1; shift ;;
    --lto) lto=$2; llvm=1; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --kernel-src) kernel_src=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --accel) accel=$2; shift 2 ;;
    --kas) kas=$2; shift 2 ;;
    --installed) installed=1; shift ;;
    --touch) touch_args=(--touch "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "run-e2e.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
workdir_given=$workdir   # a given work directory is used as is, never suffixed
# tools: command:Debian package
case "$arch" in
  x86_64)
    workdir=${workdir:-/tmp/kas-e2e}
    nm=nm
    tools=(qemu-system-x86_64:qemu-system-x86 busybox:busybox-static) ;;
  arm64)
    workdir=${workdir:-/tmp/kas-e2e-arm64}
    nm=aarch64-linux-gnu-nm
    tools=(qemu-system-aarch64:qemu-system-arm aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu
           aarch64-linux-gnu-nm:binutils-aarch64-linux-gnu apt-get:apt dpkg-deb:dpkg)
    # the harness fetches busybox-static:arm64 itself (apt-get download)
    dpkg --print-foreign-architectures 2>/dev/null | grep -qx arm64 || {
      echo "run-e2e.sh: arm64 is not a dpkg architecture here (the harness fetches busybox-static:arm64):" \
           "dpkg --add-architecture arm64 && apt-get update" >&2; exit 2; } ;;
  *) echo "run-e2e.sh: --arch must be x86_64 or arm64, not '$arch'" >&2; exit 2 ;;
esac
# Any series of kbuild/patches: nothing here is specific to one.
[[ "$kernel" =~ ^[0-9]+\.[0-9]+$ ]] && [ -d "$repo/kbuild/patches/$kernel" ] || {
  echo "run-e2e.sh: --kernel must be a series of kbuild/patches ($(cd "$repo/kbuild/patches" && ls -d [0-9]* | sort -V | paste -sd' ' -)), not '$kernel'" >&2; exit 2; }
if [ -z "$kernel_src" ]; then
  . "$here/kernel-source.sh"
  kernel_src=$(kernel_source "$kernel") || { echo "run-e2e.sh: or give --kernel-src" >&2; exit 2; }
fi
[ -f "$kernel_src" ] || { echo "run-e2e.sh: --kernel-src $kernel_src: no such file" >&2; exit 2; }
kernel_args=(--kernel-src "$kernel_src")
[ "$kernel" = 6.1 ] || [ -n "$workdir_given" ] || workdir=$workdir-$kernel
case "$lto" in
  ''|thin|full) ;;
  *) echo "run-e2e.sh: --lto must be thin or full, not '$lto'" >&2; exit 2 ;;
esac
if [ -n "$llvm" ]; then
  kernel_args+=(--llvm)
  [ -z "$lto" ] || kernel_args+=(--lto "$lto")
  for tool in clang:clang ld.lld:lld llvm-nm:llvm; do
    command -v "${tool%%:*}" > /dev/null ||
      { echo "run-e2e.sh: ${tool%%:*} missing: apt-get install ${tool#*:}" >&2; exit 2; }
  done
  [ -n "$workdir_given" ] || workdir=$workdir-${lto:+lto-}${lto:-llvm}
fi
[ -z "$plain" ] || [ -n "$workdir_given" ] || workdir=$workdir-plain
if [ -n "$btf" ]; then
  kernel_args+=(--extra-fragment "$here/btf.config")
  [ -n "$workdir_given" ] || workdir=$workdir-btf
fi
[ -x "$harness" ] || { echo "run-e2e.sh: no harness at $harness (set KAS_E2E_HARNESS)" >&2; exit 2; }
kbuild=$repo/kbuild
if [ -n "$installed" ]; then
  kas=$(command -v kas) || { echo "run-e2e.sh: --installed: no kas in PATH (apt install ./kasd_*.deb)" >&2; exit 2; }
  kbuild=$(realpath -- "$(dirname "$kas")/../share/kasd/kbuild")
  [ -x "$kbuild/apply" ] || { echo "run-e2e.sh: --installed: no $kbuild/apply beside $kas" >&2; exit 2; }
fi
[ -x "$kas" ] || { echo "run-e2e.sh: no kas at $kas (build the project first)" >&2; exit 2; }
kas=$(realpath -- "$kas")   # make runs it from the kernel tree
for tool in "${tools[@]}" pahole:dwarves cpio:cpio; do
  command -v "${tool%%:*}" > /dev/null ||
    { echo "run-e2e.sh: ${tool%%:*} missing: apt-get install ${tool#*:}" >&2; exit 2; }
done
if [ -n "$installed" ]; then
  unset KAS KASD KAS_FETCH
else
  export KAS=$kas
fi
kasd=${KASD:-}
for c in "$(dirname "$kas")/kasd" "$(dirname "$kas")/../daemon/kasd"; do
  [ -n "$kasd" ] || [ ! -x "$c" ] || kasd=$(realpath -- "$c")
done
[ -n "$kasd" ] || echo "run-e2e.sh: warning: no kasd beside $kas (nor ../daemon/kasd, nor \$KASD): every kas call runs in-process" >&2
# This run's own kasd (started by the build's first kas call, stopped at the
# end): a daemon left running by an earlier kas of the same build id would
# answer with its old code.
if [ -z "${KAS_SOCKET:-}" ]; then
  export KAS_SOCKET=$workdir/kasd/kasd.sock
  stop_kasd() { "$kas" daemon stop --socket "$KAS_SOCKET" > /dev/null 2>&1 || true; }
  stop_kasd
  trap stop_kasd EXIT
fi
echo "== Linux $kernel, arch $arch, work directory $workdir, kas $kas, kasd ${kasd:-none} (socket $KAS_SOCKET), kbuild $kbuild${installed:+ (installed; KAS unset)}"

failures=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "PASS $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
harness_run() {  # harness_run LABEL ARGS...: a failed guest check counts, a build/setup error stops
  local label=$1 rc=0; shift
  "$harness" --arch "$arch" --workdir "$workdir" --accel "$accel" --quiet "${kernel_args[@]}" "$@" || rc=$?
  [ "$rc" -ne 2 ] || { echo "run-e2e.sh: the harness stopped ($label): see $workdir/logs" >&2; exit 2; }
  [ "$rc" -eq 0 ] || { echo "FAIL harness checks of $label (see $workdir/results.txt)"; failures=$((failures + 1)); }
}

boot1=(--expect-kallsyms ' name_show@kernel_irq_irqdesc_c_[0-9]+$'
       --expect-kallsyms ' name_show@drivers_uio_uio_c_[0-9]+[[:space:]]+\[uio\]$'
       --expect-kallsyms '@[^[:space:]]*[[:space:]]+\[kas_hello\]$')
[ "$arch" != arm64 ] || boot1+=(
       --expect-kallsyms ' gic_eoi_irq@drivers_irqchip_irq_gic_c_[0-9]+$'
       --expect-kallsyms ' gic_eoi_irq@drivers_irqchip_irq_gic_v3_c_[0-9]+$'
       --probe-fail gic_eoi_irq)
if [ -n "$plain" ]; then
  # The unmodified kernel: kas probe's locations, from the build's own files.
  echo "== build and boot 1 (unmodified kernel): no alias"
  harness_run "build and boot 1" "${touch_args[@]}" --expect-no-kallsyms '@'
  tree=$workdir/linux
  # Plain name_show: refused by 6.x; vmlinux's only one to a kernel whose
  # trace_kprobe.c counts vmlinux alone when the name is there (7.1 on).
  plain_name_show=(--probe-fail name_show)
  ! grep -q 'use vmlinux resolution only' "$tree/kernel/trace/trace_kprobe.c" || plain_name_show=(--probe-hit name_show)
  target=(--vmlinux "$tree/vmlinux" --modules-order "$tree/modules.order" --modules "$workdir/hello-build"
          --srctree "$tree" --no-daemon)
  alias_in() {  # alias_in BINARY REGEX: the alias kas lookup gives a name_show of BINARY
    "$kas" lookup name_show "${target[@]}" --color never | awk -v b="$1" -v re="$2" '$1 == b && $NF ~ re { print $NF; exit }'
  }
  location_of() { "$kas" probe "$1" "${target[@]}" | awk '{ print $2 }'; }
  vm_alias=$(alias_in vmlinux '^name_show@kernel_irq_irqdesc_c_[0-9]+$')
  hello_alias=$(alias_in kas_hello '^name_show@')
  vm_location=$([ -z "$vm_alias" ] || location_of "$vm_alias")
  hello_location=$([ -z "$hello_alias" ] || location_of "kas_hello:$hello_alias")
  echo "kas probe: $vm_alias -> $vm_location; kas_hello:$hello_alias -> $hello_location"
  check "kas probe gives a location for vmlinux's name_show alias" test -n "$vm_location"
  check "kas probe gives a location for kas_hello's name_show alias" test -n "$hello_location"
  if [ "${plain_name_show[0]}" = --probe-hit ]; then
    check "vmlinux's name_show is probed by its plain name, which this kernel resolves to vmlinux's" \
      test "$vm_location" = name_show
  else
    check "no location is a duplicated plain name" bash -c "[ '$vm_location' != name_show ] && [ '$hello_location' != name_show ]"
  fi
  # The guest's own /proc/kallsyms (boot 1) lists no alias: the same location.
  guest_location=$("$kas" probe "$vm_alias" "${target[@]}" --kallsyms "$workdir/kallsyms.txt" | awk '{ print $2 }')
  check "with the guest's kallsyms (no aliases) the location is the same ($guest_location)" \
    test "$guest_location" = "$vm_location"
  if [ -n "$vm_location" ] && [ -n "$hello_location" ]; then
    echo "== boot 2 (unmodified kernel): probes on kas probe's locations"
    harness_run "boot 2" --no-build "${plain_name_show[@]}" --probe-hit "$vm_location" --probe-hit "$hello_location"
  fi
  echo "== $failures check(s) failed"
  [ "$failures" -eq 0 ]
  exit
fi

echo "== build and boot 1: kallsyms"
harness_run "build and boot 1" "${touch_args[@]}" --hook "$kbuild/apply . --enable" "${boot1[@]}"
syms=$workdir/kallsyms.txt
[ -s "$syms" ] || { echo "run-e2e.sh: the guest wrote no $syms" >&2; exit 1; }

# Alias names to probe, from the guest's own kallsyms.
alias_of() { awk -v re="$1" '$3 ~ re && NF == '"$2"' { print $3; exit }' "$syms"; }
vmlinux_alias=$(alias_of '^name_show@kernel_irq_irqdesc_c_' 3)
uio_alias=$(awk '$3 ~ /^name_show@/ && $4 == "[uio]" { print $3; exit }' "$syms")
hello_alias=$(awk '$3 ~ /^name_show@/ && $4 == "[kas_hello]" { print $3; exit }' "$syms")
echo "aliases: vmlinux $vmlinux_alias, uio $uio_alias, kas_hello $hello_alias"
# kas_hello is built in WORKDIR/hello-build: its alias names that directory
# on every series (7.x compiles an M= module in its own directory).
check "kas_hello's alias names its directory (name_show@hello_build_kas_hello_c_N: $hello_alias)" \
  grep -qE '^name_show@hello_build_kas_hello_c_[0-9]+$' <<< "$hello_alias"
# A kernel built with aliases is probed by the alias itself.
series_location=$("$kas" probe "$vmlinux_alias" --tree "$workdir/linux" --no-daemon 2>&1 | awk '{ print $2 }')
check "kas probe on the kernel built with aliases gives the alias ($series_location)" \
  test "$series_location" = "$vmlinux_alias"
# The same decided from the guest's /proc/kallsyms, which lists the aliases.
guest_location=$("$kas" probe "$vmlinux_alias" --tree "$workdir/linux" --kallsyms "$syms" --no-daemon | awk '{ print $2 }')
check "kas probe with the guest's kallsyms gives the alias ($guest_location)" test "$guest_location" = "$vmlinux_alias"
# A name as the census counts it: without the LTO link's number
# (.llvm.N; with full LTO also a bare .N on an identifier).
stem_awk='function stem(n) { sub(/\.llvm\.[0-9]+$/, "", n)
  if (full && n ~ /^[A-Za-z_][A-Za-z0-9_]*\.[0-9]+$/) sub(/\.[0-9]+$/, "", n); return n }'
full=0; [ "$lto" != full ] || full=1
# The plain duplicated names the kernel must refuse. 6.x counts an
# unqualified name over vmlinux and every module (name_show: vmlinux's one
# and six modules'); 7.3's number_of_same_symbols() (kernel/trace/
# trace_kprobe.c: "If the symbol is found in vmlinux, use vmlinux resolution
# only") counts vmlinux alone when the name is there, so it takes vmlinux's
# only name_show. A name defined twice in vmlinux is refused by both.
vmlinux_first=
! grep -q 'use vmlinux resolution only' "$workdir/linux/kernel/trace/trace_kprobe.c" 2>/dev/null || vmlinux_first=1
if [ -n "$vmlinux_first" ] && [ "$(awk '$3 == "name_show" && NF == 3' "$syms" | wc -l)" = 1 ]; then
  echo "plain name_show: this kernel resolves it to vmlinux's only definition (trace_kprobe.c: vmlinux resolution only)"
  boot2=(--probe-hit name_show)
else
  boot2=(--probe-fail name_show)
fi
# (one kas probe locates at its alias: a notrace function, e.g. a header's
# outlined inline or kernel/trace/'s, is refused whatever its name)
vm_dup= vm_dup_alias=
while read -r _ n a; do
  [ "$("$kas" probe "$a" --tree "$workdir/linux" --no-daemon 2>/dev/null | awk '{ print $2 }')" = "$a" ] || continue
  vm_dup=$n vm_dup_alias=$a; break
done < <(awk 'NF == 3 && $2 ~ /^[tT]$/ {
    if ($3 ~ /@/) { split($3, p, "@"); al[p[1]] = $3 } else c[$3]++ }
  END { for (n in c) if (c[n] > 1 && (n in al)) print (n == "c_start" ? 0 : 1), n, al[n] }' "$syms" | sort | head -20)
echo "a text name defined more than once in vmlinux, probe-able: ${vm_dup:-none} (alias ${vm_dup_alias:-none})"
if [ -n "${vm_dup:-}" ]; then boot2+=(--probe-fail "$vm_dup" --probe "$vm_dup_alias")
else check "a text name defined more than once in vmlinux, with an alias" false; fi
if [ -n "$lto" ]; then
  # An alias of a name the LTO link renamed, that fires: the two c_start of
  # /proc/cpuinfo and /proc/consoles are both statics of vmlinux.
  lto_alias=$(awk -v full=$full "$stem_awk"'
    NF == 3 && $3 !~ /@/ && stem($3) != $3 { renamed[$1] = $3 }
    NF == 3 && $3 ~ /^c_start@(arch_x86_kernel_cpu_proc_c|fs_proc_consoles_c)_[0-9]+$/ { at[$1] = $3 }
    END { for (a in at) if (a in renamed) { print at[a]; exit } }' "$syms")
  echo "alias of a renamed name: ${lto_alias:-none}"
  if [ -n "$lto_alias" ]; then
    boot2+=(--probe-hit "$lto_alias"
            --trigger 'cat /sys/kernel/irq/*/name /sys/kernel/irq/*/chip_name /sys/kernel/kas_hello/name'
            --trigger 'cat /proc/cpuinfo /proc/consoles > /dev/null')
  else
    check "an alias of a c_start the LTO link renamed, in kallsyms" false
  fi
fi
for a in "vmlinux_alias:--probe-hit" "uio_alias:--probe" "hello_alias:--probe-hit"; do
  v=${a%%:*}
  if [ -n "${!v}" ]; then boot2+=("${a#*:}" "${!v}"); else check "$v found in kallsyms" false; fi
done
if [ "$arch" = arm64 ]; then
  # the GICv2 driver runs on QEMU's virt board; gic_eoi_irq ends every interrupt
  gic_alias=$(alias_of '^gic_eoi_irq@drivers_irqchip_irq_gic_c_' 3)
  echo "aliases: vmlinux (GICv2) $gic_alias"
  boot2+=(--probe-fail gic_eoi_irq)
  if [ -n "$gic_alias" ]; then boot2+=(--probe-hit "$gic_alias"); else check "gic_alias found in kallsyms" false; fi
fi

echo "== boot 2: probes"
harness_run "boot 2" --no-build "${boot2[@]}"

echo "== host-side checks on the guest's /proc/kallsyms"
for m in uio pps_core extcon_core fpga_mgr fpga_bridge kas_hello; do
  check "module aliases in $m" grep -qE "@[^[:space:]]+[[:space:]]+\[$m\]$" "$syms"
done
check "vmlinux aliases for duplicated text names" \
  bash -c "awk 'NF == 3 && \$3 ~ /@/' '$syms' | grep -q ' [tT] '"
# Every alias names a symbol defined more than once (plain names, all binaries).
no_unique_alias() {
  awk -v full=$full "$stem_awk"'
  { n = $3; if (n ~ /@/) { split(n, p, "@"); alias[p[1]] = 1 } else count[stem(n)]++ }
  END { bad = 0; for (a in alias) if (count[a] < 2) { print "unique: " a; bad = 1 } exit bad }' "$syms"
}
check "no alias of a unique name" no_unique_alias
check "no alias of an ARM mapping symbol (\$x, \$d)" \
  bash -c "! awk '\$3 ~ /^\\\$[a-z]([.][^@]*)?@/ { print \"mapping symbol alias: \" \$0; found = 1 } END { exit !found }' '$syms'"
if [ -n "$lto" ]; then
  # Every text symbol whose name, without the link's number, is defined more
  # than once (vmlinux and loaded modules) has an alias at its address, in
  # its binary, spelled with that name. Listed in WORKDIR/lto-unaliased.txt.
  # Not a module's cleanup_module: module_exit's alias, in .exit.text, which
  # is never aliased (the module may be built without unloading).
  lto_all_aliased() {
    awk -v full=$full "$stem_awk"'
    $2 ~ /^[tT]$/ { mod = NF == 4 ? $4 : "[vmlinux]"; if (mod != "[vmlinux]" && $3 == "cleanup_module") next
      if ($3 ~ /@/) { split($3, p, "@"); aliased[$1 " " mod " " p[1]] = 1; next }
      k = stem($3); count[k]++; key[NR] = $1 " " mod " " k; name[NR] = $3 " " mod; if (k != $3) renamed[NR] = 1 }
    END { for (i in key) { split(key[i], f, " ")
            if (count[f[3]] > 1) { dups++; if (i in renamed) dup_renamed++
              if (!(key[i] in aliased)) { print "not aliased: " name[i]; bad++ } } }
          printf "%d text symbols duplicated without the link numbers (%d of them renamed by the link), %d without an alias\n", dups, dup_renamed, bad > "/dev/stderr"
          exit bad > 0 }' "$syms" > "$workdir/lto-unaliased.txt"
  }
  check "LTO: every duplicated name (without the link's number) is aliased" lto_all_aliased
  head -20 "$workdir/lto-unaliased.txt"
  lto_no_number() {
    ! awk -v full=$full "$stem_awk"'$3 ~ /@/ { split($3, p, "@"); if (stem(p[1]) != p[1]) { print "numbered: " $0; found = 1 } }
      END { exit !found }' "$syms"
  }
  check "LTO: no alias carries the link's number" lto_no_number
  lto_renamed_aliased() {  # lto_renamed_aliased vmlinux|modules
    awk -v full=$full -v want="$1" "$stem_awk"'
      $2 ~ /^[tT]$/ { mod = NF == 4 ? $4 : "[vmlinux]"; if ((mod == "[vmlinux]") != (want == "vmlinux")) next
        if ($3 ~ /@/) aliased[$1 " " mod] = 1; else if (stem($3) != $3) renamed[$1 " " mod] = $3 }
      END { for (r in renamed) if (r in aliased) n++; print want ": " n + 0 " aliases of names the link renamed"; exit !n }' "$syms"
  }
  check "LTO: vmlinux aliases of names the link renamed" lto_renamed_aliased vmlinux
  lto_renamed_aliased modules || echo "  (no module symbol the link renamed is duplicated)"
fi
check "no alias name twice" bash -c "awk '\$3 ~ /@/ { print \$3 }' '$syms' | sort | uniq -d | grep -q . && exit 1 || exit 0"

# Where each alias points: NAME@PATH_LINE, PATH a file of the kernel tree (or
# of the out-of-tree module) with every non-alphanumeric character turned
# into _, and LINE should hold NAME's definition (its DW_AT_decl_line).
# Written to WORKDIR/alias-lines.txt: ok|other|unresolved, alias, module,
# file:line, the line's text.
lines=$workdir/alias-lines.txt
{ (cd "$workdir/linux" && find . -name .git -prune -o -type f -name '*.[chS]' -printf "%P\t$workdir/linux/%P\n")
  # an out-of-tree module's files are named from its directory's parent
  # (6.x kbuild compiles it by absolute path); 7.x compiles it in its own
  # directory (DW_AT_name hello.c), and kas names it from there
  [ ! -d "$workdir/hello-build" ] ||
    (cd "$workdir" && find hello-build -type f -name '*.[ch]' -printf "%p\t$workdir/%p\n%P\t$workdir/%p\n")
} | awk -F'\t' '{ k = $1; gsub(/[^A-Za-z0-9]/, "_", k); print k "\t" $2 }' > "$workdir/source-keys.txt"
awk -F'\t' 'NR == FNR { file[$1] = $2; next }
  { split($0, f, /[ \t]+/); if (f[3] !~ /@/) next
    a = f[3]; loc = substr(a, index(a, "@") + 1); n = split(loc, parts, "_")
    line = parts[n]; key = substr(loc, 1, length(loc) - length(line) - 1)
    # FILE_UNIT (a header outlined in several units): the longest FILE prefix
    for (i = n - 1; !(key in file) && i > 1; i--) key = substr(key, 1, length(key) - length(parts[i]) - 1)
    print a "\t" (f[4] == "" ? "[vmlinux]" : f[4]) "\t" (key in file ? file[key] : "?") "\t" line }' \
  "$workdir/source-keys.txt" "$syms" | sort -u |
while IFS=$'\t' read -r a mod file line; do
  name=${a%%@*}; name=${name%%.*}
  if [ "$file" = "?" ]; then verdict=unresolved text=
  else
    text=$(sed -n "${line}p" "$file")
    case "$text" in *"$name("*) verdict=ok ;; *) verdict=other ;; esac
  fi
  printf '%s\t%s\t%s\t%s:%s\t%s\n' "$verdict" "$a" "$mod" "${file#"$workdir"/}" "$line" "$text"
done > "$lines"
echo "alias lines ($lines): $(cut -f1 "$lines" | sort | uniq -c | tr -s ' \n' ' ')"
key_names='^name_show$'; [ "$arch" != arm64 ] || key_names='^(name_show|gic_.*)$'
awk -F'\t' -v re="$key_names" '{ n = $2; sub(/@.*/, "", n) } n ~ re' "$lines" | sed 's/^/  /'
check "name_show$([ "$arch" != arm64 ] || echo ' and gic_*') aliases name their definition's line" \
  bash -c "awk -F'\t' -v re='$key_names' '{ n = \$2; sub(/@.*/, \"\", n) } n ~ re { seen = 1; if (\$1 != \"ok\") bad = 1 }
    END { exit !(seen && !bad) }' '$lines'"

# Each kallsyms pass's nm listing: 6.1 names them .tmp_vmlinux.kallsymsN.syms,
# 6.12 and later .tmp_vmlinuxN.syms (the empty dummy pass, 6.12's
# .tmp_vmlinux.kallsyms0.syms, 7.3's .tmp_vmlinux0.syms, gets no .kas).
pass_syms='.tmp_vmlinux[0-9]*.syms'
[ -n "$(cd "$workdir/linux" && compgen -G "$pass_syms.kas")" ] || pass_syms='.tmp_vmlinux.kallsyms[0-9]*.syms'
check "alias names identical in every kallsyms pass" bash -c "
  cd '$workdir/linux' && set -- $pass_syms.kas && [ -f \"\$1\" ] &&
  for f; do
    awk '\$3 ~ /@/ { print \$3 }' \$f | sort | cmp -s - <(awk '\$3 ~ /@/ { print \$3 }' \"\$1\" | sort) || exit 1
  done"
check "each pass's .syms has no alias (System.map stays plain)" bash -c \
  "cd '$workdir/linux' && set -- $pass_syms && [ -f \"\$1\" ] && ! grep -q '@' System.map && ! cat \"\$@\" | grep -q '@'"

ko=$(find "$workdir/linux/drivers/uio" -name uio.ko | head -1)
tmp=$(mktemp -d)
cp "$ko" "$tmp/uio.ko"
check "uio.ko has aliases" bash -c "$nm '$tmp/uio.ko' | grep -q '@'"
check "pahole -J on a module with aliases" bash -c \
  "pahole -J '$tmp/uio.ko' >/dev/null 2>&1 && readelf -S '$tmp/uio.ko' | grep -q '\.BTF'"
rm -rf "$tmp"

if [ -n "$btf" ]; then
  # Every module the build made, and the out-of-tree one, carries BTF; BTF
  # names come from DWARF: plain names, never an alias.
  mapfile -t kos < <(find "$workdir/linux" "$workdir/hello-build" -name '*.ko' | sort)
  check "BTF: ${#kos[@]} modules, each with a .BTF section" bash -c '
    [ "$#" -gt 0 ] || exit 1
    for ko; do readelf -SW "$ko" | grep -q " \.BTF " || { echo "no .BTF in $ko"; exit 1; }; done' _ "${kos[@]}"
  btfdir=$(mktemp -d)
  for ko in "${kos[@]}"; do
    objcopy --dump-section .BTF="$btfdir/$(basename "$ko").btf" "$ko" "$btfdir/scratch.o" 2>/dev/null || true
  done
  check "BTF: no alias name in any module's BTF" bash -c "! grep -la '@[A-Za-z0-9_]*_[0-9]' '$btfdir'/*.btf"
  echo "BTF of uio.ko: $(strings -n 4 "$btfdir/uio.ko.btf" | grep -c .) strings; its functions named like its aliases:" \
    "$(strings -n 4 "$btfdir/uio.ko.btf" | grep -xE "$("$nm" "$workdir/linux/drivers/uio/uio.ko" | awk '$3 ~ /@/ { sub(/@.*/, "", $3); print $3 }' | sort -u | paste -sd'|' -)" | sort -u | paste -sd' ' -)"
  # The same module linked without kas (X.o instead of X.o.kas, kbuild's own
  # ld command otherwise) gets the same BTF from pahole: single-threaded,
  # since pahole -j (kbuild's flag) does not always order its output alike.
  same_btf() {  # same_btf MODULE_BASE (drivers/uio/uio)
    local b=$1 n ld_cmd
    n=$(basename "$b")
    ld_cmd=$(sed -n 's/^savedcmd_[^ ]* := //p' "$workdir/linux/$(dirname "$b")/.$n.ko.cmd" | sed 's/^.*; *\(\S*ld\S* \)/\1/')
    ld_cmd=${ld_cmd//"$b.o.kas"/"$b.o"}
    ld_cmd=${ld_cmd//"-o $b.ko"/"-o $btfdir/$n.plain.ko"}
    (cd "$workdir/linux" && eval "$ld_cmd") || return 1
    cp "$workdir/linux/$b.ko" "$btfdir/$n.kas.ko"
    objcopy --remove-section .BTF "$btfdir/$n.kas.ko" || return 1
    for k in plain kas; do
      (cd "$workdir/linux" && pahole -J --btf_base vmlinux "$btfdir/$n.$k.ko") &&
        objcopy --dump-section .BTF="$btfdir/$n.$k.btf" "$btfdir/$n.$k.ko" "$btfdir/scratch.o" || return 1
    done
    cmp "$btfdir/$n.plain.btf" "$btfdir/$n.kas.btf" && echo "  $n: BTF identical without kas ($(stat -c %s "$btfdir/$n.kas.btf") bytes)"
  }
  for b in $(sed 's/\.[ko]*$//' "$workdir/linux/modules.order"); do
    check "BTF: $(basename "$b") with aliases has the BTF it has without" same_btf "$b"
  done
  rm -rf "$btfdir"
  check "BTF: the guest validated every module's BTF (no complaint in the console)" \
    bash -c "! grep -iE 'failed to validate module|BTF.*(error|invalid)' '$workdir/console.log'"
fi

if [ -n "$check_clean" ]; then
  # What kas leaves when killed on a file system without O_TMPFILE (named
  # temporaries; core/util/atomic_file), beside each kind of its outputs.
  leftovers=("drivers/uio/uio.o.kas.tmp.4242.0" ".tmp_vmlinux.kallsyms1.syms.kas.tmp.AbC123"
             "modules.symbfreq.tmp.XyZ789")
  cleaned() {
    local f arch_arg=()
    [ "$arch" = arm64 ] && arch_arg=(ARCH=arm64)
    for f in "${leftovers[@]}"; do echo partial > "$workdir/linux/$f" || return 1; done
    ls "$workdir"/linux/drivers/uio/uio.o.kas > /dev/null || return 1
    make -s -C "$workdir/linux" "${arch_arg[@]}" clean || return 1
    for f in "${leftovers[@]}" drivers/uio/uio.o.kas; do
      [ ! -e "$workdir/linux/$f" ] || { echo "  $f survived make clean"; return 1; }
    done
    [ -f "$workdir/linux/drivers/uio/uio.c" ]
  }
  check "make clean removes kas's leftovers and alias objects" cleaned
fi

echo "== $failures check(s) failed"
[ "$failures" -eq 0 ]
