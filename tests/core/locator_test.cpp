// Locations from DWARF against two independent oracles: the LOC markers in
// the fixture sources (file and line of each definition, read from the text)
// and llvm-symbolizer's "Function start line".
#include "core/dwarf/locator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/oracles.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

struct Located {
  std::string name;
  uint64_t address;
  std::optional<SourceLocation> location;
};

std::vector<Located> locate_functions(const test::FixtureKernel& k, const std::set<std::string>& names) {
  auto info = DebugInfo::open(k.vmlinux());
  EXPECT_TRUE(info) << (info ? "" : info.error().message);
  if (!info) return {};
  SourceTree tree;
  tree.infer_from((*info)->unit_paths());
  std::vector<Located> out;
  std::vector<LocateQuery> queries;
  for (const test::SizedSymbol& s : test::nm_sized(k.vmlinux())) {
    if ((s.type == 't' || s.type == 'T') && names.count(s.name)) {
      out.push_back({s.name, s.value, std::nullopt});
      queries.push_back({s.value, true, s.size, {}});  // by range alone
    }
  }
  auto locations = locate(**info, tree, queries);
  for (size_t i = 0; i < out.size(); ++i) out[i].location = locations[i];
  return out;
}

class LocatorModes : public ::testing::TestWithParam<std::string> {};

TEST_P(LocatorModes, FunctionsResolveToTheirMarkedDefinition) {
  const auto& k = test::fixture_kernel(GetParam());
  ASSERT_FALSE(k.root.empty());
  std::set<std::string> names = {"name_show", "name_store", "attr_index", "load_elf_binary", "common_stub",
                                 "only_here"};
  auto located = locate_functions(k, names);
  // name_show, attr_index, load_elf_binary, common_stub: 2 each; name_store, only_here: 1 each
  ASSERT_EQ(located.size(), 10u);
  for (const Located& l : located) {
    ASSERT_TRUE(l.location) << l.name;
    bool matched = false;
    for (const test::Marker& m : test::markers_for(l.name)) {
      if (m.file == l.location->file && m.line == l.location->line) matched = true;
    }
    EXPECT_TRUE(matched) << l.name << " located at " << l.location->file << ":" << l.location->line;
  }
  // Every marked vmlinux definition is found by some copy.
  for (const std::string& name : names) {
    for (const test::Marker& m : test::markers_for(name)) {
      if (m.file.rfind("modules/", 0) == 0) continue;
      bool seen = false;
      for (const Located& l : located) {
        if (l.name == name && l.location && l.location->file == m.file && l.location->line == m.line) seen = true;
      }
      EXPECT_TRUE(seen) << "no copy of " << name << " located at " << m.file << ":" << m.line;
    }
  }
}

TEST_P(LocatorModes, UnitsDistinguishIncludedCopies) {
  const auto& k = test::fixture_kernel(GetParam());
  ASSERT_FALSE(k.root.empty());
  std::set<std::string> units;
  for (const Located& l : locate_functions(k, {"load_elf_binary", "attr_index"})) {
    ASSERT_TRUE(l.location);
    units.insert(l.name + " " + l.location->unit);
  }
  EXPECT_EQ(units, (std::set<std::string>{"attr_index drivers/base/core.c", "attr_index drivers/pps/sysfs.c",
                                          "load_elf_binary fs/binfmt_elf.c",
                                          "load_elf_binary fs/compat_binfmt_elf.c"}));
}

INSTANTIATE_TEST_SUITE_P(BuildLayouts, LocatorModes,
                         ::testing::Values("intree", "objtree", "objtree-nolink", "mapped", "arm64"));

TEST(Locator, AssemblyUsesTheLineTableRow) {
  const auto& k = test::fixture_kernel("intree");
  for (const Located& l : locate_functions(k, {"common_stub"})) {
    ASSERT_TRUE(l.location);
    if (l.location->file == "arch/x86/entry/thunk.S") {
      EXPECT_TRUE(l.location->from_line_table);
    } else {
      EXPECT_FALSE(l.location->from_line_table);
    }
  }
}

TEST(Locator, AgreesWithLlvmSymbolizerFunctionStartLine) {
  const auto& k = test::fixture_kernel("intree");
  for (const Located& l : locate_functions(k, {"name_show", "name_store", "attr_index", "load_elf_binary"})) {
    ASSERT_TRUE(l.location);
    char addr[32];
    std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(l.address));
    auto r = test::run_process({"llvm-symbolizer", "--obj=" + k.vmlinux(), "--verbose", "--no-inlines", addr});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto pos = r.out.find("Function start line: ");
    ASSERT_NE(pos, std::string::npos) << r.out;
    EXPECT_EQ(std::stoul(r.out.substr(pos + 21)), l.location->line) << l.name << "\n" << r.out;
  }
}

