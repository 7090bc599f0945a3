#!/usr/bin/env bash
# End-to-end check of `kas decode` against real kernel call traces.
#
# usage: tests/e2e/decode-e2e.sh [--arch x86_64|arm64] [--kernel 6.1|6.12|7.3] [--workdir DIR]
#                                [--kas PATH] [--no-build | --no-make]
#
# Drives ../shared/e2e/kernel-e2e.sh (beside this repository) on its small
# unmodified Linux kernel (no kbuild series, as run-e2e.sh --plain), with
# tests/e2e/sysrq.config (and sysrq-ARCH.config) merged on top, and has the
# guest print real call traces into WORKDIR/stacks.txt:
#   - `echo 1 > /sys/module/kas_hello/parameters/stack; cat /sys/kernel/kas_hello/name`:
#     dump_stack() from the out-of-tree module's name_show (a name vmlinux and
#     five in-tree modules also define);
#   - `echo l > /proc/sysrq-trigger`: backtrace of all CPUs (on QEMU's one
#     CPU, the writing task's own stack);
#   - `echo t > /proc/sysrq-trigger`: every task's stack (sleeping tasks).
# Then, on the host, it decodes those traces (WORKDIR/decode-e2e-boot/stacks.txt) with
#   kas decode --vmlinux WORKDIR/linux/vmlinux --modules-order WORKDIR/linux/modules.order
#              --modules WORKDIR/hello-build --srctree WORKDIR/linux --no-daemon --json
# and checks every frame `NAME+0xOFF/0xSIZE [module]` of every trace against
# two oracles that share no code with kas:
#   a) addr2line -f -i: the frame's symbol is found in the guest's own
#      /proc/kallsyms (the same boot's kallsyms.txt): the entry called NAME in that
#      binary whose kallsyms size is SIZE (the distance to the next higher
#      kallsyms address, as kernel/kallsyms.c get_symbol_pos() and
#      kernel/module/kallsyms.c find_kallsyms_symbol() compute it: in a
#      module only text symbols that are not mapping symbols count, and a
#      module's last text symbol, whose size runs to the end of its text
#      memory, is taken when it is the only entry of its name). vmlinux:
#      its kallsyms address minus the KASLR offset (kallsyms _text - nm
#      _text, 0 here) is the link address; a module's symbol is the .ko's
#      symbol of the same name and rank (the kernel keeps a module's symbols
#      in .ko symbol table order), looked up in its own section
#      (addr2line -j SECTION). Call-trace frames are return addresses:
#      ADDR+OFF-1; the RIP:/pc : frame is the faulting instruction: ADDR+OFF.
#   b) the tree's own scripts/decode_stacktrace.sh (vmlinux, the tree as base
#      path, a directory of every module's .ko), on the frame lines.
# A frame passes when kas gives exactly one candidate whose frames (innermost
# first, file:line, paths relative to the source tree) are addr2line -i's
# (kas names the out-of-tree module's file from its directory's parent,
# hello-build/kas_hello.c: taken as ../hello-build/kas_hello.c, with an INFO
# line). A frame addr2line has no line for (an unreliable `? NAME+SIZE/SIZE`
# whose ADDR+OFF-1 is alignment padding) is a SKIP, not counted.
# Prints each frame (PASS/FAIL/SKIP, kas vs addr2line vs decode_stacktrace.sh;
# `=` is "same as addr2line"), the totals, kas decode's exit status and
# stderr; WORKDIR/decode-e2e/ keeps the report (report.txt) and every
# intermediate file (frames.tsv, symsizes.tsv, a2l-in.tsv, a2l-out.tsv,
# decode_stacktrace.txt, dst.tsv, kas.json, kas.stderr, kas.tsv).
#   --arch     x86_64 (default) or arm64 (cross-built with aarch64-linux-gnu-,
#              booted on qemu-system-aarch64 -M virt, TCG)
#   --kernel   6.1 (default), 6.12 or 7.3: Debian's linux-source-VERSION
#              (tests/e2e/kernel-source.sh finds its tarball)
#   --workdir  the harness's work directory (default
#              /var/tmp/kas-e2e-stack-ARCH-VERSION), one per kind
#   --kas      the kas to check (default build/client/kas of this repository)
#   --no-build reuse a built and booted work directory: no harness run, decode
#              the traces of the last boot (WORKDIR/decode-e2e-boot: after each
#              boot stacks.txt, kallsyms.txt, console.log and results.txt are
#              copied there, out of reach of other runs of the harness in the
#              same work directory, such as tests/e2e/probe-e2e.sh's)
#   --no-make  boot again without building (the harness's --no-build): new traces
# Needs: the harness's packages (its README), jq, and for arm64
# binutils-aarch64-linux-gnu. Not run in CI (the first build takes minutes).
# Exit 0 when every check passes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
harness=${KAS_E2E_HARNESS:-$repo/../shared/e2e/kernel-e2e.sh}
arch=x86_64
kernel=6.1
workdir=
kas=$repo/build/client/kas
run_harness=1
harness_extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --kas) kas=$2; shift 2 ;;
    --no-build) run_harness=; shift ;;
    --no-make) harness_extra=(--no-build); shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "decode-e2e.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$arch" in
  x86_64) cross= ;;
  arm64) cross=${CROSS_COMPILE:-aarch64-linux-gnu-} ;;
  *) echo "decode-e2e.sh: --arch must be x86_64 or arm64, not '$arch'" >&2; exit 2 ;;
