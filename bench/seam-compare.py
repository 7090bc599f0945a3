#!/usr/bin/env python3
"""The Python half of bench/seam-compare.sh (read that script's header first).

  seam-compare.py inputs CORPUS RELEASE DIR [--seed S]
      writes the questions a capture asks kas lookup/resolve/decode/probe
      into DIR, drawn with a fixed seed by bench/query-bench.py's own code
      (its nm table, its duplicated frames, its synthetic oops), so that two
      captures ask the same questions and store them to show it;
  seam-compare.py normalise DIR PREFIX=TOKEN...
      rewrites every file under DIR with each PREFIX replaced by TOKEN;
  seam-compare.py compare A B [--label-a X --label-b Y] [--show N]
      compares two trees file by file, per category: identical, different,
      missing; prints the first differences; exits 1 on any.
"""
import argparse
import collections
import importlib.util
import os
import random
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))


def query_bench():
    """bench/query-bench.py as a module (its name has a dash)."""
    spec = importlib.util.spec_from_file_location("query_bench", os.path.join(HERE, "query-bench.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- inputs -------------------------------------------------------------------

def sorted_table(nm):
    """query-bench's nm table in an order that depends on its content only
    (os.walk's order is the directory's, which a copy of the corpus changes)."""
    return collections.defaultdict(list, {k: sorted(v) for k, v in sorted(nm.items())})


def source_files(qb, vmlinux, addresses):
    """address -> source file of the function there, relative to the kernel
    tree (eu-addr2line once for all, query-bench's norm() for the prefix)."""
    if not addresses:
        return {}
    out = subprocess.run(["eu-addr2line", "-f", "-e", vmlinux] + [hex(a) for a in addresses],
                         capture_output=True, text=True).stdout.splitlines()
    files = {}
    for a, i in zip(addresses, range(0, len(out) - 1, 2)):
        m = re.match(r"(.*?):(\d+)(:\d+)?$", out[i + 1])
        if m and not m.group(1).startswith("??"):
            files[a] = qb.norm(m.group(1))
    return files


def probe_specs(qb, nm, rng, vmlinux):
    """Spellings kas probe takes (kas probe --help, kas lookup --help): names
    defined once and several times, NAME+OFF, MODULE:NAME, NAME,SYMPOS,
    perf's NAME@SRC, documented aliases and a name that does not exist."""
    by_name = collections.defaultdict(list)
    for (binary, name), vals in nm.items():
        for v in vals:
            by_name[name].append((binary, v))
    names = sorted(n for n in by_name if not n.startswith("__pfx"))
    dup = [n for n in names if len(by_name[n]) > 1]
    uniq = [n for n in names if len(by_name[n]) == 1]
    rng.shuffle(dup)
    rng.shuffle(uniq)
    specs = ["name_show", "name_show,2", "uio:name_show", "name_show@kernel_irq_irqdesc_c_230",
             "uio:name_show@drivers_uio_uio_c_215", "name_show@kernel/irq/irqdesc.c", "kas_seam_no_such_symbol"]
    specs += dup[:25]
    specs += uniq[:20]
    specs += [n + "+0x4" for n in uniq[20:25]]
    specs += [f"{n},{k}" for n in dup[25:35] for k in (1, 2, len(by_name[n]) + 1)]
    module_local = [(b, n) for n in dup[35:] for b, _ in by_name[n]
                    if b != "vmlinux" and sum(1 for c in by_name[n] if c[0] == b) == 1]
    specs += [f"{b}:{n}" for b, n in module_local[:15]]
    in_vmlinux = [(n, [v for b, v in by_name[n] if b == "vmlinux"]) for n in dup[60:]]
    in_vmlinux = [(n, vs[0][0]) for n, vs in in_vmlinux if len(vs) >= 1][:10]
    files = source_files(qb, vmlinux, [a for _, a in in_vmlinux])
    for n, a in in_vmlinux:
        if a in files:
            specs += [f"{n}@{files[a]}", f"{n}@{os.path.basename(files[a])}"]
    return specs


def lookup_patterns(nm, rng):
    """kas lookup name_show (query-bench's question), the documented forms
    and a sample of duplicated and unique names."""
    counts = collections.Counter(n for (_, n) in nm.keys())
    names = sorted(n for n in counts if not n.startswith("__pfx"))
    rng.shuffle(names)
    dup = [n for n in names if counts[n] > 1][:30]
    uniq = [n for n in names if counts[n] == 1][:10]
    return (["name_show", "name_show*", "*@drivers_uio*", "name_show@kernel/irq/irqdesc.c", "name_show,2",
             "uio:name_show", "kas_seam_no_such_symbol"] + dup + uniq)


def inputs(args):
    qb = query_bench()
    debug = os.path.join(args.corpus, "usr", "lib", "debug")
    bench = object.__new__(qb.Bench)  # its oracles, without its kasd and work directory
    bench.vmlinux = os.path.join(debug, "boot", f"vmlinux-{args.release}")
    bench.moddir = os.path.join(debug, "lib", "modules", args.release)
    bench.rng = random.Random(args.seed)
    bench.samples = 0
    bench.truth = lambda *a, **k: []  # the oops' right answers are query-bench's business, not ours
    nm, modules = bench.nm_scan()
    nm = sorted_table(nm)
    # query-bench's order: 200 resolve frames, then the oops, from one generator.
    frames = bench.duplicated_frames(nm, 200)
    oops, _, _ = bench.oops(nm)
    rng = random.Random(args.seed + 1)
    os.makedirs(args.dir, exist_ok=True)

    def write(name, lines):
        with open(os.path.join(args.dir, name), "w") as out:
            out.write("".join(line + "\n" for line in lines))

    write("lookup.args", lookup_patterns(nm, rng))
    # Also an address, MODULE:SYMBOL+OFF and a location that matches nothing.
    vm = sorted(v[0][0] for (b, _), v in nm.items() if b == "vmlinux")
    write("resolve.args", [f[0] for f in frames] + [hex(vm[len(vm) // 2] + 1), "uio:name_show+0x10",
                                                     "kas_seam_no_such_symbol+0x1/0x10"])
    with open(os.path.join(args.dir, "oops.txt"), "w") as out:
        out.write(oops)
    write("probe.args", probe_specs(qb, nm, rng, bench.vmlinux))
    print(f"inputs: nm table of vmlinux + {modules} modules; {len(frames)} resolve frames, a "
          f"{oops.count(chr(10))}-line oops, seed {args.seed}")


# -- normalise ----------------------------------------------------------------

def normalise(args):
    pairs = sorted((p.split("=", 1) for p in args.pairs), key=lambda kv: -len(kv[0]))
    pairs = [(k.encode(), v.encode()) for k, v in pairs if k]
    for d, _, files in os.walk(args.dir):
        for f in files:
            path = os.path.join(d, f)
            with open(path, "rb") as fh:
                data = fh.read()
            new = data
            for k, v in pairs:
                new = new.replace(k, v)
            if new != data:
                with open(path, "wb") as fh:
                    fh.write(new)


# -- compare ------------------------------------------------------------------

def tree(root):
    files = set()
    for d, _, names in os.walk(root):
        for n in names:
            files.add(os.path.relpath(os.path.join(d, n), root))
    return files


def category(rel):
    """inputs, or MODE/PART (inproc/module, kasd/lookup, ...); within one
    capture (inproc against kasd) the PART alone."""
    parts = rel.split(os.sep)
    if parts[0] in ("inproc", "kasd") and len(parts) > 2:
        return parts[0] + "/" + parts[1]
    return parts[0]


def same(a, b):
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def compare(args):
    a_files, b_files = tree(args.a), tree(args.b)
    if args.skip:
        skip = re.compile(args.skip)
        a_files = {f for f in a_files if not skip.match(f)}
        b_files = {f for f in b_files if not skip.match(f)}
    counts = collections.defaultdict(lambda: [0, 0, 0])
    diffs = []
    for rel in sorted(a_files | b_files):
        c = counts[category(rel)]
        if rel not in a_files or rel not in b_files:
            c[2] += 1
            diffs.append((rel, f"only in {args.label_a if rel in a_files else args.label_b}"))
        elif same(os.path.join(args.a, rel), os.path.join(args.b, rel)):
            c[0] += 1
        else:
            c[1] += 1
            diffs.append((rel, None))
    width = max([len(k) for k in counts] + [8])
    print(f"{'category':{width}s} {'identical':>9s} {'different':>9s} {'missing':>7s}")
    for k in sorted(counts):
        i, d, m = counts[k]
        print(f"{k:{width}s} {i:9d} {d:9d} {m:7d}{'   <--' if d or m else ''}")
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    print(f"{'total':{width}s} {total[0]:9d} {total[1]:9d} {total[2]:7d}")
    if diffs:
        print(f"\nfirst differences ({min(len(diffs), args.show)} of {len(diffs)}):")
        for rel, why in diffs[:args.show]:
            if why:
                print(f"--- {rel}: {why}")
                continue
            r = subprocess.run(["diff", "-u", "--label", f"{args.label_a}/{rel}", "--label", f"{args.label_b}/{rel}",
                                os.path.join(args.a, rel), os.path.join(args.b, rel)], capture_output=True, text=True,
                               errors="replace")
            lines = r.stdout.splitlines()
            print("\n".join(lines[:args.lines]) + (f"\n  ... ({len(lines) - args.lines} more diff lines)"
                                                   if len(lines) > args.lines else ""))
    return 1 if total[1] or total[2] else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="verb", required=True)
    p = sub.add_parser("inputs")
    p.add_argument("corpus")
    p.add_argument("release")
    p.add_argument("dir")
    p.add_argument("--seed", type=int, default=6)  # query-bench.py's default
    p = sub.add_parser("normalise")
    p.add_argument("dir")
    p.add_argument("pairs", nargs="*", help="PREFIX=TOKEN")
    p = sub.add_parser("compare")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--label-a", default="A")
    p.add_argument("--label-b", default="B")
    p.add_argument("--skip", help="a regular expression of relative paths not compared")
    p.add_argument("--show", type=int, default=10, help="differences shown")
    p.add_argument("--lines", type=int, default=30, help="diff lines shown per difference")
    args = ap.parse_args()
    if args.verb == "inputs":
        inputs(args)
    elif args.verb == "normalise":
        normalise(args)
    else:
        sys.exit(compare(args))


if __name__ == "__main__":
    main()
