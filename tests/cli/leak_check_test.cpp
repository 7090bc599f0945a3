// kas checks for leaks at exit only when asked (client/cli/main.cpp: a
// sanitized kas is built with detect_leaks=0, since it runs one command and
// exits). Here it is asked, for every command, in process and through kasd:
// a leak makes LeakSanitizer report it and kas exit non-zero.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

// kas ARGS < INPUT, with ASAN_OPTIONS and LSAN_OPTIONS as given.
test::ProcessResult kas_with(const std::string& asan, const std::string& lsan, const std::string& input,
                             const std::vector<std::string>& args) {
  const std::string script =
      "export ASAN_OPTIONS=\"$1\" LSAN_OPTIONS=\"$2\"; input=$3; shift 3; exec \"$@\" < \"$input\"";
  std::vector<std::string> argv = {"sh", "-c", script, "sh", asan, lsan, input, test::kas_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run_process(argv);
}

class LeakCheck : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef __SANITIZE_ADDRESS__
    GTEST_SKIP() << "kas is not built with AddressSanitizer";
#endif
    k_ = &test::fixture_kernel("intree");
    ASSERT_FALSE(k_->root.empty());
    test::write_text(dir_.file("oops"), "[   42.000000]  inline_chain_entry+0x1/0xd\n");
  }
  const test::FixtureKernel* k_ = nullptr;
  test::TempDir dir_;
};

TEST_F(LeakCheck, AKasAskedToCheckReportsWhatItHoldsAtExit) {
  // Told to count only what nothing reachable holds, with no root to reach
  // from, LeakSanitizer reports every allocation still live: it ran.
  auto r = kas_with("detect_leaks=1", "use_globals=0:use_stacks=0:use_registers=0:use_tls=0", "/dev/null",
                    {"census", "--nm", k_->syms(), "--modules-order", k_->modules_order(), "--no-daemon"});
  EXPECT_NE(r.exit_code, 0) << r.err.substr(0, 2000);
  EXPECT_NE(r.err.find("LeakSanitizer: detected memory leaks"), std::string::npos) << r.err.substr(0, 2000);
}

TEST_F(LeakCheck, EveryCommandLeavesNothingAllocatedAtExit) {
  const std::string tree = k_->objtree;
  const std::vector<std::vector<std::string>> commands = {
      {"--version"},
      {"lookup", "--help"},
      {"vmlinux", "--nm", k_->syms(), "--elf", k_->vmlinux(), "--modules-order", k_->modules_order(), "-o",
       dir_.file("vmlinux.alias")},
      {"module", k_->module_object("hello"), "--nm", k_->syms(), "--modules-order", k_->modules_order(), "-o",
       dir_.file("hello.o")},
      {"census", "--nm", k_->syms(), "--modules-order", k_->modules_order()},
      {"lookup", "name_show", "--tree", tree},
      {"resolve", "name_show+0x1", "--tree", tree},
      {"decode", "--tree", tree},
      {"probe", "only_here@kernel_unique_c_1", "--tree", tree},
  };
  for (const char* route : {"--no-daemon", ""}) {
    for (std::vector<std::string> args : commands) {
      if (*route && args.size() > 1) args.emplace_back(route);
      std::string what;
      for (const std::string& a : args) what += " " + a;
      auto r = kas_with("detect_leaks=1", "", dir_.file("oops"), args);
      EXPECT_EQ(r.exit_code, 0) << "kas" << what << ":\n" << r.err.substr(0, 4000);
      EXPECT_EQ(r.err.find("LeakSanitizer"), std::string::npos) << "kas" << what << ":\n" << r.err.substr(0, 4000);
    }
  }
}

}  // namespace
}  // namespace kas
