// A kasd serves one user, its own, with no more than that user's `kas
// --no-daemon` has (issue 27, findings A, B and C). Run as root, as CI does:
// root plays the other user and the privileged daemon, uid 65534 (nobody)
// the user, through setpriv. They cannot run unprivileged: they fail there,
// never skip, so that a CI running them as root cannot silently lose them.
#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "kas.pb.h"
#include "proto/framing.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

constexpr uid_t kNobody = 65534;

std::vector<std::string> as_nobody(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  return argv;
}

// Root with every capability dropped: what `kas --no-daemon` of root in a
// confined shell can do.
std::vector<std::string> as_root_without_capabilities(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"setpriv", "--bounding-set=-all", "--inh-caps=-all"});
  return argv;
}

int pid_in_status(const std::string& out) {
  std::smatch m;
  return std::regex_search(out, m, std::regex("kasd pid (\\d+)")) ? std::stoi(m[1]) : -1;
}

// The descriptors process `pid` holds on files under `dir`: fd -> target.
std::vector<std::pair<int, std::string>> descriptors_under(int pid, const std::string& dir) {
  std::vector<std::pair<int, std::string>> held;
  const std::string fds = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& entry : std::filesystem::directory_iterator(fds)) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (!ec && target.string().rfind(dir + "/", 0) == 0) {
      held.emplace_back(std::stoi(entry.path().filename().string()), target.string());
    }
  }
  return held;
}

class OneUser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::getuid(), 0u) << "these tests play two users: run them as root (CI does)";
    ASSERT_FALSE(k_.root.empty());
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  }
  void TearDown() override {
    for (const auto& [socket, as_user] : started_) {
      std::vector<std::string> stop = {test::kas_binary(), "daemon", "stop", "--socket", socket};
      (void)test::run_process(as_user ? as_nobody(stop) : stop);
    }
  }

  // A copy of the fixture kernel that `mode` lets others read or not.
  std::string kernel_copy(const std::string& name, mode_t dir_mode) {
    const std::string dir = dir_.file(name);
    EXPECT_EQ(::mkdir(dir.c_str(), dir_mode), 0);
    EXPECT_EQ(::chmod(dir.c_str(), dir_mode), 0);
    EXPECT_EQ(test::run_process({"cp", "-r", k_.objtree, dir + "/tree"}).exit_code, 0);
    EXPECT_EQ(test::run_process({"chmod", "-R", "a+rX", dir + "/tree"}).exit_code, 0);
    return dir + "/tree";
  }

  // A socket in a directory `uid` owns; kas makes run/ under it.
  std::string socket_of(const std::string& name, uid_t uid) {
    const std::string home = dir_.file(name);
    EXPECT_EQ(::mkdir(home.c_str(), 0755), 0);
    EXPECT_EQ(::chown(home.c_str(), uid, uid), 0);
    const std::string socket = home + "/run/kasd.sock";
    started_.emplace_back(socket, uid == kNobody);
    return socket;
  }

  const test::FixtureKernel& k_ = test::fixture_kernel("intree");
  test::TempDir dir_;
  std::vector<std::pair<std::string, bool>> started_;  // socket, whether nobody's
};

