#!/usr/bin/env python3
"""Benchmark of `kas module` on a Debian debug kernel's modules (default 6.1.0-56-amd64).

Per-module wall time end to end (process start to OUT written) and peak RSS
for a random sample of modules (fixed seed) plus the 5 largest, with a kbuild
census file (`kas census` of vmlinux + every module, made once); the total for
all modules; and, in the same run, the reference way for the same sample: a
Python process that reloads the symbol-frequency file, then `nm`,
`objdump -h`, `objdump -tj` per section holding an aliased symbol,
`addr2line`, and `objcopy --add-symbol` (51 symbols per pass), as processes,
with the target's binutils (e.g. aarch64-linux-gnu-*; see bench/kernelpkg.py
for the package cache, shared with vmlinux-bench.sh).

With --verify it checks the sample's outputs (readelf): each alias mirrors
its symbol (value, size, type, section; local/global by nm letter), none in
.init*/.exit*, relocations identical, `ld -r` links it, no alias name equals
another alias or symbol name (sample + vmlinux), and every alias location
agrees with llvm-dwarfdump (bench/verify-locations.py: the subprogram whose
ranges hold the symbol, by section and offset). With --all too, the
structural checks run on every module's output and uniqueness covers all
modules.

usage: module-bench.py [--kernel-package NAME[:ARCH]] [--kas PATH] [--cache DIR] [--sample N] [--all]
                       [--verify] [--jobs N]
"""
import argparse
import atexit
import concurrent.futures
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernelpkg  # noqa: E402

TOOLS = {t: t for t in kernelpkg.TOOLS}  # the target's binutils, set in main()


def run_timed(argv, tmp):
    """Runs argv under /usr/bin/time; returns (wall seconds, peak RSS KiB, stderr)."""
    rss_file = os.path.join(tmp, "rss")
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({p.returncode}): {p.stderr.strip()[:400]}")
    with open(rss_file) as f:
        rss = int(f.read().split()[-1])
    return wall, rss, p.stderr


ALIAS_LINE = re.compile(r"^kas: .*: (\S+)\+0x([0-9a-f]+) (\S) (\S+)$")


def kas_module(kas, module, census, out, tmp):
    # In-process: the benchmark measures the engine end to end, not a warm daemon.
    wall, rss, err = run_timed([kas, "module", module, "--census", census, "-o", out, "-v", "--no-daemon"], tmp)
    aliases = []
    for line in err.splitlines():
        m = ALIAS_LINE.match(line)
        if m:
            aliases.append((m.group(1), int(m.group(2), 16), m.group(3), m.group(4)))
    return wall, rss, aliases


REFERENCE_LOADER = r"""
import sys
freq = {}
with open(sys.argv[1]) as f:
    for line in f:
        name, _, count = line.rstrip('\n').rpartition(':')
        freq[name] = int(count)
"""


