#!/usr/bin/env python3
"""Checks kas alias locations against llvm-dwarfdump, an independent DWARF reader.

vmlinux:  verify-locations.py VMLINUX KAS_OUTPUT
modules:  verify-locations.py MODULE.ko... (modules written by `kas module`)

For every alias (vmlinux: each "ADDR TYPE NAME@LOCATION" line of a kas vmlinux
output following its symbol's line, the symbol's size from the target's
`nm -S`; module: each symbol whose name holds the separator in the .ko's
symbol table, `readelf -sW`), finds the DWARF entry defining the symbol by
address range, in ONE streamed `llvm-dwarfdump --debug-info` of the binary:

  - a text symbol's entry is the DW_TAG_subprogram with code (DW_AT_low_pc /
    DW_AT_high_pc or DW_AT_ranges; inlined instances, DW_TAG_inlined_subroutine,
    are never candidates) one of whose ranges intersects [value, value+size),
    preferring the range starting closest to the value (arm64 puts a function's
    symbol 8-12 bytes before its DW_AT_low_pc: patchable entry NOPs and BTI);
  - a data symbol's entry is the DW_TAG_variable, not inside an inlined
    instance, whose DW_OP_addr lies in [value, value+size), closest first;
  - in a module (ET_REL) every address is relative to its section: llvm-dwarfdump
    applies the relocations and names the section ("-v" prints `(0x10 ".text")`),
    so entries are matched by (section name, offset).

The location expected is the entry's DW_AT_decl_file / DW_AT_decl_line, each
taken from the first entry having it along DW_AT_abstract_origin /
DW_AT_specification. LOCATION agrees when it ends in _LINE and starts with the
decorated (non-alnum -> '_') file path or a suffix of it on a '/' boundary
(the oracle does not know the source tree; the unit suffix `file:unit` is
allowed after it). A text symbol no subprogram covers is located "by name":
GCC's identical-code folding (-fipa-icf) leaves the folded function's
DW_TAG_subprogram without code (no DW_AT_low_pc / DW_AT_ranges) while its
symbol is a copy or thunk of another function (radeon's atom_op_savereg); the
entry is then the DW_TAG_subprogram of the symbol's unit (the compile unit one
of whose DW_AT_ranges intersects [value, value+size), closest start; when none
does, the nearest unit having such an entry) that has no address ranges, no
DW_AT_declaration, and the DW_AT_name (itself or along DW_AT_abstract_origin /
DW_AT_specification) of the symbol name up to its first '.' (.isra.N,
.constprop.N, .part.N, .cold); its decl_file / decl_line as above. Symbols
with none of those (or whose covering subprogram has no DW_AT_decl_file) are
assembly: checked against the target's addr2line at the first line-table row
inside the symbol's own extent (vmlinux; a module: at the symbol's address).
Reports total, agree, disagree (first 30 printed), by name (no ranges),
no-DIE and asm; exits 0 when at least 99.5% of all aliases agree.

usage: verify-locations.py VMLINUX KAS_OUTPUT [--separator C] [--cross PREFIX] [--show N] [--dump FILE]
       verify-locations.py MODULE.ko... [--separator C] [--cross PREFIX] [--show N] [--jobs N]
"""
import argparse
import bisect
import concurrent.futures
import itertools
import os
import posixpath
import re
import shutil
import subprocess
import sys

DUMP = "llvm-dwarfdump"

# ELF e_machine -> binutils triplet (the host's binutils read x86 objects).
MACHINE_TRIPLET = {183: "aarch64-linux-gnu", 21: "powerpc64le-linux-gnu", 22: "s390x-linux-gnu",
                   40: "arm-linux-gnueabihf", 8: "mips64el-linux-gnuabi64"}

# Only the lines the parser uses (C locale: a UTF-8 grep is several times slower).
KEEP = (r"DW_TAG_|DW_AT_(low_pc|high_pc|ranges|abstract_origin|specification|decl_file|decl_line|declaration)|"
        r"DW_AT_location[^(]*\(DW_OP_addr |^ *\[0x[0-9a-f]+, 0x[0-9a-f]+\)")
# DW_AT_name lines are kept only for the names looked up (a quarter of all lines otherwise).
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

