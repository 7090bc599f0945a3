#!/usr/bin/env bash
# Benchmark of `kas vmlinux` on a Debian debug kernel (default 6.1.0-56-amd64).
#
# Fetches the debug package when absent (apt-get download + dpkg-deb -x into
# CACHE/PACKAGE, outside the repo; see bench/kernelpkg.py: an unpacked tree is
# reused by linking it to CACHE/PACKAGE/root), builds vmlinux's nm listing the
# way the kernel's scripts/mksysmap does with the target's binutils (e.g.
# aarch64-linux-gnu-nm, installed when missing; 6.1: its grep, 6.12: the sed
# script itself, read from /usr/src/linux-source-6.12.tar.xz) and checks it
# equals the package's System.map (7.x packages keep it in the modules
# directory), then measures in one run:
#   - kas vmlinux (census of vmlinux + every module, locations, output):
#     wall, CPU, peak RSS, alias lines, alias collisions, build-dir leaks;
#   - the census done the reference way (nm on every module) vs `kas census`,
#     checked equal, with the time ratio.
# It also counts the eligible definitions kas found no location for, each
# with its ELF type, section and section flags (readelf), and fails when
# fewer than 99.5% of eligible definitions got an alias.
# With --verify it also checks every alias location against llvm-dwarfdump
# (bench/verify-locations.py: the subprogram whose address ranges hold the
# symbol, or the variable at its address for an object).
#
# usage: bench/vmlinux-bench.sh [--kernel-package NAME[:ARCH]] [--kas PATH] [--cache DIR]
#                               [--linux-source TARBALL] [--verify] [--keep]
#   e.g. --kernel-package linux-image-6.1.0-56-arm64-dbg:arm64
#   --linux-source: where scripts/mksysmap is read for 6.12 and later
#   (default /usr/src/linux-source-X.Y.tar.xz, from Debian's linux-source-X.Y;
#   for 7.3 see bench/debian-suite-fetch.sh)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kas=${KAS:-$here/../build/client/kas}
cache=${KAS_BENCH_CACHE:-/var/cache/kasd-bench}
verify=0
keep=0
pkg=linux-image-6.1.0-56-amd64-dbg
linux_source=
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel-package) pkg=$2; shift 2 ;;
    --kas) kas=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --linux-source) linux_source=$2; shift 2 ;;
    --verify) verify=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "vmlinux-bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$kas" ] || { echo "vmlinux-bench: kas not built at $kas (cmake --build build)" >&2; exit 1; }
for tool in /usr/bin/time bc; do
  command -v $tool >/dev/null || { echo "vmlinux-bench: needs $tool (apt-get install time bc)" >&2; exit 1; }
done

mkdir -p "$cache"
# pkg arch release triplet root vmlinux moddir NM OBJDUMP READELF ADDR2LINE OBJCOPY LD
kernel=$(python3 "$here/kernelpkg.py" --cache "$cache" --fetch "$pkg") || exit 1
eval "$kernel"
echo "kernel $pkg: $vmlinux ($arch, binutils $NM)"

work=$(mktemp -d)
if [ "$keep" = 1 ]; then echo "work files kept in $work"; else trap 'rm -rf "$work"' EXIT; fi

