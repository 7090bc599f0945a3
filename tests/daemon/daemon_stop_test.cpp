// kas daemon stop|status act on the daemon this kas's requests go to (issue
// 27 K): when systemd serves the default socket with another
// installation's kasd, that is this kas's own, kasd.own.sock beside it.
// systemd is stood in for as tests/daemon/daemon_test.cpp's SocketActivated
// does: the test holds the default socket and serves it with a dispatcher
// of another build that says systemd started it from another binary.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <regex>

#include "core/util/fd.hpp"
#include "daemon/dispatch.hpp"
#include "daemon/listener.hpp"
#include "daemon/server.hpp"
#include "proto/build_id.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

class DaemonStop : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(k_.root.empty());
    ASSERT_EQ(::mkdir(dir_.file("xdg").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir(dir_.file("xdg/kasd").c_str(), 0700), 0);
    held_ = dir_.file("xdg/kasd/kasd.sock");  // the per-user default under XDG_RUNTIME_DIR
    own_ = dir_.file("xdg/kasd/kasd.own.sock");
    held_fd_ = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, held_.c_str(), held_.size() + 1);
    ASSERT_EQ(::bind(held_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
    ASSERT_EQ(::listen(held_fd_.get(), 64), 0);
    // The packaged kasd, socket-activated, of another build.
    other_ = std::make_unique<daemon::Dispatcher>("0.0.0+packaged", 1, size_t{64} << 20);
    other_->set_origin("/usr/lib/other-installation/kasd", true);
    daemon::Listener listener;
    listener.socket = Fd(::fcntl(held_fd_.get(), F_DUPFD_CLOEXEC, 3));
    listener.from_systemd = true;
    served_ = std::async(std::launch::async, [this, l = std::move(listener)]() mutable {
      daemon::ServerOptions options;
      options.idle_timeout = std::chrono::seconds(0);
      return daemon::serve(l, *other_, options);
    });
  }
  void TearDown() override {
    (void)test::run_process({test::kas_binary(), "daemon", "stop", "--socket", own_});
    if (served_.valid() && served_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      (void)test::run_process({test::kas_binary(), "daemon", "stop", "--socket", held_});
      if (served_.wait_for(std::chrono::seconds(10)) != std::future_status::ready) ::raise(SIGTERM);
    }
  }
  // kas with the default socket (no KAS_SOCKET, no --socket).
  test::ProcessResult kas(std::vector<std::string> args) {
    args.insert(args.begin(), {"env", "-u", "KAS_SOCKET", "XDG_RUNTIME_DIR=" + dir_.file("xdg"), test::kas_binary()});
    return test::run_process(args);
  }
  bool other_stopped(std::chrono::milliseconds wait) { return served_.wait_for(wait) == std::future_status::ready; }

  const test::FixtureKernel& k_ = test::fixture_kernel("intree");
  test::TempDir dir_;
  std::string held_, own_;
  Fd held_fd_;
  std::unique_ptr<daemon::Dispatcher> other_;
  std::future<int> served_;
};

TEST_F(DaemonStop, StopAndStatusActOnThisKassOwnDaemonNotAnotherInstallations) {
  // A request: served by this kas's own kasd beside the packaged one.
  auto v = kas({"vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(), "--modules-order", k_.modules_order()});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  ASSERT_EQ(v.err.find("warning"), std::string::npos) << "fell back in-process: " << v.err;
  auto own_status = test::run_process({test::kas_binary(), "daemon", "status", "--socket", own_});
  ASSERT_EQ(own_status.exit_code, 0) << own_status.err;
  std::smatch pid;
  ASSERT_TRUE(std::regex_search(own_status.out, pid, std::regex("kasd pid (\\d+)"))) << own_status.out;

  auto status = kas({"daemon", "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("kasd pid " + pid[1].str() + ", build " + this_build_id() + "\nsocket " + own_ + "\n"),
            std::string::npos)
      << status.out << status.err;

  auto stop = kas({"daemon", "stop"});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(stop.out, "kasd stopped\n");
  EXPECT_FALSE(other_stopped(std::chrono::milliseconds(500))) << "kas daemon stop stopped another installation's kasd";
  auto after = test::run_process({test::kas_binary(), "daemon", "status", "--socket", own_});
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_EQ(after.out, "kasd not running at " + own_ + "\n") << "this kas's own kasd still runs";
  auto none = kas({"daemon", "stop"});
  EXPECT_EQ(none.out, "kasd not running at " + own_ + "\n");
  EXPECT_FALSE(other_stopped(std::chrono::milliseconds(100)));

  // Named explicitly, the packaged daemon's socket is acted on as it is.
  auto named = kas({"daemon", "stop", "--socket", held_});
  EXPECT_EQ(named.exit_code, 0) << named.err;
  EXPECT_TRUE(other_stopped(std::chrono::seconds(10)));
  EXPECT_EQ(served_.get(), 0);
}

}  // namespace
}  // namespace kas
