#!/usr/bin/env python3
"""kasd benchmark on a Debian debug kernel (default 6.1.0-56-amd64: vmlinux + 4,023 modules).

Starts a fresh kasd on a private socket and measures, in one run:
  1. the whole-tree index (census of vmlinux + every module, and the source
     location of every module text symbol the census makes duplicated): wall
     of the first request, daemon CPU and RSS, with a cold page cache (when
     /proc/sys/vm/drop_caches is writable) and a warm one;
  2. per-module `kas module` through the warm daemon, end to end (process
     start to OUT written), for a random sample: p50/p99 with 1 client and
     with 8 concurrent clients;
  3. the same sample the reference way (bench/module-bench.py's: a Python
     process reloading the census, nm, objdump, addr2line, objcopy), wall and
     CPU, as ratios against kas (client + daemon CPU);
  4. all modules at -j2 the way make would run them: wall, client CPU,
     daemon CPU, daemon peak RSS;
  5. with --kill: all modules again at -j2 with the daemon SIGKILLed a few
     seconds in: failed modules (must be 0: clients restart it).

vmlinux's listing is the package's System.map (what scripts/mksysmap makes of
`nm -n vmlinux`; bench/vmlinux-bench.sh checks they are equal).

usage: daemon-bench.py [--kernel-package PKG] [--kas PATH] [--cache DIR] [--sample N] [--kill]
"""
import argparse
import concurrent.futures
import importlib.util
import os
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernelpkg  # noqa: E402  (the package cache layout, shared with vmlinux-bench.sh)

HERE = os.path.dirname(os.path.abspath(__file__))


