#!/usr/bin/env python3
"""The Debian debug kernel a benchmark runs on, and the binutils for its architecture.

A kernel is named by its debug package, optionally with a Debian architecture:
linux-image-6.1.0-56-arm64-dbg:arm64 -> release 6.1.0-56-arm64, architecture
arm64, binutils aarch64-linux-gnu-{nm,objdump,readelf,addr2line,objcopy,ld}
(installed with apt-get when missing; the host's own binutils for the host's
architecture). Without ':ARCH' the architecture follows the flavour
(amd64, arm64, powerpc64le -> ppc64el, s390x, armmp* -> armhf, 686* -> i386).

Each package has its own cache directory, CACHE/PACKAGE (without ':ARCH'),
holding the .deb and its `dpkg-deb -x` tree in CACHE/PACKAGE/root; an unpacked
tree made elsewhere is reused by linking it there (ln -s /data/arm64
CACHE/linux-image-6.1.0-56-arm64-dbg/root). The older single-kernel layout,
CACHE/root holding the default amd64 kernel, is still found.

usage: kernelpkg.py [--cache DIR] [--fetch] [PACKAGE]
  prints shell assignments (pkg arch release triplet root vmlinux moddir NM
  OBJDUMP READELF ADDR2LINE OBJCOPY LD) for `eval`; with --fetch, downloads
  and unpacks the package when its tree is missing.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys

DEFAULT_PACKAGE = "linux-image-6.1.0-56-amd64-dbg"
DEFAULT_CACHE = os.environ.get("KAS_BENCH_CACHE", "/var/cache/kasd-bench")

# Debian kernel flavour (prefix of the part after the ABI) -> Debian architecture.
FLAVOUR_ARCH = [
    ("rt-amd64", "amd64"), ("cloud-amd64", "amd64"), ("amd64", "amd64"),
    ("rt-arm64", "arm64"), ("cloud-arm64", "arm64"), ("arm64", "arm64"),
    ("powerpc64le", "ppc64el"), ("s390x", "s390x"),
    ("armmp", "armhf"), ("rt-armmp", "armhf"), ("marvell", "armel"), ("rpi", "armel"),
    ("686", "i386"), ("rt-686", "i386"),
    ("loongson-3", "mips64el"), ("mips64r2el", "mips64el"), ("octeon", "mips64el"),
    ("4kc-malta", "mipsel"), ("mips32r2el", "mipsel"),
]

TRIPLET = {
    "amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "ppc64el": "powerpc64le-linux-gnu",
    "s390x": "s390x-linux-gnu", "armhf": "arm-linux-gnueabihf", "armel": "arm-linux-gnueabi",
    "i386": "i686-linux-gnu", "mips64el": "mips64el-linux-gnuabi64", "mipsel": "mipsel-linux-gnu",
}

TOOLS = ("nm", "objdump", "readelf", "addr2line", "objcopy", "ld")


class Kernel:
    def __init__(self, spec):
        pkg, _, arch = spec.partition(":")
        if not (pkg.startswith("linux-image-") and pkg.endswith("-dbg")):
            raise ValueError(f"{spec}: not a Debian debug kernel package (linux-image-RELEASE-dbg[:ARCH])")
        self.pkg = pkg
        self.release = pkg[len("linux-image-"):-len("-dbg")]
        if not arch:
            # 6.1.0-56-arm64 -> flavour "arm64" (ABI: the first two dash fields);
            # backports have no ABI number: 6.12.107+deb12-amd64 -> "amd64"
            parts = self.release.split("-")
            abi = 2 if len(parts) > 2 and parts[1].isdigit() else 1
            flavour = "-".join(parts[abi:])
            arch = next((a for f, a in FLAVOUR_ARCH if flavour == f or flavour.startswith(f + "-")), None)
            if arch is None:
                raise ValueError(f"{spec}: cannot tell the architecture of flavour '{flavour}': add :ARCH")
        self.arch = arch
        self.spec = f"{pkg}:{arch}"
        self.triplet = triplet_of(arch)

    def tools(self, install=True):
        """binutils names for this architecture: the host's for the host's architecture."""
        if self.arch == host_arch():
            return {t: t for t in TOOLS}
        names = {t: f"{self.triplet}-{t}" for t in TOOLS}
        if install and not all(shutil.which(n) for n in names.values()):
            apt_install(f"binutils-{self.triplet}")
        missing = [n for n in names.values() if not shutil.which(n)]
        if missing:
            raise RuntimeError(f"missing {' '.join(missing)} (apt-get install binutils-{self.triplet})")
        return names

    def cache_dir(self, cache):
        return os.path.join(cache, self.pkg)

    def root(self, cache):
        """The unpacked tree (holding usr/lib/debug), or None."""
        for root in (os.path.join(self.cache_dir(cache), "root"), os.path.join(cache, "root")):
            if os.path.isfile(self.vmlinux(root)):
                return root
        return None

    def vmlinux(self, root):
        return os.path.join(root, "usr", "lib", "debug", "boot", f"vmlinux-{self.release}")

    def moddir(self, root):
        return os.path.join(root, "usr", "lib", "debug", "lib", "modules", self.release)

    def fetch(self, cache):
        """Downloads (once) and unpacks the package into its cache directory; returns the root."""
        root = self.root(cache)
        if root:
            return root
        d = self.cache_dir(cache)
        os.makedirs(d, exist_ok=True)
        debs = sorted(f for f in os.listdir(d) if f.startswith(self.pkg + "_") and f.endswith(".deb"))
        if not debs:
            if self.arch != host_arch() and self.arch not in foreign_archs():
                print(f"adding architecture {self.arch} to dpkg (apt-get download needs it)", file=sys.stderr)
                subprocess.run(["dpkg", "--add-architecture", self.arch], check=True)
                subprocess.run(["apt-get", "update", "-q"], check=True, stdout=sys.stderr)
            print(f"fetching {self.spec} into {d}", file=sys.stderr)
            subprocess.run(["apt-get", "download", self.spec], cwd=d, check=True, stdout=sys.stderr)
            debs = sorted(f for f in os.listdir(d) if f.startswith(self.pkg + "_") and f.endswith(".deb"))
        print(f"unpacking {debs[0]}", file=sys.stderr)
        root = os.path.join(d, "root")
        subprocess.run(["dpkg-deb", "-x", os.path.join(d, debs[0]), root], check=True)
        if not os.path.isfile(self.vmlinux(root)):
            raise RuntimeError(f"{debs[0]} holds no {self.vmlinux(root)}")
        return root


def host_arch():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()


def foreign_archs():
    return subprocess.run(["dpkg", "--print-foreign-architectures"], capture_output=True, text=True).stdout.split()


def triplet_of(arch):
    if shutil.which("dpkg-architecture"):
        p = subprocess.run(["dpkg-architecture", "-a", arch, "-qDEB_HOST_GNU_TYPE"],
                           capture_output=True, text=True)
        if p.returncode == 0 and p.stdout.strip():
            return p.stdout.strip()
    if arch not in TRIPLET:
        raise ValueError(f"unknown Debian architecture {arch}")
    return TRIPLET[arch]


def apt_install(package):
    print(f"installing {package}", file=sys.stderr)
    if subprocess.run(["apt-get", "install", "-y", "-q", package], stdout=sys.stderr).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=True, stdout=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", package], check=True, stdout=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("package", nargs="?", default=DEFAULT_PACKAGE)
    ap.add_argument("--cache", default=DEFAULT_CACHE)
    ap.add_argument("--fetch", action="store_true")
    args = ap.parse_args()
    try:
        k = Kernel(args.package)
        root = k.fetch(args.cache) if args.fetch else k.root(args.cache)
        tools = k.tools()
    except (ValueError, RuntimeError, subprocess.CalledProcessError) as e:
        sys.exit(f"kernelpkg: {e}")
    if root is None:
        sys.exit(f"kernelpkg: {k.spec} is not unpacked under {args.cache} (use --fetch)")
    values = {"pkg": k.spec, "arch": k.arch, "release": k.release, "triplet": k.triplet, "root": root,
              "vmlinux": k.vmlinux(root), "moddir": k.moddir(root)}
    values.update({t.upper(): n for t, n in tools.items()})
    for key, value in values.items():
        print(f"{key}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