ATTR_RE = re.compile(r"^\s+DW_AT_(\w+)(?: \[DW_FORM_(\w+)\])?\s+\((.*)$")
RANGE_RE = re.compile(r"^\s*\[0x([0-9a-f]+), 0x([0-9a-f]+)\)(?: \"([^\"]*)\")?")
ADDR_RE = re.compile(r"0x([0-9a-f]+)(?: \"([^\"]*)\")?")
MAPPING_SYMBOL = re.compile(r"^\$[adtx](\.\d+)?[^\w.]")
REF_RE = re.compile(r"\{0x([0-9a-f]+)\}|^0x([0-9a-f]+)")


def decorate(path):
    return re.sub(r"[^A-Za-z0-9]", "_", path.lstrip("/"))


def agrees(location, file, line):
    if not location.endswith(f"_{line}"):
        # The last level of the alias rules numbers what still collides
        # (..._LINE_2): two copies of one assembly file included by two
        # others, whose units have the same name.
        numbered = re.match(r"(.*_\d+)_\d+$", location)
        return numbered is not None and agrees(numbered.group(1), file, line)
    parts = posixpath.normpath(file).split("/")
    for k in range(len(parts)):
        d = decorate("/".join(parts[k:]))
        if location == f"{d}_{line}" or location.startswith(d + "_"):
            return True
    return False


class Die:
    __slots__ = ("tag", "file", "line", "origin", "ranges", "addr", "inlined", "name", "declaration")

    def __init__(self, tag, inlined):
        self.tag, self.inlined = tag, inlined
        self.file = self.line = self.origin = self.addr = self.name = None
        self.declaration = False
        self.ranges = []


def stem(name):
    """A symbol's source name: GCC's clones suffix it (.isra.0, .constprop.0, .part.0, .cold)."""
    return name.split(".", 1)[0]


