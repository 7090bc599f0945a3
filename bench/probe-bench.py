#!/usr/bin/env python3
"""kas probe latency through a warm kasd, against perf probe doing the same work.

On Debian's 6.1.0-56-amd64 debug kernel (bench/vmlinux-bench.sh fetches it), in
one run, against a fresh kasd on a private socket:
  1. the first `kas probe` (the daemon indexes vmlinux and 4,023 modules);
  2. `kas probe SPEC`, one process per SPEC, SPECs drawn from every vmlinux
     alias and module alias (`kas lookup '*@*'`): end to end (process start
     to exit, from this script and from bench/spawn-latency.cpp) and server
     side (KAS_TIMING), p50/p99/max;
  3. the reference: `perf probe -D NAME@FILE` (what a user without kas runs to
     turn "the name_show of kernel/irq/irqdesc.c" into a kprobe_events line),
     on a copy of vmlinux whose build-id note is retyped so perf accepts it
     while another kernel runs: its wall time per SPEC, the ratio to kas's
     p50, and how many of its locations the kernel would take (a name that
     kallsyms has once: nm over vmlinux and every module).

usage: probe-bench.py [--kas PATH] [--cache DIR] [--samples N] [--perf-samples N] [--seed S]
"""
import argparse
import collections
import concurrent.futures
import json
import os
import random
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernelpkg  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def retype_build_id(path):
    """Changes the type of vmlinux's NT_GNU_BUILD_ID note so perf does not
    compare it with the running kernel's (which is another kernel here)."""
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True, check=True).stdout
    m = re.search(r"\]\s+\.notes\s+NOTE\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", out)
    off, size = int(m.group(1), 16), int(m.group(2), 16)
    with open(path, "r+b") as f:
        f.seek(off)
        data = f.read(size)
        i = 0
        while i + 12 <= len(data):
            namesz, descsz, kind = struct.unpack_from("<III", data, i)
            if kind == 3 and data[i + 12:i + 15] == b"GNU":
                f.seek(off + i + 8)
                f.write(struct.pack("<I", 0x4b41))
                return True
            i += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kas", default=os.path.join(HERE, "..", "build", "client", "kas"))
    ap.add_argument("--cache", default=kernelpkg.DEFAULT_CACHE)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--perf-samples", type=int, default=20)
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    kas = os.path.abspath(args.kas)
    k = kernelpkg.Kernel(kernelpkg.DEFAULT_PACKAGE)
    root = k.root(args.cache)
    if root is None:
        sys.exit(f"no {k.pkg} under {args.cache}: run bench/vmlinux-bench.sh once to fetch it")
    vmlinux = k.vmlinux(root)
    moddir = os.path.join(root, "usr", "lib", "debug", "lib", "modules", k.release)
    work = tempfile.mkdtemp(prefix="kas-probe-bench.")
    env = dict(os.environ, KAS_SOCKET=os.path.join(work, "kasd.sock"),
               PATH=os.path.join(os.path.dirname(os.path.dirname(kas)), "daemon") + os.pathsep + os.environ["PATH"])
    target = ["--kernel", k.release, "--debug-root", root]
    rng = random.Random(args.seed)

    def run_kas(argv, timing=False):
        e = dict(env, KAS_TIMING="1") if timing else env
        start = time.perf_counter()
        r = subprocess.run([kas] + argv + target, capture_output=True, text=True, env=e)
        wall = time.perf_counter() - start
        m = re.search(r"kas: server ([0-9.]+) ms", r.stderr)
        return r, wall, float(m.group(1)) / 1000 if m else None

    try:
        r, wall, _ = run_kas(["probe", "name_show@kernel_irq_irqdesc_c_230"])
        if r.returncode != 0:
            sys.exit(f"kas probe failed: {r.stderr}")
        print(f"1. first kas probe (kasd indexes vmlinux and the modules): {wall:.1f} s -> {r.stdout.strip()}")

        r, _, _ = run_kas(["lookup", "*@*", "--all", "--json"])
        defs = json.loads(r.stdout)["results"][0]["definitions"]
        specs = [(d["alias"] if d["binary"] == "vmlinux" else d["binary"] + ":" + d["alias"], d) for d in defs]
        rng.shuffle(specs)
        sample = specs[:args.samples]
        walls, servers, failed = [], [], 0
        for spec, _ in sample:
            r, wall, server = run_kas(["probe", spec], timing=True)
            failed += r.returncode != 0
            walls.append(wall)
            if server is not None:
                servers.append(server)
        vm = sum(1 for _, d in sample if d["binary"] == "vmlinux")
        print(f"2. kas probe SPEC, warm daemon, {len(sample)} SPECs ({vm} vmlinux, {len(sample) - vm} module aliases; "
              f"{failed} failed):\n   end to end p50 {pct(walls, 50) * 1000:.1f} ms, p99 {pct(walls, 99) * 1000:.1f} ms, "
              f"max {max(walls) * 1000:.1f} ms; server p50 {pct(servers, 50) * 1000:.3f} ms, "
              f"p99 {pct(servers, 99) * 1000:.3f} ms")
        driver = os.path.join(work, "spawn-latency")
        built = subprocess.run(["g++", "-std=c++20", "-O2", "-pthread", "-include", "fcntl.h",
                                os.path.join(HERE, "spawn-latency.cpp"), "-o", driver], capture_output=True, text=True)
        native_p50 = None
        if built.returncode == 0:
            listing = os.path.join(work, "commands.txt")
            with open(listing, "w") as out:
                for spec, _ in sample:
                    out.write("\t".join([kas, "probe", spec] + target) + "\n")
            r = subprocess.run([driver, "1", "0", listing], capture_output=True, text=True, env=env)
            p50, p99, worst, count = r.stdout.split()
            native_p50 = float(p50) / 1000
            print(f"   from C++ (no interpreter in the way), {count} calls: p50 {p50} ms, p99 {p99} ms, max {worst} ms")

        # The reference: perf probe, DWARF read anew for every probe.
        copy = os.path.join(work, "vmlinux")
        shutil.copyfile(vmlinux, copy)
        if not retype_build_id(copy):
            sys.exit(f"{vmlinux}: no build-id note to retype")
        everywhere = collections.Counter()
        kos = [os.path.join(d, f) for d, _, fs in os.walk(moddir) for f in fs if f.endswith(".ko")]
        def names(path):
            out = subprocess.run(["nm", "--defined-only", path], capture_output=True, text=True).stdout
            return [line.split()[2] for line in out.splitlines() if len(line.split()) == 3]
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
            for ns in pool.map(names, kos + [vmlinux]):
                everywhere.update(ns)
        vm_specs = [(s, d) for s, d in specs if d["binary"] == "vmlinux" and d["file"]][:args.perf_samples]
        perf_walls, perf_ok, kas_ok = [], 0, 0
        for spec, d in vm_specs:
            start = time.perf_counter()
            r = subprocess.run(["perf", "probe", "-k", copy, "-D", f"{d['name']}@{d['file']}"], capture_output=True,
                               text=True, cwd=work)
            perf_walls.append(time.perf_counter() - start)
            locations = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("p:")]
            # One probe that the kernel takes: a symbol kallsyms has once.
            perf_ok += len(locations) == 1 and everywhere[locations[0].split("+")[0]] == 1
            kr, _, _ = run_kas(["probe", spec])
            location = kr.stdout.split()[1] if kr.returncode == 0 else ""
            kas_ok += everywhere[location.split("+")[0]] == 1
        perf_p50 = statistics.median(perf_walls)
        kas_p50 = native_p50 or pct(walls, 50)
        print(f"3. perf probe -D NAME@FILE on the same vmlinux, {len(vm_specs)} vmlinux aliases: "
              f"median {perf_p50:.2f} s per probe; kas probe (warm daemon, p50 above) is {perf_p50 / kas_p50:.0f}x "
              f"faster")
        print(f"   locations the kernel takes (a name kallsyms has once): perf {perf_ok}/{len(vm_specs)}, "
              f"kas {kas_ok}/{len(vm_specs)}")
    finally:
        subprocess.run([kas, "daemon", "stop"], capture_output=True, env=env)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
