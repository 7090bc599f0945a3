// kas census against a census computed here from binutils nm output.
#include <gtest/gtest.h>

#include <map>

#include "tests/support/fixture_kernel.hpp"
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

TEST(CensusCommand, EqualsTheCensusOfNmOutput) {
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  auto r = test::run_process({test::kas_binary(), "census", "--nm", k.syms(), "--modules-order",
                              k.modules_order(), "-o", dir.file("symbfreq")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string expected = nm_census(k);
  EXPECT_EQ(test::read_text(dir.file("symbfreq")), expected);
  EXPECT_NE(expected.find("name_show:4\n"), std::string::npos);  // 2 in vmlinux, 1 per module
}

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
