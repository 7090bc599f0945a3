#!/usr/bin/env bash
# README.md's examples of kas output, made by kas on a named kernel so that
# they stay true: Debian 12's 6.1.0-56-amd64, from its debug package
# (linux-image-6.1.0-56-amd64-dbg), installed or unpacked anywhere. Prints
# each example's command as run here and what kas printed; with --check, also
# fails naming every printed line that README.md lacks.
#
# usage: bench/readme-examples.sh [--check] [KAS]
#   KAS: default build/client/kas beside this tree, else kas in PATH.
#   KAS_DEBUG_ROOT=DIR: where the -dbg package is unpacked (default: / when
#   /usr/lib/debug/boot/vmlinux-6.1.0-56-amd64 is installed, else
#   /var/tmp/kas-dbg-6.1). To unpack it (0.9 GB download, 5 GB unpacked):
#     apt-get download linux-image-6.1.0-56-amd64-dbg
#     dpkg-deb -x linux-image-6.1.0-56-amd64-dbg_*.deb /var/tmp/kas-dbg-6.1
#   The out-of-tree module example builds tests/oot/hello with Debian's
#   kbuild (linux-headers-6.1.0-56-amd64, as .ci/setup installs it); it is
#   skipped, saying so, without it.
#
# The probe example writes to a stand-in tracefs (a directory holding
# kprobe_events), so it needs neither root nor that running kernel; its path
# is printed as /sys/kernel/tracing, where kas would write on the real one.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
kas=${1:-}
if [ -z "$kas" ]; then
  if [ -x "$here/build/client/kas" ]; then kas=$here/build/client/kas; else kas=$(command -v kas); fi
fi
kas=$(cd "$(dirname "$kas")" && pwd)/$(basename "$kas")
release=6.1.0-56-amd64
root=${KAS_DEBUG_ROOT:-}
if [ -z "$root" ]; then
  if [ -f "/usr/lib/debug/boot/vmlinux-$release" ]; then root=/; else root=/var/tmp/kas-dbg-6.1; fi
fi
debug=${root%/}/usr/lib/debug
if [ ! -f "$debug/boot/vmlinux-$release" ]; then
  echo "readme-examples: no $debug/boot/vmlinux-$release: install linux-image-$release-dbg, or unpack it" \
       "(see the top of $0) and set KAS_DEBUG_ROOT" >&2
  exit 1
fi
# --kernel RELEASE, below the root the package is in.
target=(--kernel "$release")
[ "$root" = / ] || target+=(--debug-root "$root")

work=$(mktemp -d /tmp/kas-readme.XXXXXX)
export KAS_SOCKET=$work/kasd.sock  # a daemon of this kas, stopped at exit
trap '"$kas" daemon stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
printed=$work/printed
: > "$printed"

# example TITLE: a heading, then "$ COMMAND" and its output from stdin.
example() {
  printf '\n== %s (Debian %s)\n$ %s\n' "$1" "$release" "$2"
  tee -a "$printed"
}

# README, top: the alias line kas vmlinux adds to the kallsyms listing.
"$kas" vmlinux --nm "$debug/boot/System.map-$release" --elf "$debug/boot/vmlinux-$release" \
  --modules "$debug/lib/modules/$release" -o "$work/kallsyms.syms"
grep -B1 ' name_show@kernel_irq_irqdesc_c_' "$work/kallsyms.syms" |
  example "an alias line" "kas vmlinux --nm System.map-$release --elf vmlinux-$release --modules .../lib/modules/$release | grep -B1 ' name_show@kernel_irq_irqdesc_c_'"

# README, "Using kas": an out-of-tree module's alias, with the installed
# kernel's census.
headers=/usr/src/linux-headers-$release
[ -d "$headers" ] || headers=/var/cache/kasd-ci/linux-headers-$release/usr/src/linux-headers-$release
if [ -d "$headers" ]; then
  cp -r "$here/tests/oot/hello" "$work/hello"
  make -s -C "$headers" M="$work/hello" modules > "$work/kbuild.log" 2>&1 || { cat "$work/kbuild.log" >&2; exit 1; }
  "$kas" module "$work/hello/hello.ko" --kernel "$debug/lib/modules/$release" --in-place
  readelf -sW "$work/hello/hello.ko" | awk '$8 ~ /@/ { print "# " $8 }' |
    example "an out-of-tree module" "kas module hello.ko --kernel .../lib/modules/$release --in-place; readelf -sW hello.ko"
else
  printf '\n== an out-of-tree module: skipped, no %s (linux-headers-%s)\n' "$headers" "$release"
fi

# README, "Tracing a duplicated function": the probe, installed, for
# entry and return, and what bpftrace and perf are then given.
mkdir "$work/tracing"
: > "$work/tracing/kprobe_events"
: > "$work/tracing/error_log"
spec=name_show@kernel_irq_irqdesc_c_230
for extra in "" --return; do
  # shellcheck disable=SC2086  # $extra: no word or one
  "$kas" probe "$spec" "${target[@]}" --install $extra --tracefs "$work/tracing" 2>&1 |
    sed "s|$work/tracing|/sys/kernel/tracing|g" |
    example "a probe${extra:+ ($extra)}" "sudo kas probe $spec${extra:+ $extra} --install"
done
for format in bpftrace perf; do
  "$kas" probe "$spec" "${target[@]}" --install --tracefs "$work/tracing" --format "$format" 2>/dev/null |
    example "the probe, installed, for $format" "kas probe $spec --install --format $format"
done

if [ $check = 1 ]; then
  missing=0
  while IFS= read -r line; do
    if ! grep -qF -- "$line" "$here/README.md"; then
      echo "readme-examples: README.md lacks: $line" >&2
      missing=1
    fi
  done < "$printed"
  [ $missing = 0 ] || exit 1
  echo "readme-examples: README.md shows what kas prints on Debian $release"
fi
