#!/usr/bin/env bash
# Benchmark of `kas vmlinux` on Debian's 6.1.0-56-amd64 debug kernel.
#
# Fetches linux-image-6.1.0-56-amd64-dbg when absent (apt-get download +
# dpkg-deb -x into a cache outside the repo), builds vmlinux's nm listing the
# way 6.1's scripts/mksysmap does, then measures in one run:
#   - kas vmlinux (census of vmlinux + every module, locations, output):
#     wall, CPU, peak RSS, alias lines, alias collisions, build-dir leaks;
#   - the census done the reference way (nm on every module) vs `kas census`,
#     checked equal, with the time ratio.
# With --verify it also checks every alias location against llvm-dwarfdump.
#
# usage: bench/vmlinux-bench.sh [--kas PATH] [--cache DIR] [--verify]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kas=${KAS:-$here/../build/client/kas}
cache=${KAS_BENCH_CACHE:-/var/cache/kasd-bench}
verify=0
pkg=linux-image-6.1.0-56-amd64-dbg
release=6.1.0-56-amd64
while [ $# -gt 0 ]; do
  case "$1" in
    --kas) kas=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --verify) verify=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "vmlinux-bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$kas" ] || { echo "vmlinux-bench: kas not built at $kas (cmake --build build)" >&2; exit 1; }
for tool in nm /usr/bin/time; do
  command -v $tool >/dev/null || { echo "vmlinux-bench: needs $tool (apt-get install binutils time)" >&2; exit 1; }
done

mkdir -p "$cache"
root=$cache/root/usr/lib/debug
vmlinux=$root/boot/vmlinux-$release
moddir=$root/lib/modules/$release
if [ ! -f "$vmlinux" ]; then
  deb=$(ls "$cache"/${pkg}_*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    echo "fetching $pkg (~860 MB) into $cache" >&2
    (cd "$cache" && apt-get download "$pkg")
    deb=$(ls "$cache"/${pkg}_*.deb | head -n1)
  fi
  echo "unpacking $deb (5.4 GB)" >&2
  dpkg-deb -x "$deb" "$cache/root"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 6.1 scripts/mksysmap
nm -n "$vmlinux" | grep -v -e ' [aNUw] ' -e ' \$' -e ' \.L' -e ' __crc_' -e ' __kstrtab_' \
  -e ' __kstrtabns_' -e ' L0$' > "$work/vmlinux.syms"
find "$moddir" -name '*.ko' | sort > "$work/modules.list"
nmod=$(wc -l < "$work/modules.list")

# Warm the page cache so both sides read from memory.
cat "$work/modules.list" | xargs cat > /dev/null

measure() {  # measure NAME CMD...: prints "wall cpu rss_kb"
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@"
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/$name.time"
}

echo "== kas vmlinux: vmlinux + $nmod modules =="
read -r kwall kcpu krss < <(measure kas "$kas" vmlinux --no-daemon --nm "$work/vmlinux.syms" --elf "$vmlinux" \
  --modules "$moddir" -o "$work/vmlinux.syms.alias" -v 2> "$work/kas.log")
grep -v '^kas: no location' "$work/kas.log" || true
input=$(wc -l < "$work/vmlinux.syms")
output=$(wc -l < "$work/vmlinux.syms.alias")
aliases=$(grep -c ' [^ ]*@' "$work/vmlinux.syms.alias" || true)
collisions=$(awk '$3 ~ /@/ {print $3}' "$work/vmlinux.syms.alias" | sort | uniq -d | wc -l)
leaks=$(awk '$3 ~ /@/ {print $3}' "$work/vmlinux.syms.alias" | grep -c -E '@.*(debian_build|build_amd64|reproducible)' || true)
preserved=$(grep -v -F -x -f "$work/vmlinux.syms" "$work/vmlinux.syms.alias" | grep -c -v ' [^ ]*@' || true)
inorder=$(awk '$3 !~ /@/' "$work/vmlinux.syms.alias" | cmp -s - "$work/vmlinux.syms" && echo yes || echo NO)
printf 'wall %ss  cpu %ss  peak RSS %d MiB\n' "$kwall" "$kcpu" $((krss / 1024))
printf 'input lines %d, output lines %d, alias lines %d, alias collisions %d, build-dir leaks %d, input preserved in order: %s\n' \
  "$input" "$output" "$aliases" "$collisions" "$leaks" "$inorder"

echo "== locations: addr2line on the same addresses (the reference's way) =="
awk '$3 ~ /@/ {print $1}' "$work/vmlinux.syms.alias" > "$work/alias.addrs"
read -r awall acpu arss < <(measure addr2line sh -c 'addr2line -f -e "$1" @"$2" > /dev/null' sh "$vmlinux" "$work/alias.addrs")
printf 'addr2line, %d addresses: wall %ss cpu %ss peak RSS %d MiB (kas did census + locations + output in %ss: %.1fx less wall)\n' \
  "$(wc -l < "$work/alias.addrs")" "$awall" "$acpu" $((arss / 1024)) "$kwall" "$(echo "$awall / $kwall" | bc -l)"

echo "== census: nm on every module (reference way) vs kas census =="
ref_start=$(date +%s.%N)
{
  grep -v -E ' [Uwv] ' "$work/vmlinux.syms" | awk '{print $3}'
  xargs -a "$work/modules.list" -n 64 -P 1 nm 2>/dev/null | awk 'NF >= 2 && $(NF-1) !~ /^[Uwv]$/ && $0 !~ /:$/ {print $NF}'
} | sort | uniq -c | awk '{print $2 ":" $1}' | LC_ALL=C sort > "$work/census.ref"
ref_end=$(date +%s.%N)
read -r cwall ccpu crss < <(measure census "$kas" census --no-daemon --nm "$work/vmlinux.syms" --modules "$moddir" \
  -o "$work/census.kas")
LC_ALL=C sort "$work/census.kas" > "$work/census.kas.sorted"
ref_wall=$(echo "$ref_end - $ref_start" | bc)
if cmp -s "$work/census.ref" "$work/census.kas.sorted"; then same=yes; else same=NO; fi
printf 'nm (reference, one job): %.2fs   kas census: %ss (cpu %ss, RSS %d MiB)   ratio %.1fx   identical: %s (%d names)\n' \
  "$ref_wall" "$cwall" "$ccpu" $((crss / 1024)) "$(echo "$ref_wall / $cwall" | bc -l)" "$same" "$(wc -l < "$work/census.kas")"
[ "$same" = yes ] || diff "$work/census.ref" "$work/census.kas.sorted" | head -20

if [ "$verify" = 1 ]; then
  echo "== locations vs llvm-dwarfdump --lookup =="
  python3 "$here/verify-locations.py" "$vmlinux" "$work/vmlinux.syms.alias"
fi
