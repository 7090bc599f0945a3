#!/usr/bin/env bash
# The built-in sample: builds the fixture "kernel" (tests/fixtures: a
# vmlinux-like executable and two module-like objects, with DWARF), runs
# `kas vmlinux` on it as link-vmlinux.sh would, and prints the alias lines.
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