# The kernel's scripts/mksysmap: 6.1's is a grep; from 6.12 on a sed script,
# read from the release's own source.
case "$release" in
  6.1.*)
    "$NM" -n "$vmlinux" | grep -v -e ' [aNUw] ' -e ' \$' -e ' \.L' -e ' __crc_' -e ' __kstrtab_' \
      -e ' __kstrtabns_' -e ' L0$' > "$work/vmlinux.syms" ;;
  *)
    series=$(echo "$release" | cut -d. -f1,2)
    src=${linux_source:-/usr/src/linux-source-$series.tar.xz}
    [ -f "$src" ] || { echo "vmlinux-bench: Linux $release's scripts/mksysmap is read from $src: apt-get install linux-source-$series, or give --linux-source" >&2; exit 1; }
    tar -xJf "$src" -C "$work" --wildcards --no-wildcards-match-slash '*/scripts/mksysmap'
    "$NM" -n "$vmlinux" | sed -f "$work"/*/scripts/mksysmap > "$work/vmlinux.syms" ;;
esac
sysmap=$(dirname "$vmlinux")/System.map-$release
[ -f "$sysmap" ] || sysmap=$moddir/System.map   # 7.x: linux-base-R's is a placeholder
if [ -f "$sysmap" ]; then
  if cmp -s "$sysmap" "$work/vmlinux.syms"; then echo "listing equals the package's $(basename "$sysmap")"
  else
    # The package's kernel had its own stable release's mksysmap (Debian's
    # arm64 6.12.107 still lists __pi_$x, which 6.12.117's drops): what its
    # kallsyms saw is the package's System.map, so that is the listing.
    echo "listing: the package's $(basename "$sysmap"), which differs from this mksysmap's output in" \
      "$({ diff "$sysmap" "$work/vmlinux.syms" || true; } | grep -c '^[<>]') lines:"
    { diff "$sysmap" "$work/vmlinux.syms" || true; } | grep '^[<>]' | awk '{print $1, $4}' | sort | uniq -c | head -5
    cp "$sysmap" "$work/vmlinux.syms"
  fi
fi
find "$moddir" -name '*.ko' | sort > "$work/modules.list"
nmod=$(wc -l < "$work/modules.list")

# Warm the page cache so both sides read from memory.
cat "$work/modules.list" | xargs cat > /dev/null

measure() {  # measure NAME CMD...: prints "wall cpu rss_kb"
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@" || true  # a failure shows in the output checks
  tail -n1 "$work/$name.time" | awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}'
}

echo "== kas vmlinux: vmlinux + $nmod modules =="
read -r kwall kcpu krss < <(measure kas "$kas" vmlinux --no-daemon --nm "$work/vmlinux.syms" --elf "$vmlinux" \
  --modules "$moddir" -o "$work/vmlinux.syms.alias" -v 2> "$work/kas.log")
grep -v '^kas: no location' "$work/kas.log" || true
input=$(wc -l < "$work/vmlinux.syms")
output=$(wc -l < "$work/vmlinux.syms.alias")
# An alias line follows its symbol's line: same address and type, NAME@... (input names
# may hold '@' themselves: arm64's linker-made erratum veneers e843419@01af_00002bd0_8c04).
awk '{ if (n != "" && $1 == a && $2 == t && index($3, n "@") == 1) print; else { a = $1; t = $2; n = $3 } }' \
  "$work/vmlinux.syms.alias" > "$work/alias.lines"
awk '{ if (n != "" && $1 == a && $2 == t && index($3, n "@") == 1) next; a = $1; t = $2; n = $3; print }' \
  "$work/vmlinux.syms.alias" > "$work/input.lines"
aliases=$(wc -l < "$work/alias.lines")
collisions=$( { awk '{print $3}' "$work/alias.lines" | sort | uniq -d; awk '{print $3}' "$work/vmlinux.syms" | LC_ALL=C sort -u |
  LC_ALL=C comm -12 - <(awk '{print $3}' "$work/alias.lines" | LC_ALL=C sort -u); } | wc -l)
leaks=$(awk '{print $3}' "$work/alias.lines" | grep -c -E '@.*(debian_build|build_[a-z0-9]+_none|reproducible)' || true)
inorder=$(cmp -s "$work/input.lines" "$work/vmlinux.syms" && echo yes || echo NO)
printf 'wall %ss  cpu %ss  peak RSS %d MiB\n' "$kwall" "$kcpu" $((krss / 1024))
printf 'input lines %d, output lines %d, alias lines %d, alias collisions %d, build-dir leaks %d, input preserved in order: %s\n' \
  "$input" "$output" "$aliases" "$collisions" "$leaks" "$inorder"

# Coverage: eligible definitions without an alias, each described by readelf
# (ELF type, section, its flags), so the reason is visible.
read -r eligible located < <(sed -n 's/.* \([0-9]*\) eligible, \([0-9]*\) aliases .*/\1 \2/p' "$work/kas.log")
sed -n 's/^kas: no location: //p' "$work/kas.log" > "$work/unlocated.lines"   # ADDR TYPE NAME
# (index name flags: "[Nr] Name Type Addr Off Size ES Flg Lk Inf Al", Flg may be empty)
readelf -SW "$vmlinux" | sed -n 's/^ *\[ *\([0-9]*\)\] /\1 /p' | awk '{print $1, $2, (NF == 11 ? $8 : "")}' > "$work/sections"
readelf -sW "$vmlinux" | awk 'NR == FNR { want[$3 " " $1]; next } ($8 " " $2 in want) { print $8, $4, $7 }' \
  "$work/unlocated.lines" - > "$work/unlocated.elf"
awk 'NR == FNR { name[$1] = $2; flags[$1] = $3; next } { print $1, $2, name[$3] "(" flags[$3] ")" }' \
  "$work/sections" "$work/unlocated.elf" | sort -u > "$work/unlocated.described"
