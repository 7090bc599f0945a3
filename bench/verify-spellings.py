#!/usr/bin/env python3
"""Checks that the tracers' spellings name the definition the alias names, on a real kernel.

usage: verify-spellings.py --kernel RELEASE [--debug-root DIR] [--sample N] [--perf N] [--seed S] [--kas PATH]

For a seeded sample of N (default 300) aliased definitions, vmlinux's and the
modules', from `kas lookup '*@*' --json --all`:

  - livepatch's NAME,SYMPOS (MODULE:NAME,SYMPOS for a module) must name that
    one definition, and SYMPOS must be its position in kallsyms order, derived
    here from binutils alone: `nm -n` of vmlinux (address order, what
    kallsyms_on_each_symbol walks), `readelf -s` of the module (.symtab order,
    what module_kallsyms_on_each_symbol walks; .init sections left out);
  - perf's NAME@FILE (MODULE:NAME@FILE) must list that definition, and only
    definitions declared in FILE (two copies of a header's static inline
    share it); for a seeded sample of --perf of them (default 40; perf reads
    the whole vmlinux DWARF per call), `perf probe -D NAME@FILE` on the same
    vmlinux or module must find exactly as many probe points as kas lists
    definitions.

Prints the counts and the first failures; exits 0 when every check passes.
"""
import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys


def run(argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def lookup(kas, target, specs):
    """kas lookup --json of each spec: list of definition lists, in order."""
    res = subprocess.run([kas, "lookup", "--json", "--all"] + specs + target, capture_output=True, text=True)
    if res.returncode not in (0, 1):
        sys.exit(f"kas lookup failed ({res.returncode}): {res.stderr[:2000]}")
    return [r["definitions"] for r in json.loads(res.stdout)["results"]]


def vmlinux_order(vmlinux):
    """name -> [address] in nm -n order, as kallsyms lists vmlinux."""
    out = collections.defaultdict(list)
    for line in run(["nm", "-n", vmlinux]).splitlines():
        f = line.split()
        if len(f) == 3 and f[1] not in "aANUw" and not f[2].startswith(("$", ".L")):
            out[f[2]].append(int(f[0], 16))
    return out


def module_order(path, name):
    """(section name, value) of each `name` in .symtab order, .init sections left out."""
    sections = {}
    for line in run(["readelf", "-SW", path]).splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)", line)
        if m:
            sections[int(m.group(1))] = m.group(2)
    out = []
    for line in run(["readelf", "-sW", path]).splitlines():
        f = line.split()
        if len(f) == 8 and f[7] == name and f[6].isdigit():
            section = sections.get(int(f[6]), "")
            if section and not section.startswith(".init"):
                out.append((section, int(f[1], 16)))
    return out


