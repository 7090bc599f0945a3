// kas never talks to a socket another local user could have put in its
// place: a listener of uid 65534 (started with setpriv, as the other-uid
// daemon test does) in a directory of its own, in one of ours made 0777,
// behind a symbolic link, or moved into ours and chowned to root, gets not
// one byte; kas says why and does the job in process, with the same output.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

constexpr const char* kImpostor =
    "import socket, sys\n"
    "s = socket.socket(socket.AF_UNIX)\n"
    "s.bind(sys.argv[1])\n"
    "s.listen(16)\n"
    "open(sys.argv[2], 'w').close()\n"
    "while True:\n"
    "    c, _ = s.accept()\n"
    "    c.settimeout(1)\n"
    "    try:\n"
    "        data = c.recv(65536)\n"
    "    except OSError:\n"
    "        data = b''\n"
    "    with open(sys.argv[2], 'a') as f:\n"
    "        f.write('%d\\n' % len(data))\n"
    "    c.close()\n";

class DaemonTrust : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::getuid() != 0) GTEST_SKIP() << "needs root to run a listener as another user (setpriv)";
    k_ = &test::fixture_kernel("intree");
    ASSERT_FALSE(k_->root.empty());
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0711), 0);  // uid 65534 may pass through, not list or write
    theirs_ = dir_.file("theirs");
    std::filesystem::create_directory(theirs_);
    ASSERT_EQ(::chown(theirs_.c_str(), 65534, 65534), 0);
    ASSERT_EQ(::chmod(theirs_.c_str(), 0700), 0);
    test::write_text(dir_.file("impostor.py"), kImpostor);
    ASSERT_EQ(::chmod(dir_.file("impostor.py").c_str(), 0644), 0);
    auto local = kas_vmlinux({"--no-daemon"});
    ASSERT_EQ(local.exit_code, 0) << local.err;
    expected_ = local.out;
  }
  void TearDown() override {
    for (int pid : impostors_) {
      ::kill(pid, SIGKILL);
      (void)test::wait_process(pid);
    }
  }
  // A listener of uid 65534 at `socket` (in a directory it may write);
  // what it receives is logged to `log`, one line per connection.
  void start_impostor(const std::string& socket, const std::string& log) {
    impostors_.push_back(test::spawn_process({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                              "/usr/bin/python3", dir_.file("impostor.py"), socket, log},
                                             dir_.file("impostor.out"), dir_.file("impostor.err")));
    for (int i = 0; i < 500 && !std::filesystem::exists(log); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(std::filesystem::exists(log)) << test::read_text(dir_.file("impostor.err"));
  }
  test::ProcessResult kas_vmlinux(std::vector<std::string> extra) {
    std::vector<std::string> argv = {test::kas_binary(), "vmlinux", "--nm", k_->syms(), "--elf", k_->vmlinux(),
                                     "--modules-order", k_->modules_order()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return test::run_process(argv);
  }
  // kas with `socket`: refused with `why`, done in process, nothing sent.
  void expect_refused(const std::string& socket, const std::string& why, const std::string& log) {
    auto r = kas_vmlinux({"--socket", socket});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, expected_);
    EXPECT_NE(r.err.find("not using the kasd socket " + socket), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("running in-process"), std::string::npos) << r.err;
    const std::string received = test::read_text(log);
    for (const std::string& line : test::split_lines(received)) EXPECT_EQ(line, "0") << "the impostor got bytes";
  }
  const test::FixtureKernel* k_ = nullptr;
  test::TempDir dir_;
  std::string theirs_;
  std::string expected_;
  std::vector<int> impostors_;
};

TEST_F(DaemonTrust, ASocketDirectoryOfAnotherUserIsNotUsed) {
  // /tmp/kasd-UID made first by someone else, their listener in it.
  start_impostor(theirs_ + "/kasd.sock", theirs_ + "/log");
  expect_refused(theirs_ + "/kasd.sock", "belongs to uid 65534", theirs_ + "/log");
}

TEST_F(DaemonTrust, OurDirectoryWritableByOthersIsNotUsed) {
  const std::string ours = dir_.file("ours");
  std::filesystem::create_directory(ours);
  ASSERT_EQ(::chmod(ours.c_str(), 0777), 0);
  start_impostor(ours + "/kasd.sock", theirs_ + "/log");
  expect_refused(ours + "/kasd.sock", "has mode 0777", theirs_ + "/log");
}

TEST_F(DaemonTrust, ASymbolicLinkToTheirDirectoryIsNotUsed) {
  start_impostor(theirs_ + "/kasd.sock", theirs_ + "/log");
  std::filesystem::create_directory_symlink(theirs_, dir_.file("link"));
  expect_refused(dir_.file("link") + "/kasd.sock", "is a symbolic link", theirs_ + "/log");
}

TEST_F(DaemonTrust, AListenerOfAnotherUserIsNotUsedWhereverItsSocketLies) {
  // Their socket moved into our private directory and given to root: the
  // file system looks right; the listening process does not (SO_PEERCRED).
  start_impostor(theirs_ + "/kasd.sock", theirs_ + "/log");
  const std::string ours = dir_.file("ours");
  std::filesystem::create_directory(ours);
  ASSERT_EQ(::chmod(ours.c_str(), 0700), 0);
  std::filesystem::rename(theirs_ + "/kasd.sock", ours + "/kasd.sock");
  ASSERT_EQ(::lchown((ours + "/kasd.sock").c_str(), 0, 0), 0);
  auto r = kas_vmlinux({"--socket", ours + "/kasd.sock"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected_);
  EXPECT_NE(r.err.find("runs as uid 65534, not as you (uid 0)"), std::string::npos) << r.err;
  for (const std::string& line : test::split_lines(test::read_text(theirs_ + "/log"))) EXPECT_EQ(line, "0");
}

}  // namespace
}  // namespace kas
