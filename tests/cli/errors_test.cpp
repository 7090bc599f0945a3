// Every failure names the file and the reason, exits non-zero (so make
// stops) and leaves no partial output behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

test::ProcessResult vmlinux(const std::string& nm, const std::string& elf, const std::string& order,
                            const std::string& out) {
  return test::run_process(
      {test::kas_binary(), "vmlinux", "--nm", nm, "--elf", elf, "--modules-order", order, "-o", out});
}

void expect_failure(const test::ProcessResult& r, const std::string& path, const std::string& reason) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

class Errors : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(k_.root.empty());
    test::write_text(out_, "previous output\n");
  }
  void TearDown() override {
    // the old output survives, and no temporary is left beside it
    EXPECT_EQ(test::read_text(out_), "previous output\n");
    EXPECT_EQ(test::count_entries(dir_.path()), files_made_ + 1);
  }
  const test::FixtureKernel& k_ = test::fixture_kernel("intree");
  test::TempDir dir_;
  std::string out_ = dir_.file("out.syms");
  size_t files_made_ = 0;
};

TEST_F(Errors, MissingElf) {
  expect_failure(vmlinux(k_.syms(), dir_.file("no-vmlinux"), k_.modules_order(), out_), dir_.file("no-vmlinux"),
                 "No such file");
}

TEST_F(Errors, ElfWithoutDebugInfo) {
  std::string stripped = dir_.file("vmlinux.stripped");
  ASSERT_EQ(test::run_process({"objcopy", "--strip-debug", k_.vmlinux(), stripped}).exit_code, 0);
  files_made_ = 1;
  expect_failure(vmlinux(k_.syms(), stripped, k_.modules_order(), out_), stripped, "no debug info");
}

TEST_F(Errors, CorruptElf) {
  std::string corrupt = dir_.file("vmlinux.corrupt");
  test::write_text(corrupt, "\x7f" "ELF garbage that is not an ELF header at all");
  files_made_ = 1;
  expect_failure(vmlinux(k_.syms(), corrupt, k_.modules_order(), out_), corrupt, "");
}

TEST_F(Errors, CorruptModuleInTheCensus) {
  std::string order = dir_.file("modules.order");
  test::write_text(order, "bad.ko\n");
  test::write_text(dir_.file("bad.ko"), "not an object\n");
  files_made_ = 2;
  expect_failure(vmlinux(k_.syms(), k_.vmlinux(), order, out_), dir_.file("bad.ko"), "not an ELF file");
}

TEST_F(Errors, ModuleListedButMissing) {
  std::string order = dir_.file("modules.order");
  test::write_text(order, "gone/gone.ko\n");
  files_made_ = 1;
  expect_failure(vmlinux(k_.syms(), k_.vmlinux(), order, out_), order + ":1", "not found");
}

TEST_F(Errors, MalformedNmLine) {
  std::string syms = dir_.file("bad.syms");
  std::string text = test::read_text(k_.syms());
  test::write_text(syms, text.substr(0, text.find('\n') + 1) + "ffffffff81000000 T\n" + text);
  files_made_ = 1;
  expect_failure(vmlinux(syms, k_.vmlinux(), k_.modules_order(), out_), syms + ":2:", "malformed nm line");
}

TEST_F(Errors, UnwritableOutputDirectory) {
  auto r = vmlinux(k_.syms(), k_.vmlinux(), k_.modules_order(), dir_.file("missing-dir/out.syms"));
  expect_failure(r, dir_.file("missing-dir/out.syms"), "cannot create output");
}

TEST(Usage, HelpForEveryCommandAndUsageErrorsExitTwo) {
  for (const char* cmd : {"vmlinux", "census"}) {
    auto help = test::run_process({test::kas_binary(), cmd, "--help"});
    EXPECT_EQ(help.exit_code, 0) << cmd;
    EXPECT_NE(help.out.find("usage: kas "), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("example:"), std::string::npos) << help.out;
  }
  EXPECT_EQ(test::run_process({test::kas_binary(), "--help"}).exit_code, 0);
  EXPECT_EQ(test::run_process({test::kas_binary()}).exit_code, 2);
  EXPECT_EQ(test::run_process({test::kas_binary(), "frobnicate"}).exit_code, 2);
  EXPECT_EQ(test::run_process({test::kas_binary(), "vmlinux", "--nm", "x"}).exit_code, 2);
  EXPECT_EQ(test::run_process({test::kas_binary(), "vmlinux", "--bogus"}).exit_code, 2);
  EXPECT_EQ(test::run_process({test::kas_binary(), "census", "-j", "zero"}).exit_code, 2);
}

}  // namespace
}  // namespace kas
