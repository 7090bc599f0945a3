// How outputs are written through a real kasd, compared with kas
// --no-daemon: the client's umask gives the mode (issue 27 J), and the
// output's directory is the one the request started with, whatever is
// swapped in at its path meanwhile (issue 27 L).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/util/path.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

class DaemonOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(k_.root.empty());
    socket_ = dir_.file("run/kasd.sock");
  }
  void TearDown() override { (void)test::run_process({test::kas_binary(), "daemon", "stop", "--socket", socket_}); }

  // kas ARGS run by sh under `umask`: the mode a user's shell gives it.
  test::ProcessResult kas_under(const std::string& umask, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"sh", "-c", "umask " + umask + " && exec \"$@\"", "sh", test::kas_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_process(argv);
  }
  std::vector<std::string> module_args(const std::string& in, const std::string& out) {
    return {"module", in, "--nm", k_.syms(), "--modules-order", k_.modules_order(), "-o", out};
  }
  std::vector<std::string> through_daemon(std::vector<std::string> args) {
    args.insert(args.end(), {"--socket", socket_});
    return args;
  }
  static std::vector<std::string> in_process(std::vector<std::string> args) {
    args.emplace_back("--no-daemon");
    return args;
  }
  static unsigned mode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return ~0u;
    return st.st_mode & 07777;
  }
  // Whether process `pid` holds a descriptor of directory `dir` itself (not
  // of a file in it): the request has opened its output's directory.
  static bool holds_directory(int pid, const std::string& dir) {
    const std::string fds = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = ::opendir(fds.c_str());
    if (d == nullptr) return false;
    bool found = false;
    while (dirent* e = ::readdir(d)) {
      char target[4096];
      ssize_t n = ::readlink((fds + "/" + e->d_name).c_str(), target, sizeof target - 1);
      if (n > 0 && std::string(target, static_cast<size_t>(n)) == dir) found = true;
    }
    ::closedir(d);
    return found;
  }
  int start_daemon(std::vector<std::string> extra = {}) {
    if (::mkdir(dir_.file("run").c_str(), 0700) != 0) return -1;
    std::vector<std::string> argv = {"sh", "-c", "umask 022 && exec \"$@\"", "sh", KAS_TEST_KASD_BINARY,
                                     "--socket", socket_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const int pid = test::spawn_process(argv, dir_.file("kasd.out"), socket_ + ".log");
    for (int i = 0; i < 500; ++i) {
      auto status = test::run_process({test::kas_binary(), "daemon", "status", "--socket", socket_});
      if (status.out.find("kasd pid " + std::to_string(pid)) != std::string::npos) return pid;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

  const test::FixtureKernel& k_ = test::fixture_kernel("intree");
  test::TempDir dir_;
  std::string socket_;
};

// J: on the previous main kasd gave the output its own umask's mode (0644
// under the user's 077, where --no-daemon gave 0600).
TEST_F(DaemonOutput, TheModeThroughTheDaemonIsTheClientsUmasksAsInProcess) {
  ASSERT_GT(start_daemon(), 0) << test::read_text(socket_ + ".log");
  for (const std::string umask : {"077", "027"}) {
    SCOPED_TRACE("umask " + umask);
    const std::string daemon_out = dir_.file("daemon" + umask + ".o");
    const std::string local_out = dir_.file("local" + umask + ".o");
    auto d = kas_under(umask, through_daemon(module_args(k_.module_object("hello"), daemon_out)));
    auto l = kas_under(umask, in_process(module_args(k_.module_object("hello"), local_out)));
    ASSERT_EQ(d.exit_code, 0) << d.err;
    ASSERT_EQ(l.exit_code, 0) << l.err;
    EXPECT_EQ(d.err.find("warning"), std::string::npos) << "fell back in-process: " << d.err;
    EXPECT_EQ(mode_of(daemon_out), mode_of(local_out));
    EXPECT_EQ(mode_of(local_out), 0666 & ~std::stoul(umask, nullptr, 8));
    EXPECT_EQ(test::read_text(daemon_out), test::read_text(local_out));

    // In place, both keep the input's mode, whatever the umask.
    for (const char* how : {"daemon", "local"}) {
      const std::string ko = dir_.file(std::string(how) + umask + ".ko");
      ASSERT_EQ(test::run_process({"install", "-m", "0604", k_.module("hello"), ko}).exit_code, 0);
      std::vector<std::string> args = {"module", ko, "--in-place", "--nm", k_.syms(), "--modules-order",
                                       k_.modules_order()};
      auto r = kas_under(umask, std::string(how) == "daemon" ? through_daemon(args) : in_process(args));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(mode_of(ko), 0604u) << how;
    }
  }
}

// L: a victim (root here) writes into a directory another user owns; that
// user swaps the directory for a symbolic link to the victim's 0700 home
// while the request is held in kasd. On the previous main the output was
// looked up by its path at commit and replaced the victim's ~/out.o.
TEST_F(DaemonOutput, AnOutputDirectorySwappedForASymlinkMidRequestIsNotFollowed) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to act as another user (setpriv)";
  // A sticky world-writable directory, as /tmp: the other user may rename
  // what it owns there.
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  const std::string pub = dir_.file("pub");
  ASSERT_EQ(::mkdir(pub.c_str(), 0777), 0);
  ASSERT_EQ(::chmod(pub.c_str(), 01777), 0);
  const std::string att = pub + "/att";
  ASSERT_EQ(::mkdir(att.c_str(), 0755), 0);
  ASSERT_EQ(::chown(att.c_str(), 65534, 65534), 0);
  const std::string home = dir_.file("home");
  ASSERT_EQ(::mkdir(home.c_str(), 0700), 0);
  test::write_text(home + "/out.o", "the victim's out.o\n");
  test::write_text(home + "/out.syms", "the victim's out.syms\n");

  const int kasd = start_daemon({"--test-request-delay-ms", "4000"});
  ASSERT_GT(kasd, 0) << test::read_text(socket_ + ".log");
  // kas module's output is written by kasd, kas vmlinux's by kas itself.
  std::vector<std::string> argv = {test::kas_binary()};
  auto module = through_daemon(module_args(k_.module_object("hello"), att + "/out.o"));
  argv.insert(argv.end(), module.begin(), module.end());
  const int module_client = test::spawn_process(argv, dir_.file("module.out"), dir_.file("module.err"));
  const int vmlinux_client = test::spawn_process(
      {test::kas_binary(), "vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(), "--modules-order",
       k_.modules_order(), "-o", att + "/out.syms", "--socket", socket_},
      dir_.file("vmlinux.out"), dir_.file("vmlinux.err"));
  // Both requests under way (their directory held), or 2 s gone: the
  // previous main held none, so waiting longer would not change it.
  for (int i = 0; i < 200 && !(holds_directory(kasd, att) && holds_directory(vmlinux_client, att)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto swap = test::run_process({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
                                 "mv \"$1\" \"$1.old\" && ln -s \"$2\" \"$1\"", "sh", att, home});
  ASSERT_EQ(swap.exit_code, 0) << swap.err;

  const int module_exit = test::wait_process(module_client);
  const int vmlinux_exit = test::wait_process(vmlinux_client);
  EXPECT_EQ(test::read_text(home + "/out.o"), "the victim's out.o\n");
  EXPECT_EQ(test::read_text(home + "/out.syms"), "the victim's out.syms\n");
  EXPECT_EQ(test::count_entries(home), 2u);
  // The outputs are in the directory first opened, as in-process writes them.
  EXPECT_EQ(module_exit, 0) << test::read_text(dir_.file("module.err"));
  EXPECT_EQ(vmlinux_exit, 0) << test::read_text(dir_.file("vmlinux.err"));
  EXPECT_EQ(test::read_text(dir_.file("module.err")).find("warning"), std::string::npos);
  std::vector<std::string> local_argv = {test::kas_binary()};
  auto local_args = in_process(module_args(k_.module_object("hello"), dir_.file("local.o")));
  local_argv.insert(local_argv.end(), local_args.begin(), local_args.end());
  auto local = test::run_process(local_argv);
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_EQ(test::read_text(att + ".old/out.o"), test::read_text(dir_.file("local.o")));
  auto syms = test::run_process({test::kas_binary(), "vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(),
                                 "--modules-order", k_.modules_order(), "--no-daemon"});
  ASSERT_EQ(syms.exit_code, 0) << syms.err;
  EXPECT_EQ(test::read_text(att + ".old/out.syms"), syms.out);
}

}  // namespace
}  // namespace kas