esac
. "$here/kernel-source.sh"
kernel_src=$(kernel_source "$kernel") || exit 2
workdir=${workdir:-/var/tmp/kas-e2e-stack-$arch-$kernel}
for t in jq "${cross}addr2line" "${cross}readelf" "${cross}nm"; do
  command -v "$t" > /dev/null || { echo "decode-e2e.sh: $t not found" >&2; exit 2; }
done
[ -x "$kas" ] || { echo "decode-e2e.sh: no kas at $kas (build it, or --kas PATH)" >&2; exit 2; }
kas=$(cd "$(dirname "$kas")" && pwd)/$(basename "$kas")

failures=0
check() {  # check DESCRIPTION COMMAND...
  local desc=$1; shift
  if "$@"; then echo "PASS $desc"; else echo "FAIL $desc"; failures=$((failures + 1)); fi
}

if [ -n "$run_harness" ]; then
  [ -x "$harness" ] || { echo "decode-e2e.sh: no harness at $harness (set KAS_E2E_HARNESS)" >&2; exit 2; }
  harness_args=(--workdir "$workdir" --arch "$arch" --accel tcg --jobs 2 --quiet
                --kernel-src "$kernel_src"
                --extra-fragment "$here/sysrq.config")
  [ ! -f "$here/sysrq-$arch.config" ] || harness_args+=(--extra-fragment "$here/sysrq-$arch.config")
  harness_args+=(--stack 'echo 1 > /sys/module/kas_hello/parameters/stack; cat /sys/kernel/kas_hello/name'
                 --stack 'echo l > /proc/sysrq-trigger'
                 --stack 'echo t > /proc/sysrq-trigger')
  echo "== build and boot: $harness ${harness_args[*]} ${harness_extra[*]}"
  if ! "$harness" "${harness_args[@]}" "${harness_extra[@]}"; then
    echo "FAIL the harness run (see $workdir/results.txt, $workdir/console.log, $workdir/logs)"
    exit 1
  fi
  # The boot's traces and kallsyms, kept where another run of the harness in
  # this work directory (tests/e2e/probe-e2e.sh reuses it) does not overwrite them.
  mkdir -p "$workdir/decode-e2e-boot"
  cp "$workdir"/{stacks.txt,kallsyms.txt,console.log,results.txt} "$workdir/decode-e2e-boot/"
fi

tree=$workdir/linux
boot=$workdir/decode-e2e-boot
[ -s "$boot/stacks.txt" ] || boot=$workdir
stacks=$boot/stacks.txt
syms=$boot/kallsyms.txt
for f in "$stacks" "$syms" "$tree/vmlinux" "$tree/modules.order"; do
  [ -s "$f" ] || { echo "decode-e2e.sh: no $f (build and boot first: drop --no-build)" >&2; exit 1; }