def reference_way(module, census, aliases, out, tmp):
    """The reference's per-module work, as processes; returns wall seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", REFERENCE_LOADER, census], check=True)
    subprocess.run([TOOLS["nm"], module], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([TOOLS["objdump"], "-h", module], check=True, stdout=subprocess.DEVNULL)
    for section in sorted({a[0] for a in aliases}):
        subprocess.run([TOOLS["objdump"], "-tj", section, module], check=True, stdout=subprocess.DEVNULL)
    if aliases:
        subprocess.run([TOOLS["addr2line"], "-fe", module] + [hex(a[1]) for a in aliases], check=True,
                       stdout=subprocess.DEVNULL)
        src = module
        for i in range(0, len(aliases), 51):
            dst = os.path.join(tmp, f"ref{i}.o")
            args = [TOOLS["objcopy"]]
            for section, value, letter, alias in aliases[i:i + 51]:
                kind = "function" if letter in "tT" else "object"
                bind = "global" if letter.isupper() else "local"
                args += ["--add-symbol", f"{alias}={section}:{value},{bind},{kind}"]
            subprocess.run(args + [src, dst], check=True)
            src = dst
    return time.perf_counter() - start


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def readelf_symbols(path):
    out = subprocess.run([TOOLS["readelf"], "-sW", path], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].endswith(":") and f[0][:-1].isdigit():
            rows.append({"value": f[1], "size": f[2], "type": f[3], "bind": f[4], "ndx": f[6], "name": f[7]})
    return rows


def section_names(path):
    out = subprocess.run([TOOLS["readelf"], "-SW", path], capture_output=True, text=True, check=True).stdout
    names = {}
    for m in re.finditer(r"^\s*\[\s*(\d+)\]\s+(\S+)", out, re.M):
        names[m.group(1)] = m.group(2)
    return names


def normalized_relocs(path):
    out = subprocess.run([TOOLS["readelf"], "-rW", path], capture_output=True, text=True, check=True).stdout
    return re.sub(r"^([0-9a-f]+)\s+[0-9a-f]+\s+", r"\1 ", out, flags=re.M)


def verify_module(module, out, aliases, tmp):
    problems = []
    syms = readelf_symbols(out)
    by_name = {}
    for s in syms:
        by_name.setdefault(s["name"], []).append(s)
    sections = section_names(out)
    for section, value, letter, alias in aliases:
        found = by_name.get(alias, [])
        if len(found) != 1:
            problems.append(f"{alias}: {len(found)} symbols of that name")
            continue
        a = found[0]
        if int(a["value"], 16) != value or sections.get(a["ndx"]) != section:
            problems.append(f"{alias}: at {sections.get(a['ndx'])}+{a['value']}, kas said {section}+{value:x}")
        # the aliased symbol: same name stem, same section and value
        sources = [s for s in by_name.get(alias.split("@")[0], []) if s["value"] == a["value"] and s["ndx"] == a["ndx"]]
        if not sources:
            problems.append(f"{alias}: no symbol {alias.split('@')[0]} at its address")
            continue
        src = sources[0]
        for key in ("size", "type"):
            if a[key] != src[key]:
                problems.append(f"{alias}: {key} {a[key]} != {src[key]}")
        if a["bind"] != ("GLOBAL" if letter.isupper() else "LOCAL"):
            problems.append(f"{alias}: binding {a['bind']} for nm type {letter}")
        sec = sections.get(a["ndx"], "")
        if sec.startswith(".init") or sec.startswith(".exit"):
            problems.append(f"{alias}: in {sec}")
    if normalized_relocs(out) != normalized_relocs(module):
        problems.append("relocations differ")
    ld = subprocess.run([TOOLS["ld"], "-r", "-o", os.path.join(tmp, "ld.o"), out], capture_output=True, text=True)
    if ld.returncode != 0:
        problems.append("ld -r failed: " + ld.stderr.strip()[:200])
    return problems


def verify_sample(here, outputs, syms, work):
    """Structure, uniqueness and locations of the sample's outputs; returns the exit status."""
    print(f"== verification of the {len(outputs)} sample outputs ==")
    bad = 0
    names = {}
    with open(syms) as f:
        for line in f:
            names.setdefault(line.split()[2], "vmlinux")
    collisions = 0
    for module, out, aliases in outputs:
        problems = verify_module(module, out, aliases, work)
        if problems:
            bad += 1
            if bad <= 20:
                print(f"  {os.path.basename(module)}: {problems[:3]}")
        for _, _, _, alias in aliases:
            if alias in names:
                collisions += 1
                print(f"  {alias} of {os.path.basename(module)} also in {names[alias]}")
            names[alias] = os.path.basename(module)
    print(f"modules with problems: {bad}; alias names also elsewhere (vmlinux, sample): {collisions}")
    with_aliases = [out for _, out, aliases in outputs if aliases]
    cross = TOOLS["nm"][:-len("nm")]
    start = time.perf_counter()
    p = subprocess.run([sys.executable, os.path.join(here, "verify-locations.py"), "--cross", cross] + with_aliases)
    print(f"locations checked in {time.perf_counter() - start:.1f} s")
    return 1 if bad or collisions or p.returncode else 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--kas", default=os.path.join(here, "..", "build", "client", "kas"))
    ap.add_argument("--kasd", default=None, help="(unused: module requests run in-process)")
    ap.add_argument("--kernel-package", default=kernelpkg.DEFAULT_PACKAGE,
                    help=f"Debian debug kernel package[:ARCH] (default {kernelpkg.DEFAULT_PACKAGE})")
    ap.add_argument("--cache", default=kernelpkg.DEFAULT_CACHE)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--all", action="store_true", help="also run every module (total time)")
    ap.add_argument("--verify", action="store_true",
                    help="check the sample's outputs (structure, locations); with --all every module's structure")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    try:
        kernel = kernelpkg.Kernel(args.kernel_package)
        root = kernel.fetch(args.cache)
        TOOLS.update(kernel.tools())
    except (ValueError, RuntimeError, subprocess.CalledProcessError) as e:
        sys.exit(f"module-bench: {e}")
    vmlinux = kernel.vmlinux(root)
    moddir = kernel.moddir(root)
    print(f"kernel {kernel.spec}: {moddir} (binutils {TOOLS['nm']})")

    work = tempfile.mkdtemp(prefix="kas-module-bench.")
    atexit.register(shutil.rmtree, work, True)  # nothing left behind, even on an error
    # vmlinux's listing: the package's System.map (scripts/mksysmap of `nm -n
    # vmlinux`, checked equal by vmlinux-bench.sh), else 6.1's mksysmap rules.
    syms = os.path.join(os.path.dirname(vmlinux), f"System.map-{kernel.release}")
    if not os.path.isfile(syms):
        syms = os.path.join(work, "vmlinux.syms")
        with open(syms, "w") as f:
            nm = subprocess.run([TOOLS["nm"], "-n", vmlinux], capture_output=True, text=True, check=True).stdout
            for line in nm.splitlines():
                if re.search(r" [aNUw] | \$| \.L| __crc_| __kstrtab_| __kstrtabns_| L0$", line):
                    continue
                f.write(line + "\n")
    census = os.path.join(work, "modules.symbfreq")
    subprocess.run([args.kas, "census", "--no-daemon", "--nm", syms, "--modules", moddir, "--units", "-o", census],
                   check=True)

    modules = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(moddir) for f in fs if f.endswith(".ko"))
    largest = sorted(modules, key=os.path.getsize)[-5:]
    rng = random.Random(20231122)
    sample = rng.sample([m for m in modules if m not in largest], min(args.sample, len(modules) - 5))
    subprocess.run(["cat"] + sample + largest, stdout=subprocess.DEVNULL)  # warm the page cache

    kas_walls, ref_walls, rss, big = [], [], [], []
    sample_outputs = []   # (module, output, aliases)
    os.makedirs(os.path.join(work, "sample"))
    for i, m in enumerate(sample + largest):
        out = os.path.join(work, "sample", f"{i}-{os.path.basename(m)}")
        wall, peak, aliases = kas_module(args.kas, m, census, out, work)
        ref = reference_way(m, census, aliases, out, work)
        if args.verify:
            sample_outputs.append((m, out, aliases))
        else:
            os.remove(out)
        if m in largest:
            big.append((os.path.basename(m), os.path.getsize(m) >> 20, wall, peak >> 10, len(aliases), ref))
        else:
            kas_walls.append(wall)
            ref_walls.append(ref)
            rss.append(peak)
    print(f"== kas module, {len(kas_walls)} random modules, census file of {sum(1 for _ in open(census))} names ==")
    print(f"kas:       median {statistics.median(kas_walls) * 1000:.1f} ms  p90 {pct(kas_walls, 90) * 1000:.1f} ms"
          f"  p99 {pct(kas_walls, 99) * 1000:.1f} ms  max {max(kas_walls) * 1000:.1f} ms"
          f"  peak RSS max {max(rss) >> 10} MiB")
    print(f"reference: median {statistics.median(ref_walls) * 1000:.1f} ms  p90 {pct(ref_walls, 90) * 1000:.1f} ms"
          f"  p99 {pct(ref_walls, 99) * 1000:.1f} ms  max {max(ref_walls) * 1000:.1f} ms")
    print(f"ratio (median reference / median kas): {statistics.median(ref_walls) / statistics.median(kas_walls):.1f}x;"
          f" sum {sum(ref_walls):.1f} s vs {sum(kas_walls):.1f} s")
    print("5 largest: name, MiB, kas wall s, kas peak RSS MiB, aliases, reference wall s")
    for row in big:
        print("  %-24s %5d MiB  %6.2f s  %5d MiB  %4d aliases  ref %6.2f s" % row)

    status = 0
    if args.verify:
        status |= verify_sample(here, sample_outputs, syms, work)
        for _, out, _ in sample_outputs:
            os.remove(out)

    if args.all:
        print(f"== all {len(modules)} modules, {args.jobs} jobs ==")
        outdir = os.path.join(work, "all")
        os.makedirs(outdir)
        results = {}

        def one(i_m):
            i, m = i_m
            tmp = os.path.join(outdir, str(i))
            os.makedirs(tmp)
            out = os.path.join(tmp, "out.ko")
            wall, peak, aliases = kas_module(args.kas, m, census, out, tmp)
            problems = verify_module(m, out, aliases, tmp) if args.verify else []
            names = [s["name"] for s in readelf_symbols(out)] if args.verify else []
            # Everything this module left (output, relinked copy): 4,000 of
            # them would fill the disk (19 GB by module 1,957 of 6.12's).
            shutil.rmtree(tmp, ignore_errors=True)
            return i, wall, peak, aliases, problems, names

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for i, wall, peak, aliases, problems, names in pool.map(one, enumerate(modules)):
                results[modules[i]] = (wall, peak, aliases, problems, names)
        total = time.perf_counter() - start
        walls = [r[0] for r in results.values()]
        peaks = sorted(((r[1], m) for m, r in results.items()), reverse=True)
        print(f"total wall {total:.1f} s ({'with verification, ' if args.verify else ''}{args.jobs} jobs); "
              f"per module median {statistics.median(walls) * 1000:.1f} ms, sum {sum(walls):.1f} s; "
              f"aliases {sum(len(r[2]) for r in results.values())}")
        print("peak RSS, largest 7: " + ", ".join(f"{os.path.basename(m)} {p >> 10} MiB" for p, m in peaks[:7]))
        if args.verify:
            bad = {m: r[3] for m, r in results.items() if r[3]}
            print(f"modules with problems: {len(bad)}")
            for m, problems in list(bad.items())[:20]:
                print(f"  {os.path.basename(m)}: {problems[:3]}")
            # Alias names must be unique across vmlinux + modules, and never
            # equal a real symbol name anywhere.
            owners = {}
            with open(syms) as f:
                for line in f:
                    owners.setdefault(line.split()[2], set()).add("vmlinux")
            collisions = 0
            alias_names = set()
            for m, r in results.items():
                for _, _, _, alias in r[2]:
                    if alias in alias_names:
                        collisions += 1
                        print(f"  alias twice: {alias} ({os.path.basename(m)})")
                    alias_names.add(alias)
            for m, r in results.items():
                own = {a[3] for a in r[2]}
                for name in r[4]:
                    if name in alias_names and name not in own:
                        collisions += 1
                        print(f"  alias equals a symbol of {os.path.basename(m)}: {name}")
            for name in owners:
                if name in alias_names:
                    collisions += 1
                    print(f"  alias equals a vmlinux symbol: {name}")
            print(f"alias name collisions across vmlinux + modules: {collisions} ({len(alias_names)} module aliases)")
            if bad or collisions:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
