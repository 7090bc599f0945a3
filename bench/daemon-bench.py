#!/usr/bin/env python3
"""kasd benchmark on Debian's 6.1.0-56-amd64 debug modules (issue: the daemon).

Starts a fresh kasd on a private socket, then measures:
  - the first request (whole-tree index: census of vmlinux + every module);
  - warm per-module `kas module` end to end (process start to OUT written)
    for a random sample: p50 / p99;
  - all modules at -j2 through the daemon, including process starts: wall,
    client CPU, daemon CPU, daemon peak RSS.

usage: daemon-bench.py [--kas PATH] [--cache DIR] [--sample N]
"""
import argparse
import concurrent.futures
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

RELEASE = "6.1.0-56-amd64"


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def proc_stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    with open(f"/proc/{pid}/status") as f:
        hwm = int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))
    return cpu, hwm


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--kas", default=os.path.join(here, "..", "build", "client", "kas"))
    ap.add_argument("--cache", default=os.environ.get("KAS_BENCH_CACHE", "/var/cache/kasd-bench"))
    ap.add_argument("--sample", type=int, default=200)
    args = ap.parse_args()
    root = os.path.join(args.cache, "root", "usr", "lib", "debug")
    vmlinux = os.path.join(root, "boot", f"vmlinux-{RELEASE}")
    moddir = os.path.join(root, "lib", "modules", RELEASE)
    if not os.path.exists(vmlinux):
        sys.exit(f"missing {vmlinux}: run bench/vmlinux-bench.sh once to fetch the debug kernel")
    work = tempfile.mkdtemp(prefix="kas-daemon-bench.")
    sock = os.path.join(work, "run", "kasd.sock")
    syms = os.path.join(work, "vmlinux.syms")
    nm = subprocess.run(["nm", "-n", vmlinux], capture_output=True, text=True, check=True).stdout
    with open(syms, "w") as f:
        for line in nm.splitlines():
            if not re.search(r" [aNUw] | \$| \.L| __crc_| __kstrtab_| __kstrtabns_| L0$", line):
                f.write(line + "\n")
    modules = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(moddir) for f in fs if f.endswith(".ko"))
    subprocess.run(["cat"] + modules, stdout=subprocess.DEVNULL)  # warm the page cache
    env = dict(os.environ, KAS_SOCKET=sock)
    subprocess.run([args.kas, "daemon", "start"], env=env, check=True, stdout=subprocess.DEVNULL)
    status = subprocess.run([args.kas, "daemon", "status"], env=env, capture_output=True, text=True).stdout
    pid = int(re.search(r"kasd pid (\d+)", status).group(1))

    def one(module, out):
        start = time.perf_counter()
        subprocess.run([args.kas, "module", module, "--nm", syms, "--modules", moddir, "-o", out],
                       env=env, check=True, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    first = one(modules[0], os.path.join(work, "first.ko"))
    cpu0, _ = proc_stat(pid)
    print(f"first request (whole-tree census index of {len(modules)} modules + one module): {first:.2f} s,"
          f" daemon CPU {cpu0:.2f} s")
    rng = random.Random(20231122)
    sample = rng.sample(modules, min(args.sample, len(modules)))
    walls = [one(m, os.path.join(work, "s.ko")) for m in sample]
    print(f"warm, {len(sample)} random modules end to end: p50 {statistics.median(walls) * 1000:.1f} ms"
          f"  p99 {pct(walls, 99) * 1000:.1f} ms  max {max(walls) * 1000:.1f} ms")

    outdir = os.path.join(work, "all")
    os.makedirs(outdir)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before, _ = proc_stat(pid)
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda im: one(im[1], os.path.join(outdir, f"{im[0]}.ko")), enumerate(modules)))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_after, hwm = proc_stat(pid)
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"all {len(modules)} modules at -j2 through the daemon: wall {wall:.1f} s, client CPU {client_cpu:.1f} s,"
          f" daemon CPU {cpu_after - cpu_before:.1f} s, daemon peak RSS {hwm >> 10} MiB")
    subprocess.run([args.kas, "daemon", "stop"], env=env, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