class Dwarf:
    """Subprograms and variables with addresses, from one streamed llvm-dwarfdump.

    Also each unit's address ranges and, for the names in `wanted`, its
    subprograms without address ranges that are not declarations (GCC's
    identical-code folding leaves the folded function's DIE without code)."""

    def __init__(self, binary, verbose, saved=None, wanted=()):
        self.functions = []   # (section, lo, hi, file, line, die offset)
        self.variables = []   # (section, addr, file, line, die offset)
        self.units = []       # (section, lo, hi, unit offset)
        self.rangeless = {}   # unit offset -> {name: [(file, line, die offset)]}
        self.wanted = {w for w in wanted if IDENT.match(w)}
        self.cross_unit_refs = 0
        keep = ["-e", KEEP]
        if self.wanted:
            keep += ["-e", r"DW_AT_name.*\"(" + "|".join(sorted(self.wanted)) + r")\"\)"]
        if saved:
            with open(saved) as f:
                self._parse(f)
        else:
            dump = subprocess.Popen([DUMP, "--debug-info"] + (["-v"] if verbose else []) + [binary],
                                    stdout=subprocess.PIPE)
            filt = subprocess.Popen(["grep", "-E"] + keep, stdin=dump.stdout, stdout=subprocess.PIPE,
                                    env=dict(os.environ, LC_ALL="C"), text=True, bufsize=1 << 20)
            dump.stdout.close()
            self._parse(filt.stdout)
            filt.wait()
            if dump.wait() != 0:
                sys.exit(f"verify-locations: {DUMP} failed on {binary}")
        self.functions.sort(key=lambda f: (f[0], f[1]))
        self.variables.sort(key=lambda v: (v[0], v[1]))
        self.units.sort()
        self.fkeys = [(f[0], f[1]) for f in self.functions]
        self.vkeys = [(v[0], v[1]) for v in self.variables]
        # running maximum of hi per section, to stop scanning left early
        self.fmaxhi = []
        cur, prev = -1, None
        for f in self.functions:
            cur = f[2] if f[0] != prev else max(cur, f[2])
            prev = f[0]
            self.fmaxhi.append(cur)

    def _parse(self, lines):
        unit = {}          # offset -> Die, for the current compile unit
        unit_die = None    # the current unit's own DIE (its ranges)
        unit_offset = None
        inlined = []       # indents of the open DW_TAG_inlined_subroutine ancestors
        die = None
        in_ranges = False
        for text in lines:
            if text[0] == "0":
                pos = text.find("DW_TAG_")
                if pos < 0:
                    continue
                in_ranges = False
                tag = text[pos + 7:].split(None, 1)[0]
                while inlined and inlined[-1] >= pos:
                    inlined.pop()
                if tag == "subprogram" or tag == "variable":
                    die = Die(tag, bool(inlined))
                    unit[int(text[:text.index(":")], 16)] = die
                    continue
                die = None
                if tag == "inlined_subroutine":
                    inlined.append(pos)
                elif tag.endswith("_unit"):
                    self._close_unit(unit, unit_die, unit_offset)
                    unit = {}
                    inlined = []
                    die = unit_die = Die("unit", False)
                    unit_offset = int(text[:text.index(":")], 16)
                continue
            if die is None:
                continue
            if in_ranges:
                m = RANGE_RE.match(text)
                if m:
                    lo, hi = int(m.group(1), 16), int(m.group(2), 16)
                    if hi > lo:
                        die.ranges.append((m.group(3) or "", lo, hi))
                    continue
                in_ranges = False
            m = ATTR_RE.match(text)
            if not m:
                continue
            name, form, value = m.groups()
            if name == "low_pc":
                a = ADDR_RE.match(value)
                die.addr = (a.group(2) or "", int(a.group(1), 16))
            elif name == "high_pc":
                a = re.match(r"0x[0-9a-f]+|\d+", value)   # -v prints DW_FORM_udata in decimal
                if not a:
                    continue
                hi = int(a.group(0), 16 if a.group(0).startswith("0x") else 10)
                if form and form != "addr":   # -v prints the raw value: an offset from low_pc
                    hi += die.addr[1] if die.addr else 0
                if die.addr and hi > die.addr[1]:
                    die.ranges.append((die.addr[0], die.addr[1], hi))
            elif name == "ranges":
                in_ranges = True
                rest = RANGE_RE.match(value.split("(", 1)[-1]) if "[" in value else None
                if rest:
                    die.ranges.append((rest.group(3) or "", int(rest.group(1), 16), int(rest.group(2), 16)))
            elif name in ("abstract_origin", "specification"):
                r = REF_RE.search(value)
                die.origin = int(r.group(1) or r.group(2), 16)
            elif name == "decl_file":
                die.file = value.rsplit(")", 1)[0].strip('"')
            elif name == "decl_line":
                die.line = int(value.rsplit(")", 1)[0], 0)
            elif name == "name":
                q = value.rsplit('")', 1)[0]
                die.name = q[q.rfind('"', 0, len(q)) + 1:] if '"' in q else None
            elif name == "declaration":
                die.declaration = not value.startswith("false")
            elif name == "location" and die.tag == "variable":
                a = re.search(r"DW_OP_addr 0x([0-9a-f]+)(?: \"([^\"]*)\")?", value)
                if a:
                    die.addr = (a.group(2) or "", int(a.group(1), 16))
                    die.ranges = [(die.addr[0], die.addr[1], die.addr[1] + 1)]
        self._close_unit(unit, unit_die, unit_offset)

    def _decl(self, unit, die, want_name=False):
        file = line = name = None
        for _ in range(16):
            file = file or die.file
            line = line or die.line
            name = name or die.name
            if (file and line and (name or not want_name)) or die.origin is None:
                break
            nxt = unit.get(die.origin)
            if nxt is None:
                self.cross_unit_refs += 1
                break
            die = nxt
        return (file, line, name) if want_name else (file, line)

    def _close_unit(self, unit, unit_die, unit_offset):
        if unit_die is not None:
            for section, lo, hi in unit_die.ranges:
                self.units.append((section, lo, hi, unit_offset))
        for offset, die in unit.items():
            if die.tag == "subprogram" and not die.ranges and not die.inlined and not die.declaration \
                    and self.wanted:
                file, line, name = self._decl(unit, die, want_name=True)
                if name in self.wanted:
                    self.rangeless.setdefault(unit_offset, {}).setdefault(name, []).append((file, line, offset))
            if not die.ranges or die.inlined:
                continue
            file, line = self._decl(unit, die)
            if die.tag == "subprogram":
                for section, lo, hi in die.ranges:
                    self.functions.append((section, lo, hi, file, line, offset))
            elif die.addr is not None:
                self.variables.append((die.addr[0], die.addr[1], file, line, offset))

    def function_at(self, section, lo, hi):
        """The subprogram range intersecting [lo, hi) that starts closest to lo."""
        best = None
        i = bisect.bisect_left(self.fkeys, (section, hi)) - 1
        while i >= 0 and self.functions[i][0] == section and self.fmaxhi[i] > lo:
            f = self.functions[i]
            if f[2] > lo:
                key = (abs(f[1] - lo), f[1] < lo)
                if best is None or key < best[0]:
                    best = (key, f)
            i -= 1
        return best[1] if best else None

    def unit_at(self, section, lo, hi):
        """The unit one of whose ranges intersects [lo, hi), the range starting closest to lo."""
        best = None
        for s, a, b, unit in self.units[bisect.bisect_left(self.units, (section,)):]:
            if s != section:
                break
            if a < hi and b > lo:
                key = (abs(a - lo), a < lo)
                if best is None or key < best[0]:
                    best = (key, unit)
        return best[1] if best else None

    def by_name(self, section, lo, hi, name):
        """The rangeless, non-declaration subprogram named `name` of the unit covering [lo, hi):
        (file, line, die offset, how); the unit is the nearest one having such a subprogram
        when no unit's ranges intersect [lo, hi)."""
        unit = self.unit_at(section, lo, hi)
        how = "unit covering it"
        if unit is None:
            near = []
            for u, names in self.rangeless.items():
                if name in names:
                    d = [min(abs(a - lo), abs(b - lo)) for s, a, b, v in self.units if v == u and s == section]
                    if d:
                        near.append((min(d), u))
            if not near:
                return None
            unit, how = min(near)[1], "nearest unit"
        found = self.rangeless.get(unit, {}).get(name)
        if not found:
            return None
        found = sorted(found, key=lambda f: f[2])
        decls = {(f, l) for f, l, _ in found}
        return found[0] + (how + (f", {len(decls)} different decls" if len(decls) > 1 else ""),)

    def variable_at(self, section, lo, hi):
        i = bisect.bisect_left(self.vkeys, (section, lo))
        if i < len(self.variables) and self.variables[i][0] == section and self.variables[i][1] < hi:
            return self.variables[i]
        return None