class RelocatableObjects : public ::testing::TestWithParam<std::string> {};

TEST_P(RelocatableObjects, AreLocatedBySectionAndOffset) {
  // hello_show (.text), hello_fail (.text.unlikely), hello_init (.init.text)
  // and hello_exit (.exit.text) all sit at offset 0 of their own section.
  const auto& k = test::fixture_kernel(GetParam());
  std::string path = k.module("hello");
  auto file = ElfFile::open(path);
  ASSERT_TRUE(file);
  auto table = read_symbols(*file);
  ASSERT_TRUE(table);
  auto info = DebugInfo::open(path);
  ASSERT_TRUE(info) << info.error().message;
  SourceTree tree;
  tree.infer_from((*info)->unit_paths());

  std::map<std::string, std::string> section_of;
  std::vector<std::string> names;
  std::vector<LocateQuery> queries;
  std::set<uint64_t> offsets;
  for (const ElfSymbol& s : table->symbols) {
    if (s.type != STT_FUNC) continue;
    auto base = (*info)->section_address(s.section);
    ASSERT_TRUE(base) << s.name;
    names.emplace_back(s.name);
    section_of[std::string(s.name)] = std::string(file->section_name(s.section));
    queries.push_back({*base + s.value, true, s.size, s.name});
    offsets.insert(s.value);
  }
  EXPECT_TRUE(offsets.count(0));
  EXPECT_EQ(section_of["name_show"], ".text");
  EXPECT_EQ(section_of["hello_fail"].rfind(".text.unlikely", 0), 0u) << section_of["hello_fail"];
  EXPECT_EQ(section_of["hello_init"], ".init.text");
  EXPECT_EQ(section_of["hello_exit"], ".exit.text");

  auto locations = locate(**info, tree, queries);
  std::set<std::string> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_TRUE(locations[i]) << names[i];
    auto markers = test::markers_for(names[i]);
    bool matched = false;
    for (const test::Marker& m : markers) {
      if (m.file == locations[i]->file && m.line == locations[i]->line) matched = true;
    }
    EXPECT_TRUE(matched) << names[i] << " at " << locations[i]->file << ":" << locations[i]->line;
    seen.insert(names[i]);
  }
  EXPECT_TRUE(seen.count("hello_fail") && seen.count("hello_init") && seen.count("hello_exit") &&
              seen.count("name_show") && seen.count("hello_extra_fn"));
}

INSTANTIATE_TEST_SUITE_P(Arches, RelocatableObjects, ::testing::Values("intree", "arm64"));

struct Compared {
  size_t symbols = 0;
  size_t located = 0;
};

// Locates every symbol with a section, text and data, of the relocatable
// object `path` twice: with kas's own relocation of its DWARF (one unit at a
// time; it must be the path taken) and with libdwfl relocating everything,
// the reference. The answers must be the same.
void expect_self_relocation_agrees_with_libdwfl(const std::string& path, Compared& compared) {
  auto file = ElfFile::open(path);
  ASSERT_TRUE(file) << path;
  auto table = read_symbols(*file);
  ASSERT_TRUE(table);
  auto own = DebugInfo::open(*file);
  auto reference = DebugInfo::open(*file, DebugInfo::Relocation::kLibdwfl);
  ASSERT_TRUE(own && reference) << path;
  ASSERT_TRUE((*own)->self_relocated()) << path;
  ASSERT_FALSE((*reference)->self_relocated());

  auto queries_for = [&](const DebugInfo& info) {
    std::vector<LocateQuery> queries;
    for (const ElfSymbol& s : table->symbols) {
      if (!s.defined() || !s.in_section) continue;
      auto base = info.section_address(s.section);
      if (base) queries.push_back({*base + s.value, s.nm_type == 't' || s.nm_type == 'T', s.size, s.name});
    }
    return queries;
  };
  SourceTree own_tree;
  own_tree.infer_from((*own)->unit_paths(true));
  SourceTree reference_tree;
  reference_tree.infer_from((*reference)->unit_paths(true));
  auto own_queries = queries_for(**own);
  auto reference_queries = queries_for(**reference);
  ASSERT_EQ(own_queries.size(), reference_queries.size()) << path;
  auto mine = locate(**own, own_tree, own_queries);
  auto theirs = locate(**reference, reference_tree, reference_queries);
  for (size_t i = 0; i < mine.size(); ++i) {
    ASSERT_EQ(mine[i].has_value(), theirs[i].has_value()) << path << " query " << i;
    ++compared.symbols;
    if (!mine[i]) continue;
    ++compared.located;
    EXPECT_EQ(mine[i]->file, theirs[i]->file) << path;
    EXPECT_EQ(mine[i]->line, theirs[i]->line) << path;
    EXPECT_EQ(mine[i]->unit, theirs[i]->unit) << path;
  }
}