done
out=$workdir/decode-e2e
rm -rf "$out"
mkdir -p "$out"
exec > >(tee "$out/report.txt") 2>&1
release=$(sed -n 's/.*KAS-E2E: BEGIN kernel=\([^ ]*\).*/\1/p' "$boot/console.log" 2>/dev/null | head -n 1)
echo "== $arch Linux ${release:-$kernel} ($workdir), traces and kallsyms of $boot, kas $kas"

# --- the frames: one per line, the first NAME+0xOFF/0xSIZE [module] -----------
# frames.tsv: index, line number, kind (ret: a return address; pc: the
# RIP:/pc : line), how the line marks it (-, ?, lr), binary, name, offset,
# size (hex, without 0x), the frame's text, the whole line
awk '{
  line = $0
  if (!match(line, /[A-Za-z0-9_.$@]+\+0x[0-9a-f]+\/0x[0-9a-f]+/)) next
  sym = substr(line, RSTART, RLENGTH); before = substr(line, 1, RSTART - 1)
  rest = substr(line, RSTART + RLENGTH); text = sym; bin = "vmlinux"
  if (match(rest, /^ \[[A-Za-z0-9_-]+\]/)) { bin = substr(rest, 3, RLENGTH - 3); text = text " [" bin "]" }
  name = sym; sub(/\+0x.*/, "", name)
  off = sym; sub(/^.*\+0x/, "", off); sub(/\/.*/, "", off); size = sym; sub(/^.*\/0x/, "", size)
  kind = (before ~ /RIP:|EIP:|pc :/) ? "pc" : "ret"
  mark = (before ~ /\? $/) ? "?" : (before ~ /lr :/) ? "lr" : "-"
  n++; print n "\t" NR "\t" kind "\t" mark "\t" bin "\t" name "\t" off "\t" size "\t" text "\t" line
}' "$stacks" > "$out/frames.tsv"
nframes=$(wc -l < "$out/frames.tsv")
echo "stacks.txt: $(wc -l < "$stacks") lines, $nframes frames" \
  "($(awk -F'\t' '$3 == "pc"' "$out/frames.tsv" | wc -l) RIP/pc, $(awk -F'\t' '$4 == "?"' "$out/frames.tsv" | wc -l) unreliable '? '," \
  "$(awk -F'\t' '$4 == "lr"' "$out/frames.tsv" | wc -l) lr, $(awk -F'\t' '$5 != "vmlinux"' "$out/frames.tsv" | wc -l) in modules)"
check "the traces hold frames" test "$nframes" -gt 0
check "a frame in kas_hello's name_show (or its .cold part)" \
  bash -c "awk -F'\t' '\$5 == \"kas_hello\" && \$6 ~ /^name_show(\\.cold)?\$/' '$out/frames.tsv' | grep -q ."

# --- kallsyms sizes, as the kernel computes them --------------------------------
# symsizes.tsv: binary, address, type, name, rank of the name in its binary
# (kallsyms order), size (decimal; -1 when it runs to the end of a region)
awk -v kver="$kernel" '
  function mapping(n) {   # 6.1 is_arm_mapping_symbol(), 6.12 is_mapping_symbol()
    if (kver == "6.1") return n ~ /^(\.L|\$[axtd](\.|$))/
    return n ~ /^(\$|\.L|L0)/
  }
  NF == 3 || NF == 4 {
    bin = "vmlinux"; if (NF == 4) { bin = $4; gsub(/[][]/, "", bin) }
    # vmlinux: every entry bounds the one before; a module: its text symbols
    # that are not mapping symbols (the text memory holds nothing else)
    elig = (NF == 3) ? 1 : ($2 ~ /^[tT]$/ && !mapping($3))
    print bin "\t" $1 "\t" $2 "\t" $3 "\t" (++rank[bin SUBSEP $3]) "\t" elig
  }' "$syms" | grep -v -P '^__builtin__|^bpf\t' | LC_ALL=C sort -t$'\t' -k1,1 -k2,2 > "$out/kallsyms-sorted.tsv"
