#!/usr/bin/env bash
# The built-in sample: builds the fixture "kernel" (tests/fixtures: a
# vmlinux-like executable and two module-like objects, with DWARF), runs
# `kas vmlinux` on it as link-vmlinux.sh would, and prints the alias lines;
# then asks kas lookup and kas decode about it.
#
# usage: run-sample.sh KAS OUTDIR
set -euo pipefail
kas=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
objtree=$("$here/../fixtures/build-kernel.sh" intree "$out")
cd "$objtree"
"$kas" vmlinux --nm vmlinux.syms --elf vmlinux --modules-order modules.order -o vmlinux.syms.alias -v
echo
echo "Alias lines added to $objtree/vmlinux.syms.alias:"
grep ' [^ ]*@' vmlinux.syms.alias
echo
echo "Census: $("$kas" census --nm vmlinux.syms --modules-order modules.order | grep -c -v ':1$') duplicated names"
echo
echo "Where is name_show defined, and which alias does each copy get? (kas lookup name_show)"
"$kas" lookup name_show
echo
echo "A small oops, decoded (kas decode):"
printf '%s\n' "[    1.000000] RIP: 0010:inline_chain_entry+0x4/0xd" "[    1.000001] Call Trace:" \
  "[    1.000002]  name_show+0x9/0x29" "[    1.000003]  ? name_show+0x3/0x9 [other]" | "$kas" decode