TEST(Locator, SelfRelocatedModulesAgreeWithLibdwfl) {
  Compared compared;
  for (const std::string mode : {"intree", "objtree", "mapped"}) {
    const auto& k = test::fixture_kernel(mode);
    ASSERT_FALSE(k.root.empty());
    for (const std::string name : {"hello", "other", "hello_twin"}) {
      expect_self_relocation_agrees_with_libdwfl(k.module(name), compared);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(compared.symbols, 30u);
  EXPECT_GT(compared.located, 20u);
}

// The same for arm64 modules (R_AARCH64_* in .rela.debug_*), built with the
// code-generation flags of the arm64 kernel: patchable function entries
// (ftrace) and BTI/PAC landing pads put instructions before a function's
// body, mapping symbols ($x, $d) sit beside every function and object.
class Aarch64Relocation : public ::testing::TestWithParam<std::string> {};

TEST_P(Aarch64Relocation, SelfRelocatedModulesAgreeWithLibdwfl) {
  if (std::string why = test::aarch64_toolchain_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto& k = test::aarch64_fixture_modules(GetParam());
  ASSERT_FALSE(k.root.empty());
  Compared compared;
  for (const std::string name : {"hello", "other", "hello_twin"}) {
    for (const std::string& path : {k.module(name), k.module_object(name)}) {
      auto file = ElfFile::open(path);
      ASSERT_TRUE(file) << path;
      ASSERT_EQ(file->header().e_machine, EM_AARCH64) << path;
      expect_self_relocation_agrees_with_libdwfl(path, compared);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(compared.symbols, 40u);
  EXPECT_GT(compared.located, 20u);
}

// Plain, sections per function, 6.1's ftrace entries and 6.4's (CALL_OPS:
// two of the four instructions before the symbol).
const std::string kAarch64Variants[] = {
    "",
    "-ffunction-sections",
    "-fpatchable-function-entry=2 -mbranch-protection=standard",
    "-fpatchable-function-entry=4,2 -mbranch-protection=standard -ffunction-sections",
};

std::string aarch64_variant_name(const ::testing::TestParamInfo<std::string>& param) {
  const char* const names[] = {"Plain", "FunctionSections", "KernelEntries", "CallOpsEntries"};
  return names[param.index];
}

INSTANTIATE_TEST_SUITE_P(CodeGeneration, Aarch64Relocation, ::testing::ValuesIn(kAarch64Variants),
                         aarch64_variant_name);

struct ObjectSymbol {
  std::string name;
  uint64_t offset = 0;  // in its section
  std::optional<SourceLocation> location;
};

// Compiles `source` (written as dir/NAME) with gcc -O2 -g and `flags` into a
// relocatable object and locates its functions `names` by range and name.
std::vector<ObjectSymbol> compile_and_locate(const test::TempDir& dir, const std::string& name,
                                             const std::string& source, std::vector<std::string> flags,
                                             const std::set<std::string>& names) {
  test::write_text(dir.file(name), source);
  std::vector<std::string> argv = {"gcc", "-O2", "-g", "-c", "-o", dir.file(name + ".o"), dir.file(name)};
  argv.insert(argv.begin() + 3, flags.begin(), flags.end());
  auto r = test::run_process(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto file = ElfFile::open(dir.file(name + ".o"));
  auto table = file ? read_symbols(*file) : std::unexpected(file.error());
  auto info = file ? DebugInfo::open(*file) : std::unexpected(file.error());
  EXPECT_TRUE(table && info);
  if (!table || !info) return {};
  std::vector<ObjectSymbol> out;
  std::vector<LocateQuery> queries;
  for (const ElfSymbol& s : table->symbols) {
    auto base = (*info)->section_address(s.section);
    if (names.count(std::string(s.name)) == 0 || !base) continue;
    out.push_back({std::string(s.name), s.value, std::nullopt});
    queries.push_back({*base + s.value, true, s.size, s.name});
  }
  auto located = locate(**info, SourceTree(dir.path()), queries);
  for (size_t i = 0; i < out.size(); ++i) out[i].location = located[i];
  EXPECT_EQ(out.size(), names.size());
  return out;
}

// A symbol that no subprogram covers is located by the line table, but only
// by a row inside its own extent: toplevel asm after a C function has no row
// of its own, and the row before it is the C function's.
TEST(Locator, AssemblyNeverTakesTheRowOfTheCodeBefore) {
  test::TempDir dir;
  auto symbols = compile_and_locate(dir, "mixed.c",
                                    "int first(int x) /* LOC first */\n"
                                    "{\n"
                                    "\treturn x * 3 + 1;\n"
                                    "}\n"
                                    "asm(\".text\\n.globl second\\n.type second, @function\\nsecond:\\n"
                                    "\\tnop\\n\\tret\\n.size second, .-second\\n\");\n",
                                    {"-fno-toplevel-reorder"}, {"first", "second"});
  ASSERT_EQ(symbols.size(), 2u);
  for (const ObjectSymbol& s : symbols) {
    if (s.name == "first") {
      ASSERT_TRUE(s.location);
      EXPECT_EQ(s.location->file, "mixed.c");
      EXPECT_EQ(s.location->line, 1u);
    } else {
      // The premise: the nearest row at or before `second` is first's.
      auto rows = test::eu_addr2line(dir.file("mixed.c.o"), s.offset, ".text");
      ASSERT_FALSE(rows.empty());
      EXPECT_TRUE(rows.back().file.ends_with("mixed.c") && rows.back().line >= 1 && rows.back().line <= 4)
          << rows.back().file << ":" << rows.back().line;
      EXPECT_FALSE(s.location) << "second located at " << s.location->file << ":" << s.location->line;
    }
  }
}

// Identical code folding: GCC keeps second_op's bytes (its address is taken)
// but describes them by no subprogram; second_op's own entry has no ranges.
// Its definition is that entry, found by name in the unit, not the line
// table (which names first_op's body).
TEST(Locator, FoldedFunctionIsDefinedByItsRangelessEntry) {
  test::TempDir dir;
  auto symbols = compile_and_locate(dir, "icf.c",
                                    "static int first_op(int *p, int x) /* LOC first_op */\n"
                                    "{\n"
                                    "\treturn p[x] * 7 + p[x + 1];\n"
                                    "}\n"
                                    "static int second_op(int *p, int x) /* LOC second_op */\n"
                                    "{\n"
                                    "\treturn p[x] * 7 + p[x + 1];\n"
                                    "}\n"
                                    "int (*ops[])(int *, int) = { first_op, second_op };\n",
                                    {}, {"first_op", "second_op"});
  // The premise, by llvm-dwarfdump: second_op's entry has no address.
  auto dump = test::run_process({"llvm-dwarfdump", "--name=second_op", dir.file("icf.c.o")});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  ASSERT_NE(dump.out.find("second_op"), std::string::npos) << dump.out;
  ASSERT_EQ(dump.out.find("DW_AT_low_pc"), std::string::npos) << dump.out;
  ASSERT_EQ(symbols.size(), 2u);
  for (const ObjectSymbol& s : symbols) {
    ASSERT_TRUE(s.location) << s.name;
    EXPECT_EQ(s.location->file, "icf.c");
    EXPECT_EQ(s.location->line, s.name == "first_op" ? 1u : 5u) << s.name;
    EXPECT_FALSE(s.location->from_line_table) << s.name;
  }
}

// The premise of the arm64 fixture, checked with llvm-dwarfdump: functions'
// symbols start before their subprogram's DW_AT_low_pc (patchable entry NOPs
// and BTI landing pads), yet every copy is located at its definition.
TEST(Locator, Arm64SymbolsStartBeforeTheirSubprogram) {
  const auto& k = test::fixture_kernel("arm64");
  ASSERT_FALSE(k.root.empty());
  auto dump = test::run_process({"llvm-dwarfdump", "--name=name_show", k.vmlinux()});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  std::set<uint64_t> low_pcs;
  for (const std::string& line : test::split_lines(dump.out)) {
    auto at = line.find("DW_AT_low_pc");
    if (at != std::string::npos) low_pcs.insert(std::stoull(line.substr(line.find("0x", at)), nullptr, 16));
  }
  ASSERT_EQ(low_pcs.size(), 2u) << dump.out;
  auto located = locate_functions(k, {"name_show"});
  ASSERT_EQ(located.size(), 2u);
  for (const Located& l : located) {
    EXPECT_EQ(low_pcs.count(l.address), 0u) << "symbol at its low_pc: the fixture lost its patchable entries";
    bool entry_within = false;
    for (uint64_t low : low_pcs) entry_within |= low > l.address && low <= l.address + 12;
    EXPECT_TRUE(entry_within) << std::hex << l.address;
    ASSERT_TRUE(l.location);
    EXPECT_FALSE(l.location->from_line_table);
  }
}

TEST(Locator, FileWithoutDebugInfoIsAnError) {
  const auto& k = test::fixture_kernel("intree");
  test::TempDir dir;
  std::string stripped = dir.file("vmlinux.nodebug");
  auto r = test::run_process({"objcopy", "--strip-debug", k.vmlinux(), stripped});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto info = DebugInfo::open(stripped);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, ErrorCode::kNoDebugInfo);
  EXPECT_NE(info.error().message.find(stripped), std::string::npos);
}

}  // namespace
}  // namespace kas