awk -F'\t' '
  function hexval(s,   i, v) { v = 0; s = tolower(s)
    for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return v }
  # a - b for two 16-digit addresses, exact below 2^53
  function diff(a, b,   hi) { hi = hexval(substr(a, 1, 8)) - hexval(substr(b, 1, 8))
    return hi * 4294967296 + hexval(substr(a, 9)) - hexval(substr(b, 9)) }
  { bin[NR] = $1; addr[NR] = $2; type[NR] = $3; name[NR] = $4; rank[NR] = $5; elig[NR] = $6 }
  END {
    for (i = NR; i >= 1; i--) {
      if (i == NR || bin[i] != bin[i + 1]) { ge = ""; gt = "" }
      else if (addr[i] != addr[i + 1]) gt = ge
      size[i] = (gt == "") ? -1 : diff(gt, addr[i])
      if (elig[i]) ge = addr[i]
    }
    for (i = 1; i <= NR; i++) printf "%s\t%s\t%s\t%s\t%s\t%d\n", bin[i], addr[i], type[i], name[i], rank[i], size[i]
  }' "$out/kallsyms-sorted.tsv" > "$out/symsizes.tsv"

# KASLR: vmlinux's link address of _text against the guest's
nm_text=$("${cross}nm" "$tree/vmlinux" | awk '$3 == "_text" { t = $1 } END { print t }')
ks_text=$(awk 'NF == 3 && $3 == "_text" { print $1; exit }' "$syms")
kaslr=$(( 16#$ks_text - 16#$nm_text ))
echo "_text: kallsyms $ks_text, nm vmlinux $nm_text: KASLR offset $kaslr"
check "the guest ran vmlinux at its link address (no KASLR)" test "$kaslr" -eq 0

# --- every module's .ko, by the name the kernel gives it -------------------------
mkdir -p "$out/ko"
{ sed 's/\.o$/.ko/' "$tree/modules.order" | sed "s|^|$tree/|"; ls "$workdir"/hello-build/*.ko; } |
while read -r ko; do ln -sf "$ko" "$out/ko/$(basename "$ko")"; done
ko_of() { local m; for m in "$out"/ko/*.ko; do [ "$(basename "$m" .ko | tr - _)" != "$1" ] || { echo "$m"; return; }; done; }

# --- oracle a: the kallsyms entry, then addr2line -f -i ---------------------------
# a2l-in.tsv: frame index, binary file, section (- for vmlinux), file address (hex), note
: > "$out/a2l-in.tsv"
while IFS=$'\t' read -r idx _ kind _ bin name off size _; do
  dec=1; [ "$kind" != pc ] || dec=0
  want=$(( 16#$size ))
  cands=$(awk -F'\t' -v b="$bin" -v n="$name" '$1 == b && $4 == n' "$out/symsizes.tsv")
  pick=$(awk -F'\t' -v w="$want" '$6 == w' <<< "$cands")
  note=
  if [ -z "$pick" ] && [ "$(grep -c . <<< "$cands")" -eq 1 ] && [ "$(cut -f6 <<< "$cands")" = -1 ]; then
    pick=$cands note="size not checked (the last text symbol of $bin)"
  fi
  if [ -z "$pick" ]; then
    printf '%s\t-\t-\t-\tno kallsyms entry %s in %s of size %d (%s)\n' "$idx" "$name" "$bin" "$want" \
      "$(cut -f2,6 <<< "$cands" | tr '\t\n' '/ ')" >> "$out/a2l-in.tsv"
    continue
  fi
  [ "$(grep -c . <<< "$pick")" -eq 1 ] || note="${note:+$note; }$(grep -c . <<< "$pick") entries of that size, first taken"
  IFS=$'\t' read -r _ addr _ _ rank _ <<< "$(head -n 1 <<< "$pick")"
  if [ "$bin" = vmlinux ]; then
    printf '%s\t%s\t-\t%x\t%s\n' "$idx" "$tree/vmlinux" $(( 16#$addr - kaslr + 16#$off - dec )) "${note:--}" >> "$out/a2l-in.tsv"
    continue
  fi
  ko=$(ko_of "$bin")
  if [ -z "$ko" ]; then
    printf '%s\t-\t-\t-\tno .ko for module %s\n' "$idx" "$bin" >> "$out/a2l-in.tsv"; continue
  fi
  # the .ko's symbols of that name the kernel keeps (defined, not .init), in
  # symbol table order; the kallsyms rank picks one
  sec_val=$("${cross}readelf" -SsW "$ko" | awk -v n="$name" -v r="$rank" '
    /^ *\[ *[0-9]+\] / { s = $0; sub(/^ *\[ */, "", s); i = s; sub(/\].*/, "", i); sub(/^[0-9]+\] +/, "", s); sub(/ .*/, "", s); sec[i] = s; next }
    $1 ~ /^[0-9]+:$/ && $8 == n && $7 ~ /^[0-9]+$/ && sec[$7] !~ /^\.init/ { if (++k == r) print sec[$7] "\t" $2 }
    END { if (k != r && k < r) print "-\t-" }')
  IFS=$'\t' read -r sec val <<< "$sec_val"
  if [ "$sec" = - ]; then
    printf '%s\t-\t-\t-\tno symbol %s #%s in %s\n' "$idx" "$name" "$rank" "$ko" >> "$out/a2l-in.tsv"; continue
  fi
  printf '%s\t%s\t%s\t%x\t%s\n' "$idx" "$ko" "$sec" $(( 16#$val + 16#$off - dec )) "${note:--}" >> "$out/a2l-in.tsv"
done < "$out/frames.tsv"

# addr2line -a -f -i, one run per binary and section: a2l-out.tsv: frame
# index, chain of file:line (innermost first), chain of functions
# norm(PATH): relative to the source tree (../hello-build/kas_hello.c for the
# out-of-tree module). With kas=1 a relative PATH that is no file of the tree
# but one beside the out-of-tree module's directory (kas names such files
# from that directory's parent: hello-build/kas_hello.c) is taken as that.
norm_awk='function exists(p,   r, junk) { r = (getline junk < p); if (r >= 0) close(p); return r >= 0 }
  function norm(p,   n, i, parts, outp, k, ln) {
    sub(/ \(discriminator [0-9]+\)$/, "", p)
    if (p ~ /^\?\?/) return "??:0"
    ln = ""; if (match(p, /:[0-9?]+$/)) { ln = substr(p, RSTART); p = substr(p, 1, RSTART - 1) }
    if (p !~ /^\// && kas && !exists(tree "/" p) && exists(wd "/" p)) { p = wd "/" p; outside++ }
    if (p !~ /^\//) p = tree "/" p
    n = split(p, parts, "/"); k = 0
    for (i = 1; i <= n; i++) {
      if (parts[i] == "" || parts[i] == ".") continue
      if (parts[i] == ".." && k > 0) { k--; continue }
      outp[++k] = parts[i]
    }
    p = ""; for (i = 1; i <= k; i++) p = p "/" outp[i]
    if (index(p, tree "/") == 1) return substr(p, length(tree) + 2) ln
    if (index(p, wd "/") == 1) return "../" substr(p, length(wd) + 2) ln
    return p ln }'
: > "$out/a2l-out.tsv"
awk -F'\t' '$2 != "-" { print $2 "\t" $3 }' "$out/a2l-in.tsv" | sort -u |
while IFS=$'\t' read -r file sec; do
  mapfile -t rows < <(awk -F'\t' -v f="$file" -v s="$sec" '$2 == f && $3 == s { print $1 "\t" $4 }' "$out/a2l-in.tsv")
  addrs=(); for r in "${rows[@]}"; do addrs+=("0x${r#*$'\t'}"); done
  jarg=(); [ "$sec" = - ] || jarg=(-j "$sec")
  "${cross}addr2line" -a -f -i "${jarg[@]}" -e "$file" "${addrs[@]}" |
    awk -v tree="$tree" -v wd="$workdir" -v ids="$(printf '%s\n' "${rows[@]}" | cut -f1 | paste -sd' ')" "$norm_awk"'
      BEGIN { nid = split(ids, id, " ") }
      function flush() { if (cur) print id[cur] "\t" chain "\t" funcs }
      /^0x[0-9a-f]+$/ { flush(); cur++; chain = ""; funcs = ""; odd = 0; next }
      { if (!odd) { funcs = funcs (funcs == "" ? "" : " ") $0 } else { chain = chain (chain == "" ? "" : " ") norm($0) }
        odd = !odd }
      END { flush() }' >> "$out/a2l-out.tsv"
done

# --- oracle b: the tree's scripts/decode_stacktrace.sh on the frame lines ----------
cut -f10 "$out/frames.tsv" > "$out/frame-lines.txt"
(cd "$tree" && CROSS_COMPILE=$cross bash scripts/decode_stacktrace.sh "$tree/vmlinux" "$tree" "$out/ko" \
   < "$out/frame-lines.txt" > "$out/decode_stacktrace.txt" 2> "$out/decode_stacktrace.stderr") ||
  echo "decode_stacktrace.sh: exit $? ($(head -c 300 "$out/decode_stacktrace.stderr"))"
# dst.tsv: frame index, chain of file:line ("-" when it gave none)
paste <(cut -f1,6 "$out/frames.tsv") "$out/decode_stacktrace.txt" |
  awk -F'\t' -v tree="$tree" -v wd="$workdir" "$norm_awk"'
    { line = " " $3; i = index(line, " " $2 " ("); if (!i) i = index(line, ":" $2 " ("); chain = "-"
      if (i) { s = substr(line, i + length($2) + 3); gsub(/ \(discriminator [0-9]+\)/, "", s)
               sub(/\)[^)]*$/, "", s); n = split(s, p, " "); chain = ""
               for (k = 1; k <= n; k++) chain = chain (k > 1 ? " " : "") norm(p[k]) }
      print $1 "\t" chain }' > "$out/dst.tsv"

# --- kas decode ----------------------------------------------------------------------
set +e
"$kas" decode --vmlinux "$tree/vmlinux" --modules-order "$tree/modules.order" --modules "$workdir/hello-build" \
  --srctree "$tree" --no-daemon --json < "$stacks" > "$out/kas.json" 2> "$out/kas.stderr"
kas_rc=$?
set -e
echo "kas decode: exit $kas_rc, stderr ($(wc -l < "$out/kas.stderr") lines):"
head -n 20 "$out/kas.stderr" | sed 's/^/  | /'
check "kas decode exits 0" test "$kas_rc" -eq 0
# kas.tsv: query, error, candidates, chain of file:line, functions, candidates' definitions
if ! jq -r '.results[] | [.query, (.error // "-"), (.candidates | length),
      ((.candidates[0].frames // []) | map("\(.file // "??"):\(.line // 0)") | join(" ")),
      ((.candidates[0].frames // []) | map(.function // "??") | join(" ")),
      (.candidates | map("\(.symbol.binary):\(.symbol.name)\(if .symbol.section then "(" + .symbol.section + ")" else "" end)@\(.symbol.address)/\(.symbol.size)") | join(" "))] | @tsv' \
      "$out/kas.json" > "$out/kas-raw.tsv" 2> "$out/jq.stderr"; then
  echo "FAIL kas decode --json is not kas-resolve/1 JSON: $(head -c 300 "$out/jq.stderr")"; failures=$((failures + 1))
  : > "$out/kas-raw.tsv"
fi
awk -F'\t' -v tree="$tree" -v wd="$workdir" -v kas=1 "$norm_awk"'
  { n = split($4, p, " "); c = ""; for (k = 1; k <= n; k++) c = c (k > 1 ? " " : "") norm(p[k])
    print $1 "\t" $2 "\t" $3 "\t" c "\t" $5 "\t" $6 }
  END { if (outside) printf "INFO kas named %d file(s) of the out-of-tree module relative to its directory'"'"'s parent (%s), not to the source tree\n", outside, wd > "/dev/stderr" }' \
  "$out/kas-raw.tsv" > "$out/kas.tsv"
check "kas decode found the same $nframes frames, in order ($(wc -l < "$out/kas.tsv") results)" \
  cmp -s <(cut -f9 "$out/frames.tsv") <(cut -f1 "$out/kas.tsv")

# --- per frame --------------------------------------------------------------------------
echo "== frames (kas / addr2line / decode_stacktrace.sh; '=' is addr2line's answer)"
counts=$(paste "$out/frames.tsv" <(
  # the kas result of each frame, matched by its text in order
  awk -F'\t' -v kt="$out/kas.tsv" 'BEGIN { while ((getline l < kt) > 0) q[++nq] = l }
    { while (j < nq) { split(q[++j], f, "\t"); if (f[1] == $9) { print q[j]; next } }
      print "\t-\t0\t\t\t" }' "$out/frames.tsv") |
  awk -F'\t' -v out="$out" '
    BEGIN { while ((getline l < (out "/a2l-in.tsv")) > 0) { split(l, f, "\t"); note[f[1]] = f[5] }
            while ((getline l < (out "/a2l-out.tsv")) > 0) { split(l, f, "\t"); a2l[f[1]] = f[2]; a2lf[f[1]] = f[3] }
            while ((getline l < (out "/dst.tsv")) > 0) { split(l, f, "\t"); dst[f[1]] = f[2] } }
    { idx = $1; text = $9; kind = $3 (($4 == "-") ? "" : "," $4)
      kq = $11 ; kerr = $12; kn = $13; kchain = $14; kfun = $15; kdefs = $16
      a = (idx in a2l) ? a2l[idx] : ""
      why = (idx in a2l) ? "" : note[idx]
      if (a ~ /^([^ ]*:(0|\?) ?)+$/) { a = ""; why = "no line information at ADDR+OFF" (kind == "pc" ? "" : "-1") \
        ($4 == "?" && $7 == $8 ? ": the end of the function, its alignment padding (an unreliable frame whose address is the next function)" : "") }
      d = (idx in dst) ? dst[idx] : "-"
      kas_ok = (a != "" && kn == 1 && kchain == a); dst_ok = (a != "" && d == a)
      frames++; if (kas_ok) kas_right++; if (dst_ok) dst_right++
      if (a == "") { verdict = "SKIP"; unchecked++ }
      else if (kas_ok) verdict = "PASS"
      else { verdict = "FAIL"; kas_wrong++; if (!dst_ok) only_a2l++ }
      kshow = (kn == 1) ? (kchain == a && a != "" ? "=" : kchain == "" ? "no line information" : kchain) : (kn == 0 ? "none (" kerr ")" : kn " candidates: " kdefs)
      dshow = (dst_ok ? "=" : d)
      printf "%s #%d L%d %s (%s)\n", verdict, idx, $2, text, kind
      if (a == "") printf "    addr2line: none (%s)\n", why
      else printf "    addr2line: %s [%s]%s\n", a, a2lf[idx], (note[idx] != "-" && note[idx] != "" ? " (" note[idx] ")" : "")
      printf "    kas: %s | decode_stacktrace.sh: %s\n", kshow, dshow
    }
    END { printf "COUNTS %d %d %d %d %d %d\n", frames, kas_right, kas_wrong, only_a2l, dst_right, unchecked }')
grep -v '^COUNTS ' <<< "$counts"
read -r _ frames kas_right kas_wrong only_a2l dst_right unchecked < <(grep '^COUNTS ' <<< "$counts")
echo "== totals: $frames frames; kas right $kas_right, kas wrong $kas_wrong ($only_a2l of them addr2line-only:" \
  "decode_stacktrace.sh wrong too); decode_stacktrace.sh right $dst_right; no addr2line answer $unchecked"
check "kas decode is right on every frame addr2line answers ($kas_right of $((frames - unchecked)))" test "$kas_wrong" -eq 0
[ "$unchecked" -eq 0 ] || echo "INFO $unchecked frame(s) without an addr2line answer (SKIP above: not counted)"
echo "== $failures check(s) failed (report: $out/report.txt)"
[ "$failures" -eq 0 ]