unlocated=$((eligible - located))
printf 'eligible %d, aliased %d (%.2f%%), without location %d\n' "$eligible" "$located" \
  "$(echo "100 * $located / $eligible" | bc -l)" "$unlocated"
if [ "$unlocated" -gt 0 ]; then
  echo "without location, by ELF type and section (name type section(flags)):"
  awk '{print $2, $3}' "$work/unlocated.described" | sort | uniq -c | sort -rn | head -10
  head -20 "$work/unlocated.described" | sed 's/^/  /'
fi
coverage_ok=$(echo "$located * 1000 >= $eligible * 995" | bc)

echo "== locations: addr2line on the same addresses (the reference's way) =="
awk '{print $1}' "$work/alias.lines" > "$work/alias.addrs"
read -r awall acpu arss < <(measure addr2line sh -c '"$0" -f -e "$1" @"$2" > /dev/null' "$ADDR2LINE" "$vmlinux" "$work/alias.addrs")
printf 'addr2line, %d addresses: wall %ss cpu %ss peak RSS %d MiB (kas did census + locations + output in %ss: %.1fx less wall)\n' \
  "$(wc -l < "$work/alias.addrs")" "$awall" "$acpu" $((arss / 1024)) "$kwall" "$(echo "$awall / $kwall" | bc -l)"

echo "== census: nm on every module (reference way) vs kas census =="
# Names as kallsyms has them: vmlinux's without those 6.1's scripts/kallsyms.c ignores
# (is_ignored_symbol: linker stubs such as ppc64's 0000007d.long_branch.rtas_call,
# arm64's __efistub_ and __kvm_nvhe_$ names) and 6.12's mksysmap adds (arm64's __pi_$
# and __pi_.L, any lld __...Thunk_, CFI type ids), modules' without ARM mapping symbols ($x, $d).
ref_start=$(date +%s.%N)
{
  grep -v -E ' [Uwv] ' "$work/vmlinux.syms" | awk '{print $3}' |
    grep -v -E '^(\$|\.L|__crc_|__efistub_|__kvm_nvhe_\$|__kvm_nvhe_\.L|__pi_\$|__pi_\.L|__[[:alnum:]]*Thunk_|__kcfi_typeid_|__kvm_nvhe___kcfi_typeid_|__pi___kcfi_typeid_)|(_from_arm|_from_thumb|_veneer)$|\.long_branch\.|\.plt_branch\.'
  xargs -a "$work/modules.list" -n 64 -P 1 "$NM" 2>/dev/null |
    awk 'NF >= 2 && $(NF-1) !~ /^[Uwv]$/ && $0 !~ /:$/ && $NF !~ /^\$[adtx](\.|$)/ {print $NF}'
} | sort | uniq -c | awk '{print $2 ":" $1}' | LC_ALL=C sort > "$work/census.ref"
ref_end=$(date +%s.%N)
read -r cwall ccpu crss < <(measure census "$kas" census --no-daemon --nm "$work/vmlinux.syms" --modules "$moddir" \
  -o "$work/census.kas")
LC_ALL=C sort "$work/census.kas" > "$work/census.kas.sorted"
ref_wall=$(echo "$ref_end - $ref_start" | bc)
if cmp -s "$work/census.ref" "$work/census.kas.sorted"; then same=yes; else same=NO; fi
printf 'nm (reference, one job): %.2fs   kas census: %ss (cpu %ss, RSS %d MiB)   ratio %.1fx   identical: %s (%d names)\n' \
  "$ref_wall" "$cwall" "$ccpu" $((crss / 1024)) "$(echo "$ref_wall / $cwall" | bc -l)" "$same" "$(wc -l < "$work/census.kas")"
[ "$same" = yes ] || { diff "$work/census.ref" "$work/census.kas.sorted" | head -20 || true; }

if [ "$verify" = 1 ]; then
  echo "== locations vs llvm-dwarfdump (subprogram by address range) =="
  read -r vwall vcpu vrss < <(measure verify sh -c 'python3 "$0" --cross "$1" "$2" "$3" > "$4"' \
    "$here/verify-locations.py" "${NM%nm}" "$vmlinux" "$work/vmlinux.syms.alias" "$work/verify.out")
  cat "$work/verify.out"
  printf 'verification: wall %ss, cpu %ss (llvm-dwarfdump + grep + python), largest process %d MiB\n' \
    "$vwall" "$vcpu" $((vrss / 1024))
  tail -n1 "$work/verify.out" | grep -q -E '\((99\.[5-9][0-9]|100\.00)%\)'
fi
[ "$coverage_ok" = 1 ] || { echo "vmlinux-bench: fewer than 99.5% of eligible definitions aliased" >&2; exit 1; }
