#!/usr/bin/env python3
"""Checks kas alias locations against llvm-dwarfdump, an independent DWARF reader.

For every alias line "ADDR TYPE NAME@LOCATION" in a kas vmlinux output, runs
`llvm-dwarfdump --lookup=ADDR VMLINUX`, takes the subprogram (or variable)
defining ADDR, follows DW_AT_abstract_origin / DW_AT_specification to the
entry carrying DW_AT_decl_file / DW_AT_decl_line, and checks that LOCATION is
that file (as a path suffix on a '/' boundary, decorated: non-alnum -> '_')
and that line. Prints the agreement rate and every disagreement.

usage: verify-locations.py VMLINUX KAS_OUTPUT [--jobs N] [--separator C]
"""
import argparse
import concurrent.futures
import posixpath
import re
import subprocess
import sys

DUMP = "llvm-dwarfdump"


def decorate(path):
    return re.sub(r"[^A-Za-z0-9]", "_", path.lstrip("/"))


def die_attrs(text, start_tag_re):
    """Attributes of the first DIE whose tag matches, as {name: value}."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.search(start_tag_re, line):
            attrs = {}
            for attr_line in lines[i + 1:]:
                m = re.match(r"\s+(DW_AT_\w+)\s+\((.*)\)\s*$", attr_line)
                if not m:
                    if attr_line.strip() == "" or "DW_TAG" in attr_line:
                        break
                    continue
                attrs[m.group(1)] = m.group(2)
            return attrs
    return None


def decl_of(vmlinux, attrs):
    for _ in range(8):
        if "DW_AT_decl_file" in attrs and "DW_AT_decl_line" in attrs:
            return attrs["DW_AT_decl_file"].strip('"'), int(attrs["DW_AT_decl_line"], 0)
        ref = attrs.get("DW_AT_abstract_origin") or attrs.get("DW_AT_specification")
        if not ref:
            return None
        offset = ref.split()[0]
        out = subprocess.run([DUMP, f"--debug-info={offset}", vmlinux], capture_output=True, text=True).stdout
        attrs = die_attrs(out, r"^0x[0-9a-f]+:\s+DW_TAG_")
        if attrs is None:
            return None
    return None


def check(vmlinux, addr, alias, sep):
    out = subprocess.run([DUMP, f"--lookup=0x{addr}", vmlinux], capture_output=True, text=True).stdout
    attrs = die_attrs(out, r"DW_TAG_subprogram")
    if attrs is None:
        # --lookup printed only the innermost entry (an inlined call at the
        # function's first byte): dump it with its parents and take the
        # outermost subprogram.
        inner = re.findall(r"^(0x[0-9a-f]+):\s+DW_TAG_(?!compile_unit)", out, re.M)
        if inner:
            chain = subprocess.run([DUMP, f"--debug-info={inner[-1]}", "-p", vmlinux],
                                   capture_output=True, text=True).stdout
            attrs = die_attrs(chain, r"DW_TAG_subprogram")
    if attrs is None:
        return ("no-die", alias, None)
    decl = decl_of(vmlinux, attrs)
    if decl is None:
        return ("no-decl", alias, None)
    file, line = decl
    location = alias.split(sep, 1)[1]
    if not location.endswith(f"_{line}"):
        return ("line", alias, f"{file}:{line}")
    parts = posixpath.normpath(file).split("/")
    for k in range(len(parts)):
        d = decorate("/".join(parts[k:]))
        if location == f"{d}_{line}" or location.startswith(d + "_"):
            return ("ok", alias, f"{file}:{line}")
    return ("file", alias, f"{file}:{line}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmlinux")
    ap.add_argument("kas_output")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--separator", default="@")
    args = ap.parse_args()
    items = []
    with open(args.kas_output) as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 3 and args.separator in fields[2]:
                items.append((fields[0], fields[2]))
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for r in pool.map(lambda it: check(args.vmlinux, it[0], it[1], args.separator), items):
            results.append(r)
    ok = sum(1 for r in results if r[0] == "ok")
    for status, alias, expected in results:
        if status != "ok":
            print(f"MISMATCH [{status}] {alias}  llvm-dwarfdump: {expected}")
    rate = 100.0 * ok / len(results) if results else 0.0
    print(f"{ok}/{len(results)} aliases match llvm-dwarfdump's DW_AT_decl_file/DW_AT_decl_line ({rate:.2f}%)")
    return 0 if rate >= 99.5 else 1


if __name__ == "__main__":
    sys.exit(main())
