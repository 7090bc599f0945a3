// The object rewriter checked with binutils and elfutils, for x86-64, arm64,
// i386 (ELF32, REL) and big-endian ppc64/ppc32: readelf -sW for the new symbols,
// readelf -rW / objdump -dr / readelf -gW identical to the input but for the
// added symbols, raw bytes of untouched sections identical, `ld -r` links the
// output, and eu-elflint --gnu-ld finds nothing new.
#include "core/output/object_rewriter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <sstream>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>

#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "core/util/fd.hpp"
#include "core/util/atomic_file.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

struct ReadelfSym {
  std::string value, size, type, bind, vis, ndx, name;
};

std::vector<ReadelfSym> readelf_symbols(const std::string& tool, const std::string& path) {
  auto r = test::run_process({tool, "-sW", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<ReadelfSym> out;
  std::regex row(R"(^\s*\d+:\s+([0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$)");
  for (const std::string& line : test::split_lines(r.out)) {
    std::smatch m;
    if (std::regex_match(line, m, row)) out.push_back({m[1], m[2], m[3], m[4], m[5], m[6], m[7]});
  }
  return out;
}

// readelf -rW without the Info column (symbol indices change by design).
std::string relocations(const std::string& tool, const std::string& path) {
  auto r = test::run_process({tool, "-rW", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string out;
  std::regex info(R"(^([0-9a-f]+)\s+[0-9a-f]+\s+)");
  for (const std::string& line : test::split_lines(r.out)) out += std::regex_replace(line, info, "$1 ") + "\n";
  return out;
}

std::string tool_output(const std::vector<std::string>& argv, const std::string& path) {
  std::vector<std::string> args = argv;
  args.push_back(path);
  auto r = test::run_process(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string out = r.out;
  for (size_t at = out.find(path); at != std::string::npos; at = out.find(path)) out.replace(at, path.size(), "FILE");
  return out;
}

struct Toolchain {
  std::string readelf = "readelf";
  std::string objdump = "objdump";
  std::string ld = "ld";
  std::vector<std::string> ld_flags;
};

struct Wanted {
  std::string source;  // symbol to alias
  bool global;
};

void rewrite_and_verify(const std::string& input, const std::vector<Wanted>& wanted, const Toolchain& tc,
                        const test::TempDir& dir) {
  auto file = ElfFile::open(input);
  ASSERT_TRUE(file) << file.error().message;
  auto table = read_symbols(*file);
  ASSERT_TRUE(table) << table.error().message;

  std::vector<NewSymbol> symbols;
  std::map<std::string, std::string> alias_of;
  for (const Wanted& w : wanted) {
    const ElfSymbol* source = nullptr;
    for (const ElfSymbol& s : table->symbols) {
      if (s.name == w.source) source = &s;
    }
    ASSERT_NE(source, nullptr) << w.source << " not in " << input;
    std::string alias = w.source + "@test_c_" + std::to_string(symbols.size() + 1);
    symbols.push_back({alias, source->index, w.global});
    alias_of[alias] = w.source;
  }

  std::string output = dir.file("out.o");
  auto out = AtomicFile::create(output);
  ASSERT_TRUE(out);
  auto written = write_object_with_symbols(*file, symbols, out->fd(), output);
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_TRUE(out->commit());

  // Symbols: the input's, in order, plus each alias mirroring its source.
  auto before = readelf_symbols(tc.readelf, input);
  auto after = readelf_symbols(tc.readelf, output);
  ASSERT_EQ(after.size(), before.size() + symbols.size());
  std::map<std::string, ReadelfSym> by_name;
  for (const ReadelfSym& s : before) by_name[s.name] = s;
  size_t locals_seen_after_global = 0;
  bool in_globals = false;
  for (const ReadelfSym& s : after) {
    if (s.bind != "LOCAL") in_globals = true;
    if (in_globals && s.bind == "LOCAL") ++locals_seen_after_global;
    auto it = alias_of.find(s.name);
    if (it == alias_of.end()) continue;
    const ReadelfSym& src = by_name.at(it->second);
    EXPECT_EQ(s.value, src.value) << s.name;
    EXPECT_EQ(s.size, src.size) << s.name;
    EXPECT_EQ(s.type, src.type) << s.name;
    EXPECT_EQ(s.vis, src.vis) << s.name;
    EXPECT_EQ(s.ndx, src.ndx) << s.name;
    bool global = false;
    for (const Wanted& w : wanted) {
      if (w.source == it->second) global = w.global;
    }
    EXPECT_EQ(s.bind, global ? "GLOBAL" : "LOCAL") << s.name;
    alias_of.erase(it);
  }
  EXPECT_TRUE(alias_of.empty()) << "aliases missing from the output";
  EXPECT_EQ(locals_seen_after_global, 0u) << "a local symbol follows a global";

  EXPECT_EQ(relocations(tc.readelf, output), relocations(tc.readelf, input));
  EXPECT_EQ(tool_output({tc.objdump, "-dr"}, output), tool_output({tc.objdump, "-dr"}, input));
  EXPECT_EQ(tool_output({tc.readelf, "-gW"}, output), tool_output({tc.readelf, "-gW"}, input));

  // Untouched sections are byte-identical.
  auto out_file = ElfFile::open(output);
  ASSERT_TRUE(out_file);
  std::string in_bytes = test::read_text(input);
  std::string out_bytes = test::read_text(output);
  ASSERT_EQ(out_file->section_count(), file->section_count());
  for (size_t i = 1; i < file->section_count(); ++i) {
    GElf_Shdr a, b;
    ASSERT_TRUE(file->section_header(i, a));
    ASSERT_TRUE(out_file->section_header(i, b));
    EXPECT_EQ(file->section_name(i), out_file->section_name(i));
    if (a.sh_type == SHT_SYMTAB || a.sh_type == SHT_STRTAB || a.sh_type == SHT_REL || a.sh_type == SHT_RELA ||
        a.sh_type == SHT_NOBITS) {
      continue;
    }
    EXPECT_EQ(in_bytes.substr(a.sh_offset, a.sh_size), out_bytes.substr(b.sh_offset, b.sh_size))
        << file->section_name(i);
  }

  std::vector<std::string> ld = {tc.ld};
  ld.insert(ld.end(), tc.ld_flags.begin(), tc.ld_flags.end());
  ld.insert(ld.end(), {"-r", "-o", dir.file("linked.o"), output});
  auto linked = test::run_process(ld);
  EXPECT_EQ(linked.exit_code, 0) << linked.err;

  auto lint_in = test::run_process({"eu-elflint", "--gnu-ld", input});
  auto lint_out = test::run_process({"eu-elflint", "--gnu-ld", output});
  EXPECT_EQ(lint_out.out, std::regex_replace(lint_in.out, std::regex(input), output));
}

TEST(ObjectRewriter, X86_64ModuleWithGroupsAndRelocations) {
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  rewrite_and_verify(k.module("hello"),
                     {{"name_show", false},
                      {"hello_fail", false},
                      {"hello_count", false},
                      {"hello_names", false},
                      {"only_here", true},
                      {"hello_once", true},
                      {"local_helper", false}},
                     Toolchain{}, dir);
}

// The arm64 build of the same module, with the arm64 kernel's patchable
// entries and BTI/PAC: mapping symbols ($x, $d) are locals beside every
// function and object, so adding local aliases renumbers many of the
// symbols the relocations (and the group signature) refer to.
TEST(ObjectRewriter, Aarch64ModuleWithMappingSymbols) {
  if (std::string why = test::aarch64_toolchain_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto& k = test::aarch64_fixture_modules("-fpatchable-function-entry=2 -mbranch-protection=standard");
  ASSERT_FALSE(k.root.empty());
  const std::string prefix = test::kAarch64Prefix;
  Toolchain tc{prefix + "readelf", prefix + "objdump", prefix + "ld", {}};
  for (const std::string& input : {k.module_object("hello"), k.module("hello")}) {
    auto mapping = readelf_symbols(tc.readelf, input);
    ASSERT_TRUE(std::any_of(mapping.begin(), mapping.end(), [](const ReadelfSym& s) { return s.name == "$x"; }))
        << input << " has no $x mapping symbol";
    test::TempDir dir;
    rewrite_and_verify(input,
                       {{"name_show", false},
                        {"hello_fail", false},
                        {"hello_init", false},
                        {"hello_exit", false},
                        {"hello_count", false},
                        {"hello_names", false},
                        {"only_here", true},
                        {"hello_once", true},
                        {"local_helper", false}},
                       tc, dir);
  }
}

TEST(ObjectRewriter, NothingToAddStillWritesAValidObject) {
  const auto& k = test::fixture_kernel("intree");
  test::TempDir dir;
  rewrite_and_verify(k.module("other"), {}, Toolchain{}, dir);
}

// `path`, a copy of hello.o whose section headers of type `type` were
// changed by `edit` (libelf, nothing else moved).
void copy_with_edited_headers(const std::string& path, uint32_t type, const std::function<void(GElf_Shdr&)>& edit) {
  const auto& k = test::fixture_kernel("intree");
  test::write_text(path, test::read_text(k.module_object("hello")));
  elf_version(EV_CURRENT);
  Fd fd(::open(path.c_str(), O_RDWR));
  ASSERT_TRUE(fd.valid());
  Elf* elf = elf_begin(fd.get(), ELF_C_RDWR, nullptr);
  ASSERT_NE(elf, nullptr);
  elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    ASSERT_NE(gelf_getshdr(scn, &shdr), nullptr);
    if (shdr.sh_type != type) continue;
    edit(shdr);
    ASSERT_TRUE(gelf_update_shdr(scn, &shdr));
    elf_flagshdr(scn, ELF_C_SET, ELF_F_DIRTY);
  }
  ASSERT_GE(elf_update(elf, ELF_C_WRITE), 0) << elf_errmsg(-1);
  elf_end(elf);
}

// Found by fuzz_rewriter (UBSan: memcpy to a null buffer): a .symtab of no
// entries and nothing to add. Under the sanitizers this test is the check.
TEST(ObjectRewriter, AnEmptySymbolTableWithNothingToAdd) {
  test::TempDir dir;
  const std::string path = dir.file("empty-symtab.o");
  copy_with_edited_headers(path, SHT_SYMTAB, [](GElf_Shdr& s) {
    s.sh_size = 0;
    s.sh_info = 0;
  });
  auto file = ElfFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  auto out = AtomicFile::create(dir.file("out.o"));
  ASSERT_TRUE(out) << out.error().message;
  auto written = write_object_with_symbols(*file, {}, out->fd(), dir.file("out.o"));
  EXPECT_TRUE(written) << written.error().message;
}

// Found by fuzz_rewriter: a .strtab aligned to 0xffffffffffffff01 made the
// new layout wrap, and the output could not be read back. Refused instead.
TEST(ObjectRewriter, AnImpossibleAlignmentIsRefused) {
  test::TempDir dir;
  const std::string path = dir.file("aligned.o");
  // Written as bytes: libelf itself refuses to write such a header.
  test::write_text(path, test::read_text(test::fixture_kernel("intree").module_object("hello")));
  {
    auto plain = ElfFile::open(path);
    ASSERT_TRUE(plain) << plain.error().message;
    size_t strtab = 0;
    for (size_t i = 0; i < plain->section_count(); ++i) {
      if (plain->section_name(i) == ".strtab") strtab = i;
    }
    ASSERT_NE(strtab, 0u);
    const uint64_t at = plain->header().e_shoff + strtab * plain->header().e_shentsize + 48;  // Elf64_Shdr.sh_addralign
    const uint64_t alignment = 0xffffffffffffff01;  // little-endian, as on x86-64
    Fd fd(::open(path.c_str(), O_WRONLY));
    ASSERT_EQ(::pwrite(fd.get(), &alignment, sizeof alignment, static_cast<off_t>(at)), 8);
  }
  auto file = ElfFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  auto table = read_symbols(*file);
  ASSERT_TRUE(table) << table.error().message;
  std::vector<NewSymbol> added;
  for (const ElfSymbol& sym : table->symbols) {
    if (sym.name == "name_show") added.push_back({"name_show@x_c_1", sym.index, false});
  }
  ASSERT_EQ(added.size(), 1u);
  auto out = AtomicFile::create(dir.file("out.o"));
  ASSERT_TRUE(out) << out.error().message;
  auto written = write_object_with_symbols(*file, added, out->fd(), dir.file("out.o"));
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find(path + ": section "), std::string::npos) << written.error().message;
  EXPECT_NE(written.error().message.find("impossible alignment (18446744073709551361)"), std::string::npos)
      << written.error().message;
}

TEST(ObjectRewriter, Elf32WithRelRelocations) {
  test::TempDir dir;
  std::string obj = dir.file("small32.o");
  auto cc = test::run_process(
      {"gcc", "-m32", "-O2", "-g", "-c", "-o", obj, test::fixtures_dir() + "/objects/small32.c"});
  ASSERT_EQ(cc.exit_code, 0) << "gcc -m32 (gcc-multilib) is needed: " << cc.err;
  Toolchain tc;
  tc.ld_flags = {"-m", "elf_i386"};
  rewrite_and_verify(obj, {{"name_show", false}, {"cold_fn", false}, {"global_fn", true}, {"counter", false}}, tc,
                     dir);
}

class BigEndian : public ::testing::TestWithParam<bool> {};

TEST_P(BigEndian, Ppc64AndPpc32) {
  bool elf32 = GetParam();
  test::TempDir dir;
  std::string obj = dir.file("ppc.o");
  std::vector<std::string> as = {"powerpc64-linux-gnu-as", "-g", "-o", obj};
  if (elf32) as.push_back("-a32");
  as.push_back(test::fixtures_dir() + "/objects/ppc_module.s");
  auto r = test::run_process(as);
  ASSERT_EQ(r.exit_code, 0) << "binutils-powerpc64-linux-gnu is needed: " << r.err;
  Toolchain tc{"powerpc64-linux-gnu-readelf", "powerpc64-linux-gnu-objdump", "powerpc64-linux-gnu-ld", {}};
  if (elf32) tc.ld_flags = {"-m", "elf32ppc"};
  rewrite_and_verify(obj,
                     {{"name_show", false}, {"cold_fn", false}, {"global_fn", true}, {"once_sig", true},
                      {"table", false}},
                     tc, dir);
}

INSTANTIATE_TEST_SUITE_P(Classes, BigEndian, ::testing::Values(false, true));

TEST(ObjectRewriter, RejectsExecutablesAndBadIndices) {
  const auto& k = test::fixture_kernel("intree");
  test::TempDir dir;
  auto exe = ElfFile::open(k.vmlinux());
  ASSERT_TRUE(exe);
  auto out = AtomicFile::create(dir.file("x"));
  ASSERT_TRUE(out);
  auto r = write_object_with_symbols(*exe, {}, out->fd(), dir.file("x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);

  auto mod = ElfFile::open(k.module("hello"));
  ASSERT_TRUE(mod);
  std::vector<NewSymbol> bad = {{"x@y_1", 100000, false}};
  auto r2 = write_object_with_symbols(*mod, bad, out->fd(), dir.file("x"));
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().message.find("outside .symtab"), std::string::npos);
}

}  // namespace
}  // namespace kas