def load_module_bench():
    spec = importlib.util.spec_from_file_location("module_bench", os.path.join(HERE, "module-bench.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def proc_stat(pid):
    """(CPU seconds, peak RSS KiB, current RSS KiB) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return cpu, hwm, rss


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class Bench:
    def __init__(self, args, work):
        self.kas = args.kas
        kernel = kernelpkg.Kernel(args.kernel_package)
        tree = kernel.root(args.cache)
        if not tree:
            sys.exit(f"{kernel.pkg} is not unpacked in {args.cache}: run bench/vmlinux-bench.sh "
                     f"--kernel-package {args.kernel_package} once to fetch it")
        self.vmlinux = kernel.vmlinux(tree)
        self.moddir = kernel.moddir(tree)
        self.work = work
        self.env = dict(os.environ, KAS_SOCKET=os.path.join(work, "run", "kasd.sock"))
        self.syms = os.path.join(os.path.dirname(self.vmlinux), f"System.map-{kernel.release}")
        if not os.path.isfile(self.syms):
            sys.exit(f"missing {self.syms}: the debug package ships it beside vmlinux")
        self.modules = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(self.moddir)
                              for f in fs if f.endswith(".ko"))
        self.pid = None
        self.outputs = 0

    def daemon(self, *argv):
        return subprocess.run([self.kas, "daemon", *argv], env=self.env, capture_output=True, text=True)

    def start_daemon(self):
        self.daemon("stop")
        self.daemon("start").check_returncode()
        self.pid = int(re.search(r"kasd pid (\d+)", self.daemon("status").stdout).group(1))

    def out_path(self):
        # A new file per request, as in a build: replacing an existing file
        # makes ext4 flush it (auto_da_alloc), which no first build pays.
        self.outputs += 1
        return os.path.join(self.work, "out", f"{self.outputs}.ko")

    def module(self, module, out=None, verbose=False):
        out = out or self.out_path()
        argv = [self.kas, "module", module, "--nm", self.syms, "--modules", self.moddir, "-o", out]
        start = time.perf_counter()
        p = subprocess.run(argv + (["-v"] if verbose else []), env=self.env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        return wall, p.returncode, p.stderr

    def index(self, cold):
        if cold:
            try:
                subprocess.run(["sync"])
                with open("/proc/sys/vm/drop_caches", "w") as f:
                    f.write("3\n")
            except OSError as e:
                print(f"index, cold page cache: skipped ({e.strerror} writing /proc/sys/vm/drop_caches)")
                return
        self.start_daemon()
        wall, rc, err = self.module(self.modules[0])
        if rc != 0:
            sys.exit(f"first request failed: {err}")
        cpu, hwm, rss = proc_stat(self.pid)
        print(f"index, {'cold' if cold else 'warm'} page cache: first request {wall:.2f} s wall "
              f"(census of {len(self.modules)} modules + vmlinux, duplicated module text symbols located), "
              f"daemon CPU {cpu:.2f} s, RSS {rss >> 10} MiB (peak {hwm >> 10} MiB)")

    def latency(self, sample, clients):
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(self.module, sample))
        failed = sum(1 for r in results if r[1] != 0)
        walls = [r[0] for r in results]
        print(f"warm daemon, {len(sample)} random modules, {clients} concurrent client(s): "
              f"p50 {statistics.median(walls) * 1000:.1f} ms  p99 {pct(walls, 99) * 1000:.1f} ms  "
              f"max {max(walls) * 1000:.1f} ms  failed {failed}")

    def versus_reference(self, sample):
        mb = load_module_bench()
        census = os.path.join(self.work, "modules.symbfreq")
        subprocess.run([self.kas, "census", "--nm", self.syms, "--modules", self.moddir, "--units", "-o", census],
                       env=self.env, check=True)
        cpu0, _, _ = proc_stat(self.pid)
        c0 = children_cpu()
        t0 = time.perf_counter()
        runs = [(m, self.module(m, verbose=True)) for m in sample]
        kas_wall = time.perf_counter() - t0
        kas_cpu = children_cpu() - c0 + proc_stat(self.pid)[0] - cpu0
        aliases = {}
        for m, (_, _, err) in runs:
            aliases[m] = [(g.group(1), int(g.group(2), 16), g.group(3), g.group(4))
                          for g in map(mb.ALIAS_LINE.match, err.splitlines()) if g]
        c1 = children_cpu()
        t1 = time.perf_counter()
        for m in sample:
            mb.reference_way(m, census, aliases[m], None, self.work)
        ref_wall = time.perf_counter() - t1
        ref_cpu = children_cpu() - c1
        print(f"same {len(sample)} modules one after another: kas {kas_wall:.2f} s wall, {kas_cpu:.2f} s CPU "
              f"(client + daemon); reference way {ref_wall:.1f} s wall, {ref_cpu:.1f} s CPU -> "
              f"{ref_wall / kas_wall:.0f}x wall, {ref_cpu / kas_cpu:.0f}x CPU")

    def all_modules(self, kill_after=None):
        cpu0, _, _ = proc_stat(self.pid)
        c0 = children_cpu()
        killer = None
        if kill_after is not None:
            victim = self.pid

            def kill():
                time.sleep(kill_after)
                os.kill(victim, signal.SIGKILL)
            killer = threading.Thread(target=kill)
            killer.start()
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            results = list(pool.map(self.module, self.modules))
        wall = time.perf_counter() - start
        failed = [err for _, rc, err in results if rc != 0]
        client_cpu = children_cpu() - c0
        if killer:
            killer.join()
            print(f"all {len(self.modules)} modules at -j2, daemon SIGKILLed after {kill_after} s: "
                  f"wall {wall:.1f} s, failed modules {len(failed)}")
        else:
            cpu1, hwm, _ = proc_stat(self.pid)
            print(f"all {len(self.modules)} modules at -j2 through the daemon: wall {wall:.1f} s, "
                  f"client CPU {client_cpu:.1f} s, daemon CPU {cpu1 - cpu0:.1f} s, daemon peak RSS {hwm >> 10} MiB, "
                  f"failed {len(failed)}")
        for err in failed[:5]:
            print("  " + err.strip()[:300])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kas", default=os.path.join(HERE, "..", "build", "client", "kas"))
    ap.add_argument("--kernel-package", default=kernelpkg.DEFAULT_PACKAGE,
                    help=f"Debian debug kernel package (default {kernelpkg.DEFAULT_PACKAGE})")
    ap.add_argument("--cache", default=kernelpkg.DEFAULT_CACHE)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--kill", action="store_true", help="also run every module with the daemon SIGKILLed")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kas-daemon-bench.") as work:
        os.makedirs(os.path.join(work, "run"), mode=0o700)
        os.makedirs(os.path.join(work, "out"))
        b = Bench(args, work)
        rng = random.Random(20231122)
        sample = rng.sample(b.modules, min(args.sample, len(b.modules)))
        b.index(cold=True)
        subprocess.run(["cat"] + b.modules, stdout=subprocess.DEVNULL)  # warm the page cache
        b.index(cold=False)
        b.latency(sample, 1)
        b.latency(sample, 8)
        b.versus_reference(sample)
        b.all_modules()
        if args.kill:
            b.all_modules(kill_after=5)
        b.daemon("stop")


if __name__ == "__main__":
    main()
