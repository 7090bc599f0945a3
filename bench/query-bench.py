#!/usr/bin/env python3
"""kas lookup / resolve / decode on Debian's 6.1.0-56-amd64 debug kernel.

In one run, against a fresh kasd on a private socket:
  1. the first question: index of vmlinux + 4,023 modules (symbols, census,
     aliases), wall and daemon RSS;
  2. `kas lookup name_show`: every definition, checked against binutils nm
     over vmlinux and every module, and each file against eu-addr2line;
  3. `kas resolve` of duplicated `name+off/size [module]` frames: the copy
     picked is the one the frame was made from;
  4. a synthetic 30-frame oops (vmlinux and module frames, most of them
     duplicated names) decoded by `kas decode` (warm daemon) and by the 6.1
     source's scripts/decode_stacktrace.sh: wall time of both, their ratio,
     and how many frames each decodes to the right file:line (truth:
     eu-addr2line -i at the frame's real address);
  5. lookup and resolve latency, end to end (process start to exit) and
     server side (KAS_TIMING), p50/p99 with 1 and with 64 concurrent clients;
  6. the same end to end from a C++ driver (bench/spawn-latency.cpp), which
     adds no interpreter's own process-start costs.

usage: query-bench.py [--kas PATH] [--cache DIR] [--samples N] [--seed S]
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
import subprocess
import sys
import tarfile
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernelpkg  # noqa: E402  (the package cache layout, shared with vmlinux-bench.sh)

RELEASE = "6.1.0-56-amd64"
HERE = os.path.dirname(os.path.abspath(__file__))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def rss_kib(pid):
    """(RSS, peak RSS, anonymous RSS) in KiB: file-backed pages (mapped debug
    info read through the page cache) count in RSS but are reclaimable."""
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    field = lambda name: int(re.search(name + r":\s+(\d+)", status).group(1))
    return field("VmRSS"), field("VmHWM"), field("RssAnon")


def norm(path):
    """A source path as both tools may print it, reduced for comparison."""
    path = os.path.normpath(path)
    for marker in ("/build_amd64_none_amd64/", "debian/build/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return path.lstrip("./")


def same_place(a, b):
    """file:line pairs naming the same line (one path may be longer)."""
    (fa, la), (fb, lb) = a, b
    fa, fb = norm(fa), norm(fb)
    return la == lb and (fa == fb or fa.endswith("/" + fb) or fb.endswith("/" + fa))


class Bench:
    def __init__(self, args, work):
        self.kas = args.kas
        self.root = (kernelpkg.Kernel(kernelpkg.DEFAULT_PACKAGE).root(args.cache)
                     or os.path.join(args.cache, "root"))
        debug = os.path.join(self.root, "usr", "lib", "debug")
        self.vmlinux = os.path.join(debug, "boot", f"vmlinux-{RELEASE}")
        self.moddir = os.path.join(debug, "lib", "modules", RELEASE)
        if not os.path.exists(self.vmlinux):
            sys.exit(f"missing {self.vmlinux}: run bench/vmlinux-bench.sh once to fetch the debug kernel")
        self.work = work
        rundir = os.path.join(work, "run")
        os.makedirs(rundir, mode=0o700)
        kasd_dir = os.path.join(os.path.dirname(os.path.dirname(self.kas)), "daemon")
        self.env = dict(os.environ, KAS_SOCKET=os.path.join(rundir, "kasd.sock"),
                        PATH=kasd_dir + os.pathsep + os.environ["PATH"])
        self.target = ["--kernel", RELEASE, "--debug-root", self.root]
        self.rng = random.Random(args.seed)
        self.samples = args.samples

    def kas_run(self, args, stdin=None, timing=False):
        env = dict(self.env, KAS_TIMING="1") if timing else self.env
        start = time.perf_counter()
        r = subprocess.run([self.kas] + args + self.target, input=stdin, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        server = None
        m = re.search(r"kas: server ([0-9.]+) ms", r.stderr)
        if m:
            server = float(m.group(1)) / 1000
        return r, wall, server

    def daemon_pid(self):
        r = subprocess.run([self.kas, "daemon", "status"], capture_output=True, text=True, env=self.env)
        m = re.search(r"pid (\d+)", r.stdout + r.stderr)
        return int(m.group(1)) if m else None

    # -- independent oracles ------------------------------------------------
    def nm_scan(self):
        """(binary, name) -> [(value, size, type, path)] from binutils nm -S. For vmlinux, `size` is
        what an oops prints after the slash: kallsyms' distance to the next symbol kallsyms lists
        (get_symbol_pos; mksysmap drops a/N/U/w lines and $/.L names), from nm -n, never st_size.
        A module frame keeps st_size, which kas takes too (its kallsyms size depends on the
        loader's layout of the module's sections)."""
        table = collections.defaultdict(list)
        listed = []
        out = subprocess.run(["nm", "-n", "--defined-only", self.vmlinux], capture_output=True, text=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] not in "aANUw" and not f[2].startswith(("$", ".L")):
                listed.append((int(f[0], 16), f[1], f[2]))
        for i, (value, kind, name) in enumerate(listed):
            if kind not in "tT":
                continue
            after = next((v for v, _, _ in listed[i + 1:] if v > value), None)
            if after is not None:
                table[("vmlinux", name)].append((value, after - value, kind, self.vmlinux))
        kos = []
        for d, _, files in os.walk(self.moddir):
            kos += [os.path.join(d, f) for f in files if f.endswith(".ko")]
        batches = [kos[i:i + 200] for i in range(0, len(kos), 200)]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            outs = pool.map(lambda b: subprocess.run(["nm", "-A", "-S", "--defined-only"] + b, capture_output=True,
                                                     text=True).stdout, batches)
        out = "".join(outs)
        for line in out.splitlines():
            if ":" not in line:
                continue
            path, rest = line.split(":", 1)
            f = rest.split()
            if len(f) == 4 and f[2] in "tT":
                module = os.path.basename(path)[:-3].replace("-", "_")
                table[(module, f[3])].append((int(f[0], 16), int(f[1], 16), f[2], path))
        return table, len(kos)

    def section_of(self, path, name, value):
        out = subprocess.run(["readelf", "-sW", path], capture_output=True, text=True).stdout
        ndx = None
        for line in out.splitlines():
            f = line.split()
            if len(f) == 8 and f[7] == name and int(f[1], 16) == value and f[6].isdigit():
                ndx = f[6]
        out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)", line)
            if m and m.group(1) == ndx:
                return m.group(2)
        return None

    def truth(self, path, address, section=None):
        """eu-addr2line -f -i: [(function, file, line)], innermost first."""
        cmd = ["eu-addr2line", "-f", "-i", "-e", path] + (["-j", section] if section else []) + [hex(address)]
        lines = subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()
        frames = []
        for i in range(0, len(lines) - 1, 2):
            m = re.match(r"(.*?):(\d+)(:\d+)?$", lines[i + 1])
            if m:
                frames.append((lines[i].split(" ")[0], m.group(1), int(m.group(2))))
        return frames

    # -- the steps -----------------------------------------------------------
    def first_question(self):
        r, wall, _ = self.kas_run(["lookup", "name_show", "--json", "--all"])
        if r.returncode != 0:
            sys.exit(f"kas lookup failed: {r.stderr}")
        pid = self.daemon_pid()
        rss, hwm, anon = rss_kib(pid) if pid else (0, 0, 0)
        print(f"1. first question (index of vmlinux + modules): {wall:.1f} s wall; "
              f"daemon RSS {rss / 1024:.0f} MiB ({anon / 1024:.0f} MiB anonymous), peak {hwm / 1024:.0f} MiB")
        return json.loads(r.stdout)

    def check_lookup(self, answer, nm):
        got = {(d["binary"], int(d["address"], 16)) for d in answer["results"][0]["definitions"]}
        want = {(b, v[0]) for (b, name), vals in nm.items() if name == "name_show" for v in vals}
        files_ok = 0
        for d in answer["results"][0]["definitions"]:
            addr = int(d["address"], 16)
            section = d["section"] if d["relocatable"] else None
            frames = self.truth(d["path"], addr, section)
            if frames and same_place((frames[-1][1], 0), (d["file"] or "?", 0)):
                files_ok += 1
        print(f"2. kas lookup name_show: {len(got)} definitions "
              f"({sum(1 for b, _ in got if b == 'vmlinux')} vmlinux, {len(got) - sum(1 for b, _ in got if b == 'vmlinux')} "
              f"modules); nm finds {len(want)}; same set: {got == want}; file agrees with eu-addr2line: "
              f"{files_ok}/{len(got)}")
        return got == want

    def duplicated_frames(self, nm, count):
        """Frames (spec, binary, path, address, section) of duplicated names, each copy identified by
        its module and its size."""
        by_name = collections.defaultdict(list)
        for (binary, name), vals in nm.items():
            for v in vals:
                by_name[name].append((binary, v))
        frames = []
        names = [n for n, copies in by_name.items() if len(copies) > 1 and not n.startswith("__pfx")]
        self.rng.shuffle(names)
        for name in names:
            copies = by_name[name]
            binary, (value, size, _, path) = self.rng.choice(copies)
            same = [c for c in copies if c[0] == binary and c[1][1] == size]
            if size < 2 or len(same) != 1:
                continue  # the frame must name one copy: unique size within its binary
            off = self.rng.randrange(1, size)
            spec = f"{name}+{hex(off)}/{hex(size)}" + ("" if binary == "vmlinux" else f" [{binary}]")
            section = None if binary == "vmlinux" else self.section_of(path, name, value)
            if binary != "vmlinux" and section is None:
                continue
            frames.append((spec, binary, path, value + off, section, name))
            if len(frames) == count:
                break
        return frames

    def check_resolve(self, frames):
        specs = [f[0] for f in frames]
        r, _, _ = self.kas_run(["resolve", "--json"] + specs)
        results = json.loads(r.stdout)["results"]
        right = 0
        for f, res in zip(frames, results):
            c = res["candidates"]
            if len(c) == 1 and c[0]["symbol"]["binary"] == f[1] and \
                    int(c[0]["symbol"]["address"], 16) + c[0]["offset"] == f[3]:
                right += 1
        print(f"3. kas resolve of {len(frames)} duplicated name+off/size frames: {right} picked the copy they "
              f"were made from")

    def oops(self, nm):
        # 30 frames: 20 duplicated names (vmlinux and modules), 10 unique ones.
        frames = self.duplicated_frames(nm, 20)
        self.duplicated_specs = {f[0] for f in frames}
        uniques = [(b, n, v[0]) for (b, n), v in nm.items() if len(v) == 1 and v[0][1] > 1]
        self.rng.shuffle(uniques)
        counts = collections.Counter(n for (_, n) in nm.keys())
        for binary, name, _ in uniques:
            if counts[name] != 1 or name.startswith("__pfx"):
                continue
            value, size, _, path = nm[(binary, name)][0]
            section = None if binary == "vmlinux" else self.section_of(path, name, value)
            if binary != "vmlinux" and section is None:
                continue
            off = self.rng.randrange(1, size)
            spec = f"{name}+{hex(off)}/{hex(size)}" + ("" if binary == "vmlinux" else f" [{binary}]")
            frames.append((spec, binary, path, value + off, section, name))
            if len(frames) == 30:
                break
        self.rng.shuffle(frames)
        text = ["[  101.000000] BUG: unable to handle page fault for address: ffffffffc0bad000",
                "[  101.000001] Oops: 0000 [#1] PREEMPT SMP NOPTI",
                f"[  101.000002] CPU: 0 PID: 1 Comm: bench Not tainted {RELEASE} #1 Debian 6.1.0-56",
                f"[  101.000003] RIP: 0010:{frames[0][0]}",
                "[  101.000004] Call Trace:", "[  101.000005]  <TASK>"]
        for i, f in enumerate(frames[1:]):
            text.append(f"[  101.{i + 6:06d}]  {'? ' if i % 4 == 3 else ''}{f[0]}")
        text.append("[  101.000099]  </TASK>")
        truths = []
        for i, f in enumerate(frames):
            # Module addresses are section offsets: eu-addr2line -j wants the
            # offset in the section. Call-trace frames (all but the RIP) are
            # return addresses: the right line is the call's, one byte back.
            truths.append(self.truth(f[2], f[3] - (1 if i > 0 else 0), f[4]))
        return "\n".join(text) + "\n", frames, truths

    def decode(self, text, frames, truths):
        src = os.path.join(self.work, "linux")
        with tarfile.open("/usr/src/linux-source-6.1.tar.xz") as tar:
            for member in ("linux-source-6.1/scripts/decode_stacktrace.sh", "linux-source-6.1/scripts/decodecode"):
                tar.extract(member, src)
        script = os.path.join(src, "linux-source-6.1", "scripts", "decode_stacktrace.sh")

        start = time.perf_counter()
        ref = subprocess.run(["bash", script, self.vmlinux, "auto", self.moddir], input=text, capture_output=True,
                             text=True)
        ref_wall = time.perf_counter() - start

        kas_walls = []
        for _ in range(5):
            r, wall, _ = self.kas_run(["decode"], stdin=text)
            kas_walls.append(wall)
        kas_wall = statistics.median(kas_walls)

        # Correct answers: kas's annotation is the outermost frame's place
        # (the function itself); decode_stacktrace.sh prints addr2line -i's
        # places, innermost first.
        kas_right = kas_ambiguous = ref_right = 0
        kas_dup_right = ref_dup_right = 0
        kas_lines = r.stdout.splitlines()
        ref_lines = ref.stdout.splitlines()
        for f, t in zip(frames, truths):
            if not t:
                continue
            for line in kas_lines:
                if f[0] in line:
                    rest = line.split(f[0], 1)[1].split()
                    if rest and rest[0] == "(ambiguous:":
                        kas_ambiguous += 1
                    elif rest and ":" in rest[0]:
                        file, _, no = rest[0].rpartition(":")
                        if no.isdigit() and same_place((file, int(no)), (t[-1][1], t[-1][2])):
                            kas_right += 1
                            kas_dup_right += f[0] in self.duplicated_specs
                    break
            # decode_stacktrace.sh rewrites a frame as "name (file:line ...) module",
            # addr2line -i's places innermost first.
            name = f[5]
            for k, line in enumerate(ref_lines):
                m = re.search(r"(?:^|[\s:])" + re.escape(name) + r" \(([^)]*)\)", line)
                if m:
                    ref_lines[k] = ""  # each output line answers one frame
                    first = m.group(1).split()[0]
                    file, _, no = first.rpartition(":")
                    if no.isdigit() and same_place((file, int(no)), (t[0][1], t[0][2])):
                        ref_right += 1
                        ref_dup_right += f[0] in self.duplicated_specs
                    break
        print(f"4. decode of a {len(frames)}-frame oops ({sum(1 for f in frames[:20])} frames drawn from duplicated "
              f"names): kas decode {kas_wall * 1000:.1f} ms (median of 5, warm daemon), "
              f"decode_stacktrace.sh {ref_wall:.2f} s: {ref_wall / kas_wall:.0f}x faster")
        print(f"   right file:line: kas {kas_right}/{len(frames)} (ambiguous, every candidate listed: {kas_ambiguous}), "
              f"decode_stacktrace.sh {ref_right}/{len(frames)}; on the {len(self.duplicated_specs)} duplicated-name "
              f"frames: kas {kas_dup_right}, decode_stacktrace.sh {ref_dup_right}")
        for name, content in (("oops.txt", text), ("kas-decode.txt", r.stdout),
                              ("decode_stacktrace.txt", ref.stdout + ref.stderr)):
            with open(os.path.join(self.work, name), "w") as out:
                out.write(content)
        with open(os.path.join(self.work, "truth.txt"), "w") as out:
            for f, t in zip(frames, truths):
                out.write(f"{f[0]}: {t}\n")
        return kas_wall, ref_wall

    def latency(self, nm):
        # lookup: distinct vmlinux names (none asked before). resolve:
        # duplicated frames (most in modules), first while each module's
        # DWARF is opened for the first time, then the same frames again
        # (warm: the daemon has read those modules before), then new frames
        # in the same modules from 64 clients.
        names = sorted({n for (b, n) in nm.keys() if b == "vmlinux" and not n.startswith("__pfx")})
        self.rng.shuffle(names)
        frames = [f[0] for f in self.duplicated_frames(nm, self.samples)]
        def offset_by(spec, k):
            m = re.match(r"(\S+)\+0x([0-9a-f]+)/0x([0-9a-f]+)(.*)", spec)
            size = int(m.group(3), 16)
            return f"{m.group(1)}+{hex((int(m.group(2), 16) + k) % size)}/{m.group(3) and hex(size)}{m.group(4)}"
        # "all at once": 64 processes started together on this machine's
        # cores (throughput-bound: every call waits for the others' process
        # starts); "paced": 64 clients each asking every 0.5 s at random
        # phases, concurrent but not a stampede.
        runs = [("lookup", 1, "distinct names", names[:self.samples], 0),
                ("lookup", 64, "distinct names, all at once", names[self.samples:2 * self.samples], 0),
                ("lookup", 64, "distinct names, paced", names[2 * self.samples:3 * self.samples], 0.5),
                ("resolve", 1, "first touch of each module", frames, 0),
                ("resolve", 1, "warm, same frames", frames, 0),
                ("resolve", 64, "warm, other offsets, all at once", [offset_by(f, 1) for f in frames], 0),
                ("resolve", 64, "warm, other offsets, paced", [offset_by(f, 2) for f in frames], 0.5)]
        for label, clients, what, items, period in runs:
            def one(item):
                if period:
                    time.sleep(self.rng.uniform(0, period))
                r, wall, server = self.kas_run([label, item], timing=True)
                return wall, server
            with concurrent.futures.ThreadPoolExecutor(clients) as pool:
                results = list(pool.map(one, items))
            walls = [w for w, _ in results]
            servers = [s for _, s in results if s is not None]
            print(f"5. {label:7s} {clients:2d} client(s), {len(items)} calls ({what}):\n   end to end p50 "
                  f"{pct(walls, 50) * 1000:.1f} ms, p99 {pct(walls, 99) * 1000:.1f} ms; server p50 "
                  f"{pct(servers, 50) * 1000:.3f} ms, p99 {pct(servers, 99) * 1000:.3f} ms")
        # The same without Python in the way: bench/spawn-latency.cpp spawns
        # kas from C++ threads and times spawn to exit.
        driver = os.path.join(self.work, "spawn-latency")
        built = subprocess.run(["g++", "-std=c++20", "-O2", "-pthread", "-include", "fcntl.h",
                                os.path.join(HERE, "spawn-latency.cpp"), "-o", driver], capture_output=True, text=True)
        if built.returncode == 0:
            base = 3 * self.samples
            native = [("lookup", 1, 0, names[base:base + self.samples]),
                      ("lookup", 64, 0, names[base + self.samples:base + 2 * self.samples]),
                      ("lookup", 64, 0.5, names[base + 2 * self.samples:base + 3 * self.samples]),
                      ("resolve", 1, 0, frames),
                      ("resolve", 64, 0, [offset_by(f, 3) for f in frames]),
                      ("resolve", 64, 0.5, [offset_by(f, 4) for f in frames])]
            for label, clients, period, items in native:
                listing = os.path.join(self.work, "commands.txt")
                with open(listing, "w") as out:
                    for item in items:
                        out.write("\t".join([self.kas, label, item] + self.target) + "\n")
                r = subprocess.run([driver, str(clients), str(period), listing], capture_output=True, text=True,
                                   env=self.env)
                p50, p99, worst, count = r.stdout.split()
                how = "sequential" if clients == 1 else ("paced, every 0.5 s" if period else "all at once")
                print(f"6. {label:7s} {clients:2d} client(s) ({how}), {count} calls from C++ threads: end to end "
                      f"p50 {p50} ms, p99 {p99} ms, max {worst} ms")
        pid = self.daemon_pid()
        if pid:
            rss, hwm, anon = rss_kib(pid)
            print(f"   daemon RSS after: {rss / 1024:.0f} MiB, {anon / 1024:.0f} MiB of it anonymous (the rest: "
                  f"debug files mapped from the page cache); peak {hwm / 1024:.0f} MiB")
        # The floor under "end to end" here: starting any process.
        walls = []
        for _ in range(100):
            start = time.perf_counter()
            subprocess.run(["/bin/true"])
            walls.append(time.perf_counter() - start)
        print(f"   (for scale: /bin/true from this script, p50 {pct(walls, 50) * 1000:.1f} ms, "
              f"p99 {pct(walls, 99) * 1000:.1f} ms)")

    def stop(self):
        subprocess.run([self.kas, "daemon", "stop"], capture_output=True, env=self.env)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kas", default=os.path.join(HERE, "..", "build", "client", "kas"))
    parser.add_argument("--cache", default="/var/cache/kasd-bench")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (oops, both decodes)")
    parser.add_argument("--no-latency", action="store_true", help="skip step 5")
    args = parser.parse_args()
    args.kas = os.path.abspath(args.kas)
    work = tempfile.mkdtemp(prefix="kas-query-bench.")
    bench = Bench(args, work)
    try:
        answer = bench.first_question()
        nm, modules = bench.nm_scan()
        print(f"   (oracle: nm -S over vmlinux and {modules} modules)")
        bench.check_lookup(answer, nm)
        bench.check_resolve(bench.duplicated_frames(nm, 200))
        text, frames, truths = bench.oops(nm)
        bench.decode(text, frames, truths)
        if not args.no_latency:
            bench.latency(nm)
    finally:
        bench.stop()
        if args.keep:
            print(f"   work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