// A. Through its own kasd, nobody named /proc/self/fd/N: the descriptor kasd
// keeps on a kernel file nobody may no longer read. Before, kasd read it
// (census printed); kas --no-daemon cannot.
TEST_F(OneUser, AKasdsOwnDescriptorsAreNoWayIntoFilesTheUserCannotRead) {
  const std::string tree = kernel_copy("shared", 0755);
  const std::string socket = socket_of("nobody", kNobody);
  const std::string order = dir_.file("nobody/modules.order");
  test::write_text(order, "");
  ASSERT_EQ(::chown(order.c_str(), kNobody, kNobody), 0);

  auto first = test::run_process(as_nobody({test::kas_binary(), "census", "--nm", tree + "/vmlinux.syms",
                                            "--modules-order", tree + "/modules.order", "--socket", socket}));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(first.err.find("warning"), std::string::npos) << "not through kasd: " << first.err;
  auto status = test::run_process(as_nobody({test::kas_binary(), "daemon", "status", "--socket", socket}));
  const int pid = pid_in_status(status.out);
  ASSERT_GT(pid, 0) << status.out << status.err;
  auto held = descriptors_under(pid, tree);
  ASSERT_FALSE(held.empty()) << "kasd holds no file of the tree: nothing to attack through";

  // The owner (root) takes the tree away from everyone else.
  ASSERT_EQ(::chmod(dir_.file("shared").c_str(), 0700), 0);
  auto direct = test::run_process(as_nobody({test::kas_binary(), "census", "--nm", tree + "/vmlinux.syms",
                                             "--modules-order", order, "--no-daemon"}));
  ASSERT_NE(direct.exit_code, 0) << "nobody can still read the tree: " << direct.out;
  EXPECT_NE(direct.err.find("Permission denied"), std::string::npos) << direct.err;

  for (const auto& [fd, target] : held) {
    const std::string magic = "/proc/self/fd/" + std::to_string(fd);
    auto r = test::run_process(
        as_nobody({test::kas_binary(), "census", "--nm", magic, "--modules-order", order, "--socket", socket}));
    EXPECT_NE(r.exit_code, 0) << magic << " (" << target << ") was read through kasd:\n" << r.out.substr(0, 300);
    EXPECT_TRUE(r.out.empty()) << magic << " (" << target << ")";
    EXPECT_EQ(r.err.find("warning"), std::string::npos) << "the refusal must be kasd's: " << r.err;
  }
  // kasd may have let go of the tree's files by now (it releases files it
  // can no longer reach): its log and lock it holds for sure (fds 1 and 3).
  for (const char* fd : {"1", "3"}) {
    const std::string magic = std::string("/proc/self/fd/") + fd;
    auto r = test::run_process(
        as_nobody({test::kas_binary(), "census", "--nm", magic, "--modules-order", order, "--socket", socket}));
    EXPECT_NE(r.exit_code, 0) << magic << " was read through kasd";
    EXPECT_NE(r.err.find(magic + ": cannot open: it goes through a /proc magic link"), std::string::npos) << r.err;
  }
  // The same words in process: one rule, not a daemon's special case.
  auto local = test::run_process(as_nobody({test::kas_binary(), "census", "--nm", "/proc/self/fd/0",
                                            "--modules-order", order, "--no-daemon"}),
                                 {});
  EXPECT_NE(local.exit_code, 0);
  EXPECT_NE(local.err.find("/proc/self/fd/0: cannot open: it goes through a /proc magic link"), std::string::npos)
      << local.err;
}

// B. A root kasd holds capabilities (CAP_SYSLOG: /proc/kallsyms with real
// addresses, CAP_DAC_OVERRIDE...). A root client that dropped them must get
// what its own kas --no-daemon gets, not the daemon's view.
TEST_F(OneUser, AClientWithoutTheDaemonsCapabilitiesIsRefused) {
  const std::string socket = socket_of("root", 0);
  ASSERT_EQ(test::run_process({test::kas_binary(), "daemon", "start", "--socket", socket}).exit_code, 0);
  // kas vmlinux copies its nm listing: here the running kernel's symbols.
  const std::vector<std::string> kallsyms = {test::kas_binary(), "vmlinux", "--nm", "/proc/kallsyms",
                                             "--elf", k_.vmlinux()};
  auto local_args = kallsyms;
  local_args.push_back("--no-daemon");
  auto local = test::run_process(as_root_without_capabilities(local_args));
  auto through = kallsyms;
  through.insert(through.end(), {"--socket", socket});
  auto remote = test::run_process(as_root_without_capabilities(through));
  EXPECT_NE(remote.err.find("this kasd holds capabilities you do not (cap_"), std::string::npos)
      << remote.err;
  EXPECT_NE(remote.err.find("cap_syslog"), std::string::npos) << remote.err;
  // Whatever kas then does (it was given this socket: it stops), it never
  // prints more than kas --no-daemon did.
  if (remote.exit_code == 0) EXPECT_EQ(remote.out, local.out);
  else EXPECT_TRUE(remote.out.empty()) << remote.out.substr(0, 300);

  // The same root with its capabilities is served, by the daemon.
  auto full = test::run_process(through);
  EXPECT_EQ(full.exit_code, local.exit_code) << full.err;
  EXPECT_EQ(full.err.find("warning"), std::string::npos) << full.err;
  EXPECT_EQ(full.err.find("refused"), std::string::npos) << full.err;
}