def tool(binary, name, cross):
    if cross is None:
        with open(binary, "rb") as f:
            head = f.read(20)
        machine = int.from_bytes(head[18:20], "little" if head[5] == 1 else "big")
        cross = MACHINE_TRIPLET.get(machine, "") and MACHINE_TRIPLET[machine] + "-"
    if cross and not shutil.which(cross + name):
        sys.exit(f"verify-locations: needs {cross}{name} (apt-get install binutils-{cross.rstrip('-')})")
    return cross + name


def addr2line(binary, cross, addrs, section=None):
    """file:line of each address (the line-table row covering it), or None."""
    if not addrs:
        return []
    argv = [tool(binary, "addr2line", cross), "-e", binary] + (["-j", section] if section else [])
    out = subprocess.run(argv, input="".join(f"0x{a:x}\n" for a in addrs), capture_output=True, text=True,
                         check=True).stdout.splitlines()
    result = []
    for line in out:
        file, _, num = line.split(" ")[0].rpartition(":")
        result.append((file, int(num)) if file and file != "??" and num.isdigit() and num != "0" else None)
    return result


class Report:
    def __init__(self, show):
        self.show = show
        self.counts = {"agree": 0, "disagree": 0, "no-die": 0, "asm agree": 0, "asm disagree": 0,
                       "name agree": 0, "name disagree": 0, "not a name": 0}
        self.shown = 0

    def add(self, status, alias, where, expected):
        self.counts[status] += 1
        if status not in ("agree", "asm agree", "name agree") and self.shown < self.show:
            self.shown += 1
            print(f"MISMATCH [{status}] {alias} at {where}  llvm-dwarfdump: {expected}")

    def summary(self, what):
        c = self.counts
        total = sum(c.values())
        ok = c["agree"] + c["asm agree"] + c["name agree"]
        rate = 100.0 * ok / total if total else 100.0
        print(f"{what}: {total} aliases; agree {c['agree']}, disagree {c['disagree']}, "
              f"by name (no ranges) {c['name agree'] + c['name disagree']} "
              f"(agree {c['name agree']}, disagree {c['name disagree']}), no DIE and no line "
              f"{c['no-die']}, asm (line table) {c['asm agree'] + c['asm disagree']} "
              f"(agree {c['asm agree']}, disagree {c['asm disagree']})"
              + (f", ARM mapping symbols aliased {c['not a name']}" if c["not a name"] else ""))
        print(f"{ok}/{total} aliases agree with llvm-dwarfdump ({rate:.2f}%)")
        return rate


