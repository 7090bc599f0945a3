// kas census against a census computed here from binutils nm output.
#include <gtest/gtest.h>

#include <map>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/oracles.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

std::string nm_census(const test::FixtureKernel& k) {
  std::map<std::string, int> counts;
  for (const std::string& line : test::split_lines(test::read_text(k.syms()))) {
    std::string name = line.substr(line.rfind(' ') + 1);
    ++counts[name];
  }
  for (const char* mod : {"hello", "other", "hello_twin"}) {
    for (const test::NmSymbol& s : test::nm_symbols(k.module(mod))) {
      if (s.type != 'U' && s.type != 'w' && s.type != 'v') ++counts[s.name];
    }
  }
  std::string out;
  for (const auto& [name, n] : counts) out += name + ":" + std::to_string(n) + "\n";
  return out;
}

class CensusCommandArches : public ::testing::TestWithParam<std::string> {};

// The oracle is the target's nm (aarch64-linux-gnu-nm for the arm64
// fixture, which does not list mapping symbols), as kbuild runs it.
TEST_P(CensusCommandArches, EqualsTheCensusOfNmOutput) {
  const auto& k = test::fixture_kernel(GetParam());
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  auto r = test::run_process({test::kas_binary(), "census", "--nm", k.syms(), "--modules-order",
                              k.modules_order(), "-o", dir.file("symbfreq")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string expected = nm_census(k);
  EXPECT_EQ(test::read_text(dir.file("symbfreq")), expected);
  EXPECT_NE(expected.find("name_show:4\n"), std::string::npos);  // 2 in vmlinux, 1 per module
}

// kbuild links modules before System.map exists: the census reads
// vmlinux.o itself. Oracle: binutils nm of vmlinux.o through 6.1's mksysmap
// filter, given to kas as a listing.
TEST_P(CensusCommandArches, VmlinuxObjectCountsAsItsMksysmapListing) {
  const auto& k = test::fixture_kernel(GetParam());
  test::TempDir dir;
  // 6.1's scripts/mksysmap: sh -c SCRIPT sh OUT NM-COMMAND...
  const std::string script = "out=$1; shift; \"$@\" | grep -v -e ' [aNUw] ' -e ' \\$' -e ' \\.L' -e ' __crc_' "
                             "-e ' __kstrtab_' -e ' __kstrtabns_' -e ' L0$' > \"$out\"";
  std::vector<std::string> mksysmap = {"sh", "-c", script, "sh", dir.file("vmlinux.o.syms")};
  for (std::string& word : test::nm_command({"-n"}, k.vmlinux_object())) mksysmap.push_back(std::move(word));
  auto nm = test::run_process(mksysmap);
  ASSERT_EQ(nm.exit_code, 0) << nm.err;
  auto from_listing = test::run_process({test::kas_binary(), "census", "--nm", dir.file("vmlinux.o.syms"),
                                         "--modules-order", k.modules_order()});
  auto from_object = test::run_process({test::kas_binary(), "census", "--nm", k.vmlinux_object(),
                                        "--modules-order", k.modules_order()});
  ASSERT_EQ(from_listing.exit_code, 0) << from_listing.err;
  ASSERT_EQ(from_object.exit_code, 0) << from_object.err;
  EXPECT_NE(from_object.out.find("name_show:4\n"), std::string::npos);
  EXPECT_EQ(from_object.out, from_listing.out);
}

INSTANTIATE_TEST_SUITE_P(Arches, CensusCommandArches, ::testing::Values("intree", "arm64"));

TEST(CensusCommand, ModulesOrderFallsBackToTheObjectBeforeTheKoExists) {
  const auto& k = test::fixture_kernel("intree");
  test::TempDir dir;
  // A modules.order naming .ko files of which only the .o exist yet.
  std::string order = dir.file("modules.order");
  test::write_text(order, "hello.ko\n");
  auto cp = test::run_process({"cp", k.module("hello"), dir.file("hello.o")});
  ASSERT_EQ(cp.exit_code, 0);
  auto r = test::run_process({test::kas_binary(), "census", "--modules-order", order});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("name_show:1\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kas