def same(a, b):
    return a["binary"] == b["binary"] and a["address"] == b["address"] and a.get("section") == b.get("section")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--debug-root", default="/")
    ap.add_argument("--sample", type=int, default=300)
    ap.add_argument("--perf", type=int, default=40)
    ap.add_argument("--seed", type=int, default=25)
    ap.add_argument("--kas", default=os.path.join(os.path.dirname(__file__), "..", "build", "client", "kas"))
    args = ap.parse_args()
    target = ["--kernel", args.kernel, "--debug-root", args.debug_root, "--no-daemon"]
    vmlinux = os.path.join(args.debug_root, "usr/lib/debug/boot", "vmlinux-" + args.kernel)

    aliased = [d for d in lookup(args.kas, target, ["*@*"])[0] if d["alias"] and d["file"]]
    rng = random.Random(args.seed)
    sample = rng.sample(aliased, min(args.sample, len(aliased)))
    sample.sort(key=lambda d: (d["binary"] != "vmlinux", d["binary"], d["address"]))
    print(f"{len(aliased)} aliased definitions with a file; checking {len(sample)} "
          f"({sum(d['binary'] == 'vmlinux' for d in sample)} in vmlinux)")

    def prefix(d):
        return "" if d["binary"] == "vmlinux" else d["binary"] + ":"

    specs = []
    for d in sample:
        specs += [d["alias"], f"{prefix(d)}{d['name']},{d['sympos']}", f"{prefix(d)}{d['name']}@{d['file']}"]
    answers = lookup(args.kas, target, specs)
    failures = []
    counts = collections.Counter()
    order = vmlinux_order(vmlinux)
    perf_candidates = []
    for k, d in enumerate(sample):
        by_alias, by_sympos, by_file = answers[3 * k: 3 * k + 3]
        if len(by_alias) != 1 or not same(by_alias[0], d):
            failures.append(f"{d['alias']}: the alias names {len(by_alias)} definitions")
            continue
        # livepatch: one definition, the same, at the position binutils gives.
        if len(by_sympos) != 1 or not same(by_sympos[0], d):
            failures.append(f"{specs[3 * k + 1]}: {len(by_sympos)} definitions, not the alias's")
        else:
            counts["sympos names the alias's definition"] += 1
        if d["binary"] == "vmlinux":
            positions = order.get(d["name"], [])
            want = positions.index(int(d["address"], 16)) + 1 if int(d["address"], 16) in positions else None
        else:
            listed = module_order(d["path"], d["name"])
            key = (d["section"], int(d["address"], 16))
            want = listed.index(key) + 1 if key in listed else None
        if want != d["sympos"]:
            failures.append(f"{d['alias']}: kas sympos {d['sympos']}, kallsyms order (binutils) {want}")
        else:
            counts["sympos equals the kallsyms order"] += 1
        # perf: the alias's definition among those declared in its file, and no other file.
        if not any(same(x, d) for x in by_file):
            failures.append(f"{specs[3 * k + 2]}: the alias's definition is not listed")
        elif any(x["file"] != d["file"] for x in by_file):
            failures.append(f"{specs[3 * k + 2]}: lists a definition of another file")
        else:
            counts["FUNC@SRC lists the alias's definition"] += 1
            counts["FUNC@SRC names exactly it" if len(by_file) == 1 else "FUNC@SRC shared with a same-file copy"] += 1
            perf_candidates.append((d, len(by_file)))

    # perf names DWARF functions: a GCC clone (NAME.constprop.0, NAME.cold) has no spelling of its own
    # there, and a symbol that is no subprogram's name (cleanup_module, an alias of the exit
    # function) none at all. Where perf places NAME@FILE, each out-of-line definition is one
    # "NAME+0" probe point (inlined copies are OTHER+OFF): as many as kas lists.
    rng.shuffle(perf_candidates)
    perf_missing = []
    for d, n in [c for c in perf_candidates if "." not in c[0]["name"]][: args.perf]:
        binary = ["-k", vmlinux] if d["binary"] == "vmlinux" else ["-k", vmlinux, "-m", d["path"]]
        spec = f"{d['name']}@{d['file']}"
        res = subprocess.run(["perf", "probe"] + binary + ["-D", spec], capture_output=True, text=True)
        # vmlinux: "p:probe/NAME NAME+0"; a module: "p:probe/NAME MODULE:NAME+0".
        entry = re.compile(rf"^p:\S+ (\S+:)?{re.escape(d['name'])}\+0$")
        entries = [l for l in res.stdout.splitlines() if entry.match(l)]
        if res.returncode != 0 and not entries:
            perf_missing.append(f"{spec} ({d['binary']})")
        elif len(entries) != n:
            failures.append(f"perf probe -D {spec} ({d['binary']}): {len(entries)} out-of-line entries, "
                            f"kas {n} definitions")
        else:
            counts["perf probe -D: as many out-of-line entries as kas definitions"] += 1
    counts["GCC clone names (perf cannot spell them)"] = sum("." in c[0]["name"] for c in perf_candidates)
    counts["perf finds no such DWARF function"] = len(perf_missing)
    for m in perf_missing:
        print(f"  perf finds none: {m}")

    for what, n in sorted(counts.items()):
        print(f"  {n:6d}  {what}")
    print(f"{len(failures)} failures")
    for f in failures[:20]:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