def check(report, dwarf, items, binary, cross, section_of_asm):
    """items: (alias, location, section, value, size, is_text)."""
    asm = []
    for alias, location, section, value, size, is_text in items:
        if MAPPING_SYMBOL.match(alias):
            report.add("not a name", alias, f"{section}+0x{value:x}" if section else f"0x{value:x}",
                       "an ARM mapping symbol, never a name")
            continue
        end = value + max(size, 1)
        where = f"{section}+0x{value:x}" if section else f"0x{value:x}"
        entry = dwarf.function_at(section, value, end) if is_text else dwarf.variable_at(section, value, end)
        if entry is not None and entry[-3]:
            file, line = entry[-3], entry[-2]
            expected = f"{file}:{line} (DIE 0x{entry[-1]:x})"
            report.add("agree" if line and agrees(location, file, line) else "disagree", alias, where, expected)
            continue
        # No subprogram has code there: the unit's subprogram of that name without code (identical-code
        # folding), before the line table.
        named = dwarf.by_name(section, value, end, stem(alias[:-len(location) - 1])) \
            if is_text and entry is None else None
        if named is not None and named[0] and named[1]:
            file, line, offset, how = named
            report.add("name agree" if agrees(location, file, line) else "name disagree", alias, where,
                       f"{file}:{line} (rangeless DIE 0x{offset:x}, {how})")
        else:
            asm.append((alias, location, section, value, size))
    by_section = {}
    for a in asm:
        by_section.setdefault(a[2], []).append(a)
    for section, group in by_section.items():
        # vmlinux: the row in effect at the first row address inside the symbol's own
        # extent (alignment padding at its start belongs to the previous row, of
        # another symbol); a module: the row at the symbol's address.
        starts = [first_row_inside(binary, value, size) if not section_of_asm and size else value
                  for _, _, _, value, size in group]
        found = [a for a in starts if a is not None]
        rows = iter(addr2line(binary, cross, found, section if section_of_asm else None))
        for (alias, location, _, value, _), start in zip(group, starts):
            where = f"{section}+0x{value:x}" if section else f"0x{value:x}"
            row = next(rows) if start is not None else None
            if row is None:
                report.add("no-die", alias, where, "no subprogram, no line-table row in its extent")
            else:
                at = f" at +0x{start - value:x}" if start != value else ""
                report.add("asm agree" if agrees(location, row[0], row[1]) else "asm disagree",
                           alias, where, f"{row[0]}:{row[1]} (line table{at})")


LINE_TABLES = {}


def first_row_inside(binary, lo, size):
    """The lowest line-table row address in [lo, lo+size), from the unit holding lo."""
    out = subprocess.run([DUMP, f"--lookup=0x{lo:x}", binary], capture_output=True, text=True).stdout
    m = re.search(r"DW_AT_stmt_list\s+\((0x[0-9a-f]+)\)", out)
    if not m:
        return None
    if m.group(1) not in LINE_TABLES:
        table = subprocess.run([DUMP, f"--debug-line={m.group(1)}", binary], capture_output=True,
                               text=True).stdout
        LINE_TABLES[m.group(1)] = [int(r.group(1), 16) for r in
                                   re.finditer(r"^0x([0-9a-f]+)\s+\d+\s+\d+\s+\d+\s.*$", table, re.M)
                                   if "end_sequence" not in r.group(0)]
    inside = [a for a in LINE_TABLES[m.group(1)] if lo <= a < lo + size]
    return min(inside) if inside else None


