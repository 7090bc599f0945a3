// Global options before the command name (git style) mean what they mean
// after it; a command that does not take one refuses it as an unknown option.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

test::ProcessResult kas(const std::vector<std::string>& args) {
  // Built in order rather than inserted at the front: GCC 12 at -O2 warns
  // (-Wnull-dereference) inside vector::insert.
  std::vector<std::string> argv{test::kas_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run_process(argv);
}

class GlobalOptions : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(k_.root.empty()); }
  const test::FixtureKernel& k_ = test::fixture_kernel("intree");
  test::TempDir dir_;
  // A socket no daemon can be started at: going through kasd would warn.
  std::string bad_socket_ = dir_.file("no-parent/missing-dir/kasd.sock");
};

TEST_F(GlobalOptions, VmlinuxNoDaemonBeforeTheCommand) {
  auto before = kas({"--no-daemon", "--socket", bad_socket_, "-j", "2", "vmlinux", "--nm", k_.syms(), "--elf",
                     k_.vmlinux(), "--modules-order", k_.modules_order(), "-o", dir_.file("before")});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(before.err, "");  // no "no kasd" warning: it never tried the daemon
  auto after = kas({"vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(), "--modules-order", k_.modules_order(),
                    "-o", dir_.file("after"), "--no-daemon", "--socket", bad_socket_, "-j", "2"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(test::read_text(dir_.file("before")), test::read_text(dir_.file("after")));
}

TEST_F(GlobalOptions, ModuleNoDaemonBeforeTheCommand) {
  const std::vector<std::string> census = {"--nm", k_.syms(), "--modules-order", k_.modules_order()};
  std::vector<std::string> before = {"--no-daemon", "--socket", bad_socket_, "module", k_.module_object("hello"),
                                     "-o", dir_.file("before.o")};
  before.insert(before.end(), census.begin(), census.end());
  auto b = kas(before);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(b.err.find("no kasd"), std::string::npos) << b.err;
  std::vector<std::string> after = {"module", k_.module_object("hello"), "-o", dir_.file("after.o"), "--no-daemon"};
  after.insert(after.end(), census.begin(), census.end());
  auto a = kas(after);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(test::read_text(dir_.file("before.o")), test::read_text(dir_.file("after.o")));
}

TEST_F(GlobalOptions, SocketBeforeTheCommandIsUsed) {
  // Without --no-daemon kas tries kasd at that socket, cannot, and says so.
  auto r = kas({"--socket", bad_socket_, "census", "--nm", k_.syms()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("kas: warning: no kasd (" + dir_.file("no-parent/missing-dir")), std::string::npos) << r.err;

  auto status = kas({"--socket", dir_.file("kasd.sock"), "daemon", "status"});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_EQ(status.out, "kasd not running at " + dir_.file("kasd.sock") + "\n");
}

TEST_F(GlobalOptions, ALaterValueAfterTheCommandWins) {
  // The global words come first, so the command's own later one wins.
  auto r = kas({"--socket", dir_.file("first/kasd.sock"), "census", "--nm", k_.syms(), "--socket", bad_socket_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("no kasd (" + dir_.file("no-parent/missing-dir")), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(dir_.file("first")), std::string::npos) << r.err;
}

TEST(GlobalOptionErrors, ACommandThatDoesNotTakeOneRefusesIt) {
  auto r = kas({"--no-daemon", "daemon", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas daemon: unknown option '--no-daemon' (see 'kas daemon --help')\n");
  r = kas({"-j", "2", "daemon", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas daemon: unknown option '--jobs' (see 'kas daemon --help')\n");
}

TEST(GlobalOptionErrors, UnknownMissingAndInvalidBeforeTheCommand) {
  auto r = kas({"--bogus", "census", "--nm", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas: unknown option '--bogus' (see 'kas --help')\n");
  EXPECT_EQ(r.out, "");
  r = kas({"--verbose", "vmlinux"});  // a command's option, not a global one
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas: unknown option '--verbose' (see 'kas --help')\n");
  r = kas({"--socket"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas: missing value for '--socket' (see 'kas --help')\n");
  r = kas({"-j", "zero", "census", "--nm", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "kas: invalid value 'zero' for --jobs\n");
  r = kas({"--no-daemon"});  // no command
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("usage: kas "), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kas