// Sends Hello and then `body` over a raw connection as `uid`, from a child
// that has become that user: what kasd answers to each, or why not.
std::string raw_requests_as(uid_t uid, const std::string& socket, wire::Request body) {
  int out[2];
  if (::pipe(out) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(out[0]);
    std::string said;
    if (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0) {
      said = "cannot become uid";
    } else {
      int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        said = std::string("connect: ") + std::strerror(errno);
      } else {
        wire::Request hello;
        hello.mutable_hello()->set_protocol_version(wire::PROTOCOL_VERSION_CURRENT);
        for (const wire::Request* request : {&hello, &body}) {
          (void)wire::write_frame(fd, *request);
          wire::Response response;
          if (!wire::read_frame(fd, response)) {
            said += "[closed]";
            break;
          }
          if (response.has_error()) said += "[error: " + response.error().message() + "]";
          else if (response.has_shutdown()) said += "[shutdown]";
          else if (response.has_reload()) said += "[reload]";
          else if (response.has_stats()) said += "[stats]";
          else said += "[answered]";
        }
      }
    }
    (void)!::write(out[1], said.data(), said.size());
    ::_exit(0);
  }
  ::close(out[1]);
  std::string said;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) said.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return said;
}

// C. Another user reaching root's kasd socket (made reachable here, as a
// careless mode or a shared directory would) can neither stop it, flush its
// caches, nor read its stats; root's daemon and cache carry on.
TEST_F(OneUser, AnotherUserCanNeitherStopNorFlushNorWatchADaemon) {
  const std::string tree = kernel_copy("private", 0700);
  const std::string socket = socket_of("root", 0);
  auto census = test::run_process({test::kas_binary(), "census", "--nm", tree + "/vmlinux.syms", "--modules-order",
                                   tree + "/modules.order", "--socket", socket});
  ASSERT_EQ(census.exit_code, 0) << census.err;
  auto before = test::run_process({test::kas_binary(), "daemon", "status", "--socket", socket});
  const int pid = pid_in_status(before.out);
  ASSERT_GT(pid, 0) << before.out << before.err;
  ASSERT_NE(before.out.find("kernels 1,"), std::string::npos) << before.out;
  ::chmod(std::filesystem::path(socket).parent_path().c_str(), 0755);
  ::chmod(socket.c_str(), 0666);

  for (const char* what : {"shutdown", "reload", "stats"}) {
    wire::Request request;
    if (std::string(what) == "shutdown") request.mutable_shutdown();
    if (std::string(what) == "reload") request.mutable_reload();
    if (std::string(what) == "stats") request.mutable_stats();
    const std::string said = raw_requests_as(kNobody, socket, request);
    EXPECT_EQ(said.rfind("[error: permission denied: this kasd serves uid 0 only (you are uid 65534)", 0), 0)
        << what << ": " << said;
    EXPECT_EQ(said.find("[" + std::string(what) + "]"), std::string::npos) << what << " was answered: " << said;
  }
  auto stop = test::run_process(as_nobody({test::kas_binary(), "daemon", "stop", "--socket", socket}));
  EXPECT_NE(stop.exit_code, 0) << stop.out << stop.err;
  auto watched = test::run_process(as_nobody({test::kas_binary(), "daemon", "status", "--socket", socket}));
  EXPECT_NE(watched.exit_code, 0) << watched.out;
  EXPECT_EQ(watched.out.find("kernels"), std::string::npos) << watched.out;

  auto after = test::run_process({test::kas_binary(), "daemon", "status", "--socket", socket});
  EXPECT_EQ(pid_in_status(after.out), pid) << after.out << after.err;
  EXPECT_NE(after.out.find("kernels 1,"), std::string::npos) << "root's cache was flushed: " << after.out;
  EXPECT_NE(test::read_text(socket + ".log").find("refused a connection from uid 65534"), std::string::npos);
}

}  // namespace
}  // namespace kas