def verify_vmlinux(vmlinux, kas_output, sep, cross, report, saved=None):
    items = []
    prev = None   # the last symbol line: an alias line follows it, same address and type, NAME<sep>...
    with open(kas_output) as f:
        for line in f:
            fields = line.split()
            if len(fields) < 3:
                continue
            if prev and fields[:2] == prev[:2] and fields[2].startswith(prev[2] + sep):
                items.append([fields[2], fields[2][len(prev[2]) + 1:], prev[2], int(fields[0], 16), fields[1]])
            else:
                prev = fields
    # Size and ELF type of each symbol. The type says whether a subprogram or a
    # variable defines it: the nm letter follows the section's flags, and 7.x's
    # x86 vmlinux has an executable .data whose variables nm types `t`.
    symbols = {}
    for line in readelf(vmlinux, "-s").splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].endswith(":") and f[0][:-1].isdigit():
            size = int(f[2], 16) if f[2].startswith("0x") else int(f[2])
            symbols.setdefault((f[7], int(f[1], 16)), (size, f[3]))

    def is_function(name, value, letter):
        elf_type = symbols.get((name, value), (0, "NOTYPE"))[1]
        return elf_type in ("FUNC", "IFUNC") or (elf_type not in ("OBJECT", "TLS", "COMMON") and letter in "tTwW")

    items = [(alias, loc, name, value, is_function(name, value, t)) for alias, loc, name, value, t in items]
    dwarf = Dwarf(vmlinux, verbose=False, saved=saved,
                  wanted={stem(name) for _, _, name, _, function in items if function})
    print(f"llvm-dwarfdump: {len(dwarf.functions)} subprogram ranges, {len(dwarf.variables)} variables"
          + (f", {dwarf.cross_unit_refs} references out of their unit" if dwarf.cross_unit_refs else ""))
    check(report, dwarf, [(alias, loc, "", value, symbols.get((name, value), (0, ""))[0], function)
                          for alias, loc, name, value, function in items], vmlinux, cross, False)


def readelf(binary, what):
    return subprocess.run(["readelf", "-W", what, binary], capture_output=True, text=True, check=True).stdout


def verify_module(module, sep, cross):
    """The results of one module, as Report.add arguments."""
    report = Collector()
    sections = {}
    for m in re.finditer(r"^\s*\[\s*(\d+)\]\s+(\S+)", readelf(module, "-S"), re.M):
        sections[m.group(1)] = m.group(2)
    names = list(sections.values())
    items = []
    for line in readelf(module, "-s").splitlines():
        f = line.split()
        if len(f) >= 8 and f[0].endswith(":") and sep in f[7] and f[6].isdigit():
            section = sections[f[6]]
            if names.count(section) > 1:
                print(f"{module}: several sections named {section}: {f[7]} checked by name only")
            size = int(f[2], 0) if not f[2].startswith("0x") else int(f[2], 16)
            items.append((f[7], f[7].rsplit(sep, 1)[1], section, int(f[1], 16), size, f[3] == "FUNC"))
    if items:
        wanted = {stem(alias[:-len(location) - 1]) for alias, location, _, _, _, is_text in items if is_text}
        check(report, Dwarf(module, verbose=True, wanted=wanted), items, module, cross, True)
    return report.results


class Collector:
    def __init__(self):
        self.results = []

    def add(self, *result):
        self.results.append(result)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="+", help="VMLINUX KAS_OUTPUT, or modules written by kas module")
    ap.add_argument("--separator", default="@")
    ap.add_argument("--cross", default=None, help="binutils prefix (default: from the ELF machine)")
    ap.add_argument("--show", type=int, default=30, help="mismatches printed (default 30)")
    ap.add_argument("--jobs", type=int, default=2, help="modules checked at once (default 2)")
    ap.add_argument("--dump", help="vmlinux: read this saved `llvm-dwarfdump --debug-info` output instead")
    args = ap.parse_args()
    report = Report(args.show)
    with open(args.binary[0], "rb") as f:
        head = f.read(18)
    if head[:4] != b"\x7fELF":
        sys.exit(f"verify-locations: {args.binary[0]} is not ELF")
    relocatable = int.from_bytes(head[16:18], "little" if head[5] == 1 else "big") == 1
    if relocatable:
        with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
            for results in pool.map(verify_module, args.binary, itertools.repeat(args.separator),
                                    itertools.repeat(args.cross)):
                for result in results:
                    report.add(*result)
        rate = report.summary(f"{len(args.binary)} modules")
    else:
        if len(args.binary) != 2:
            sys.exit("usage: verify-locations.py VMLINUX KAS_OUTPUT")
        verify_vmlinux(args.binary[0], args.binary[1], args.separator, args.cross, report, args.dump)
        rate = report.summary("vmlinux")
    return 0 if rate >= 99.5 else 1


if __name__ == "__main__":
    sys.exit(main())
