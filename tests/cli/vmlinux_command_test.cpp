// kas vmlinux, the real binary, on the fixture kernel. Expected aliases are
// derived from the fixture sources' LOC markers and the DESIGN's spelling
// rules, not from kas's own output.
#include <gtest/gtest.h>

#include <map>
#include <fstream>
#include <set>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

uint32_t line_of(const std::string& name, const std::string& file) {
  for (const test::Marker& m : test::markers_for(name)) {
    if (m.file == file) return m.line;
  }
  ADD_FAILURE() << "no marker for " << name << " in " << file;
  return 0;
}

std::string plain(const std::string& name, const std::string& file) {
  return name + "@" + test::decorate(file) + "_" + std::to_string(line_of(name, file));
}

std::string with_unit(const std::string& name, const std::string& file, const std::string& unit) {
  return name + "@" + test::decorate(file) + "_" + test::decorate(unit) + "_" + std::to_string(line_of(name, file));
}

struct Output {
  std::vector<std::string> lines;
  std::set<std::string> aliases;
};

Output run_vmlinux(const test::FixtureKernel& k, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {test::kas_binary(), "vmlinux", "--nm", k.syms(), "--elf", k.vmlinux(),
                                   "--modules-order", k.modules_order()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto r = test::run_process(argv);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Output out;
  out.lines = test::split_lines(r.out);
  for (const std::string& line : out.lines) {
    auto at = line.find('@');
    if (at != std::string::npos) out.aliases.insert(line.substr(line.rfind(' ', at) + 1));
  }
  return out;
}

class VmlinuxCommand : public ::testing::TestWithParam<std::string> {};

// kbuild's kallsyms passes link without debug info; their locations come
// from vmlinux.o. The linked vmlinux (same objects, same order) is the
// oracle: every line and alias must come out the same.
TEST_P(VmlinuxCommand, KallsymsLinkLocatedThroughVmlinuxObjectMatchesTheLinkedVmlinux) {
  const auto& k = test::fixture_kernel(GetParam());
  auto strip = test::run_process({"readelf", "-S", k.objtree + "/.tmp_vmlinux.kallsyms1"});
  ASSERT_EQ(strip.out.find(".debug_info"), std::string::npos) << "the pass link must have no DWARF";
  auto linked = test::run_process({test::kas_binary(), "vmlinux", "--nm", k.syms(), "--elf", k.vmlinux(),
                                   "--modules-order", k.modules_order()});
  auto through_object =
      test::run_process({test::kas_binary(), "vmlinux", "--nm", k.kallsyms_link_syms(), "--elf", k.vmlinux_object(),
                         "--modules-order", k.modules_order()});
  ASSERT_EQ(linked.exit_code, 0) << linked.err;
  ASSERT_EQ(through_object.exit_code, 0) << through_object.err;
  EXPECT_NE(linked.out.find("@"), std::string::npos);
  EXPECT_EQ(through_object.out, linked.out);
}

TEST_P(VmlinuxCommand, AddsTheExpectedAliasesAndNothingElse) {
  const auto& k = test::fixture_kernel(GetParam());
  ASSERT_FALSE(k.root.empty());
  Output out = run_vmlinux(k);
  std::set<std::string> expected = {
      plain("name_show", "drivers/base/core.c"),
      plain("name_show", "drivers/pps/sysfs.c"),
      plain("load_elf_binary", "fs/binfmt_elf.c"),
      with_unit("load_elf_binary", "fs/binfmt_elf.c", "compat_binfmt_elf.c"),
      with_unit("attr_index", "include/linux/kobj_helpers.h", "core.c"),
      with_unit("attr_index", "include/linux/kobj_helpers.h", "sysfs.c"),
      plain("common_stub", "arch/x86/lib/stub.c"),
      plain("common_stub", "arch/x86/entry/thunk.S"),
      plain("only_here", "kernel/unique.c"),  // the hello module defines one too
  };
  EXPECT_EQ(out.aliases, expected);
}

TEST_P(VmlinuxCommand, KeepsEveryInputLineInOrderWithAliasesRightAfter) {
  const auto& k = test::fixture_kernel(GetParam());
  ASSERT_FALSE(k.root.empty());
  std::vector<std::string> input = test::split_lines(test::read_text(k.syms()));
  Output out = run_vmlinux(k);
  size_t i = 0;
  std::string previous;
  for (const std::string& line : out.lines) {
    if (line.find('@') != std::string::npos) {
      // same address and type as the line before, name = stem of the alias
      ASSERT_FALSE(previous.empty());
      EXPECT_EQ(line.substr(0, 19), previous.substr(0, 19)) << line;
      std::string stem = line.substr(19, line.find('@') - 19);
      EXPECT_EQ(previous.substr(19), stem) << line;
      continue;
    }
    ASSERT_LT(i, input.size());
    EXPECT_EQ(line, input[i]);
    ++i;
    previous = line;
  }
  EXPECT_EQ(i, input.size());
}

INSTANTIATE_TEST_SUITE_P(BuildLayouts, VmlinuxCommand,
                         ::testing::Values("intree", "objtree", "objtree-nolink", "mapped", "arm64"));

TEST(VmlinuxCommandOptions, DataAliasesSkipCompilerGeneratedNames) {
  const auto& k = test::fixture_kernel("intree");
  Output out = run_vmlinux(k, {"--data"});
  EXPECT_TRUE(out.aliases.count(plain("name_count", "drivers/base/core.c")));
  EXPECT_TRUE(out.aliases.count(plain("name_count", "drivers/pps/sysfs.c")));
  for (const std::string& alias : out.aliases) {
    EXPECT_NE(alias.rfind("__key.", 0), 0u) << alias;
    EXPECT_NE(alias.rfind("__func__.", 0), 0u) << alias;
  }
  Output text_only = run_vmlinux(k);
  EXPECT_FALSE(text_only.aliases.count(plain("name_count", "drivers/base/core.c")));
}

TEST(VmlinuxCommandOptions, SeparatorAndExplicitSrctreeAndCensusFile) {
  const auto& k = test::fixture_kernel("objtree");
  test::TempDir dir;
  auto census = test::run_process({test::kas_binary(), "census", "--nm", k.syms(), "--modules-order",
                                   k.modules_order(), "-o", dir.file("symbfreq")});
  ASSERT_EQ(census.exit_code, 0) << census.err;
  auto r = test::run_process({test::kas_binary(), "vmlinux", "--nm", k.syms(), "--elf", k.vmlinux(), "--census",
                              dir.file("symbfreq"), "--srctree", k.root + "/link", "--separator", "~"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string expected = plain("name_show", "drivers/base/core.c");
  expected[expected.find('@')] = '~';
  EXPECT_NE(r.out.find(" " + expected + "\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('@'), std::string::npos);
}

TEST(VmlinuxCommandOptions, ModulesDirectoryCensusFindsTheSameDuplicates) {
  const auto& k = test::fixture_kernel("intree");
  auto by_dir = test::run_process({test::kas_binary(), "vmlinux", "--nm", k.syms(), "--elf", k.vmlinux(),
                                   "--modules", k.objtree + "/modules", "-j", "1"});
  ASSERT_EQ(by_dir.exit_code, 0) << by_dir.err;
  auto by_order = test::run_process({test::kas_binary(), "vmlinux", "--nm", k.syms(), "--elf", k.vmlinux(),
                                     "--modules-order", k.modules_order(), "-j", "4"});
  ASSERT_EQ(by_order.exit_code, 0) << by_order.err;
  EXPECT_EQ(by_dir.out, by_order.out);
}

TEST(VmlinuxCommandOptions, ListingNotFromALinkOfTheObjectIsRefused) {
  const auto& k = test::fixture_kernel("intree");
  test::TempDir dir;
  // Same addresses, other names: nothing ties the listing to vmlinux.o.
  std::string renamed = dir.file("renamed.syms");
  std::ofstream out(renamed);
  for (const std::string& line : test::split_lines(test::read_text(k.kallsyms_link_syms()))) {
    out << line << "_elsewhere\n";
  }
  out.close();
  auto r = test::run_process({test::kas_binary(), "vmlinux", "--nm", renamed, "--elf", k.vmlinux_object(),
                              "--modules-order", k.modules_order()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("vmlinux.o: no uniquely named symbol in common"), std::string::npos) << r.err;
}

TEST(VmlinuxCommandOptions, OutputFileIsWrittenWhole) {
  const auto& k = test::fixture_kernel("intree");
  test::TempDir dir;
  auto to_file = test::run_process({test::kas_binary(), "vmlinux", "--nm", k.syms(), "--elf", k.vmlinux(),
                                    "--modules-order", k.modules_order(), "-o", dir.file("out.syms")});
  ASSERT_EQ(to_file.exit_code, 0) << to_file.err;
  auto to_stdout = test::run_process({test::kas_binary(), "vmlinux", "--nm", k.syms(), "--elf", k.vmlinux(),
                                      "--modules-order", k.modules_order()});
  EXPECT_EQ(test::read_text(dir.file("out.syms")), to_stdout.out);
  EXPECT_TRUE(to_file.out.empty());
}

}  // namespace
}  // namespace kas
