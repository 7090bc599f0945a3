// A real kasd on a real socket in a temp dir, driven by the real kas (and
// once a server in this process posing as another build).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <regex>
#include <thread>

#include "core/util/fd.hpp"
#include "core/util/path.hpp"
#include "daemon/dispatch.hpp"
#include "daemon/listener.hpp"
#include "daemon/server.hpp"
#include "proto/build_id.hpp"
#include "kas.pb.h"
#include "proto/framing.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

class Daemon : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(k_.root.empty());
    socket_ = dir_.file("run/kasd.sock");
  }
  void TearDown() override { (void)test::run_process({test::kas_binary(), "daemon", "stop", "--socket", socket_}); }

  test::ProcessResult kas(std::vector<std::string> args) {
    args.insert(args.begin(), test::kas_binary());
    if (args.size() > 1 && args[1] != "daemon") args.insert(args.end(), {"--socket", socket_});
    return test::run_process(args);
  }
  std::vector<std::string> module_args(const std::string& module, const std::string& out) {
    return {"module", module, "--nm", k_.syms(), "--modules-order", k_.modules_order(), "-o", out};
  }
  int daemons_started() {
    std::string log = test::read_text(socket_ + ".log");
    return static_cast<int>(std::count(log.begin(), log.end(), '\n') == 0 ? 0 : [&] {
      int n = 0;
      for (size_t at = log.find("serving"); at != std::string::npos; at = log.find("serving", at + 1)) ++n;
      return n;
    }());
  }
  int daemon_pid() {
    auto status = kas({"daemon", "status", "--socket", socket_});
    std::smatch m;
    if (!std::regex_search(status.out, m, std::regex("kasd pid (\\d+)"))) return -1;
    return std::stoi(m[1]);
  }

  const test::FixtureKernel& k_ = test::fixture_kernel("intree");
  test::TempDir dir_;
  std::string socket_;
};

TEST_F(Daemon, ResultsAreByteIdenticalToInProcess) {
  auto daemon_v = kas({"vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(), "--modules-order", k_.modules_order()});
  auto local_v = kas({"vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(), "--modules-order", k_.modules_order(),
                      "--no-daemon"});
  ASSERT_EQ(daemon_v.exit_code, 0) << daemon_v.err;
  ASSERT_EQ(local_v.exit_code, 0) << local_v.err;
  EXPECT_EQ(daemon_v.out, local_v.out);
  EXPECT_EQ(daemon_v.err.find("warning"), std::string::npos) << daemon_v.err;  // it did use the daemon
  EXPECT_EQ(daemons_started(), 1);

  for (const char* name : {"hello", "other"}) {
    auto a = kas(module_args(k_.module_object(name), dir_.file(std::string(name) + ".daemon")));
    auto b_args = module_args(k_.module_object(name), dir_.file(std::string(name) + ".local"));
    b_args.push_back("--no-daemon");
    auto b = kas(b_args);
    ASSERT_EQ(a.exit_code, 0) << a.err;
    ASSERT_EQ(b.exit_code, 0) << b.err;
    EXPECT_EQ(test::read_text(dir_.file(std::string(name) + ".daemon")),
              test::read_text(dir_.file(std::string(name) + ".local")));
  }
  auto census_d = kas({"census", "--nm", k_.syms(), "--modules-order", k_.modules_order()});
  auto census_l = kas({"census", "--nm", k_.syms(), "--modules-order", k_.modules_order(), "--no-daemon"});
  EXPECT_EQ(census_d.out, census_l.out);
  EXPECT_FALSE(census_d.out.empty());
}

TEST_F(Daemon, SixtyFourFirstTimeClientsShareExactlyOneDaemon) {
  std::vector<int> pids;
  for (int i = 0; i < 64; ++i) {
    std::vector<std::string> argv = {test::kas_binary()};
    auto args = module_args(k_.module_object("hello"), dir_.file("out" + std::to_string(i)));
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--socket", socket_});
    pids.push_back(test::spawn_process(argv, dir_.file("stdout" + std::to_string(i)),
                                       dir_.file("stderr" + std::to_string(i))));
  }
  int failures = 0;
  for (size_t i = 0; i < pids.size(); ++i) {
    if (test::wait_process(pids[i]) != 0) {
      ++failures;
      ADD_FAILURE() << "client " << i << ": " << test::read_text(dir_.file("stderr" + std::to_string(i)));
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(daemons_started(), 1) << test::read_text(socket_ + ".log");
  std::string first = test::read_text(dir_.file("out0"));
  EXPECT_FALSE(first.empty());
  for (int i = 1; i < 64; ++i) EXPECT_EQ(test::read_text(dir_.file("out" + std::to_string(i))), first) << i;
}

TEST_F(Daemon, ClientSurvivesTheDaemonBeingKilledMidRequest) {
  // This kasd holds every request 400 ms, so the kill lands inside one; the
  // one kas starts next answers at once. Its log goes where kas puts one.
  ASSERT_EQ(::mkdir(dir_.file("run").c_str(), 0700), 0);
  int pid = test::spawn_process({KAS_TEST_KASD_BINARY, "--socket", socket_, "--test-request-delay-ms", "400"},
                                dir_.file("kasd.out"), socket_ + ".log");
  for (int i = 0; i < 500 && daemon_pid() != pid; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(daemon_pid(), pid) << test::read_text(socket_ + ".log");
  std::vector<std::string> argv = {test::kas_binary()};
  auto args = module_args(k_.module_object("hello"), dir_.file("out.o"));
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--socket", socket_});
  int client = test::spawn_process(argv, dir_.file("stdout"), dir_.file("stderr"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the request is inside the daemon now
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  EXPECT_EQ(test::wait_process(pid), 128 + SIGKILL);
  EXPECT_EQ(test::wait_process(client), 0) << test::read_text(dir_.file("stderr"));
  EXPECT_EQ(test::read_text(dir_.file("stderr")).find("warning"), std::string::npos)
      << "fell back in-process instead of restarting the daemon";
  EXPECT_EQ(daemons_started(), 2);
  EXPECT_NE(daemon_pid(), pid);
  auto local_args = module_args(k_.module_object("hello"), dir_.file("local.o"));
  local_args.push_back("--no-daemon");
  ASSERT_EQ(kas(local_args).exit_code, 0);
  EXPECT_EQ(test::read_text(dir_.file("out.o")), test::read_text(dir_.file("local.o")));
}

TEST_F(Daemon, ADaemonOfAnotherBuildIsReplaced) {
  // The stale daemon is a server in this process, posing as another build.
  auto listener = daemon::open_listener(socket_);
  ASSERT_TRUE(listener) << listener.error().message;
  ASSERT_FALSE(listener->another_daemon);
  daemon::Dispatcher stale("0.0.0+stale", 1, size_t{64} << 20);
  daemon::ServerOptions options;
  options.idle_timeout = std::chrono::seconds(0);
  auto served = std::async(std::launch::async, [&stale, &options, l = std::move(*listener)]() mutable {
    int status = daemon::serve(l, stale, options);
    daemon::remove_socket_file(l);
    l.lock.reset();  // now, not when the future goes: the new kasd waits for this lock
    return status;
  });
  for (int i = 0; i < 500 && daemon_pid() != ::getpid(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(daemon_pid(), ::getpid());
  auto v = kas({"vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(), "--modules-order", k_.modules_order()});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.err.find("warning"), std::string::npos) << v.err;
  // Nothing but a shutdown request stops that server (no idle timeout, no
  // signal sent): kas asked it to go.
  bool stopped = served.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  EXPECT_TRUE(stopped) << "kas left the stale daemon running";
  if (!stopped) ::raise(SIGTERM);  // the server's signal_set takes it, so the future can end
  EXPECT_EQ(served.get(), 0);
  int fresh = daemon_pid();
  EXPECT_GT(fresh, 0);
  EXPECT_NE(fresh, ::getpid());
  EXPECT_EQ(daemons_started(), 1);  // kas's own; the stale one logs here, not there
}

TEST_F(Daemon, NoUsableDaemonFallsBackInProcessWithAWarning) {
  // A socket path in a directory that cannot be created: no daemon can start.
  std::string impossible = "/proc/kasd-test/kasd.sock";
  auto v = test::run_process({test::kas_binary(), "vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(),
                              "--modules-order", k_.modules_order(), "--socket", impossible});
  auto local = kas({"vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(), "--modules-order", k_.modules_order(),
                    "--no-daemon"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.out, local.out);
  EXPECT_NE(v.err.find("kas: warning: no kasd"), std::string::npos) << v.err;
  EXPECT_EQ(std::count(v.err.begin(), v.err.end(), '\n'), 1) << v.err;
}

TEST_F(Daemon, RebuiltModuleIsReReadAndChangesTheAliases) {
  // A private copy of the module objects, so one can be rebuilt.
  std::filesystem::create_directories(dir_.file("tree"));
  std::filesystem::copy_file(k_.module_object("hello"), dir_.file("tree/hello.o"));
  std::filesystem::copy_file(k_.module_object("other"), dir_.file("tree/other.o"));
  test::write_text(dir_.file("tree/modules.order"), "hello.ko\nother.ko\n");
  auto run = [&](const std::string& module, const std::string& out) {
    return kas({"module", dir_.file("tree/" + module), "--nm", k_.syms(), "--modules-order",
                dir_.file("tree/modules.order"), "-o", dir_.file(out), "-v"});
  };
  auto before = run("hello.o", "before.o");
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(before.err.find("hello_extra_fn@"), std::string::npos) << before.err;  // unique so far

  // Rebuild other.o with a second definition of hello_extra_fn.
  test::write_text(dir_.file("extra.c"), "int hello_extra_fn(int x) { return x; }\n");
  ASSERT_EQ(test::run_process({"gcc", "-g", "-c", "-o", dir_.file("extra.o"), dir_.file("extra.c")}).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a visibly newer mtime
  ASSERT_EQ(test::run_process({"ld", "-r", "-o", dir_.file("tree/other.new"), dir_.file("tree/other.o"),
                               dir_.file("extra.o")})
                .exit_code,
            0);
  std::filesystem::rename(dir_.file("tree/other.new"), dir_.file("tree/other.o"));
  auto other = run("other.o", "other.out");  // kbuild processes the rebuilt module...
  ASSERT_EQ(other.exit_code, 0) << other.err;
  auto after = run("hello.o", "after.o");    // ...and the next request sees its new name
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.err.find("hello_extra_fn@modules_hello_hello_extra_c_"), std::string::npos) << after.err;
  EXPECT_EQ(daemons_started(), 1);
}

// kasd's counters from `kas daemon status`: files read, reads saved by a
// record it already had, lookup indexes built.
struct ReadCounts {
  long read = -1;
  long reused = -1;
  long indexes = -1;
};
ReadCounts read_counts(const std::string& status) {
  std::smatch m;
  ReadCounts c;
  if (std::regex_search(status, m, std::regex("files read (\\d+), reused (\\d+), lookup indexes built (\\d+)"))) {
    c = {std::stol(m[1]), std::stol(m[2]), std::stol(m[3])};
  }
  return c;
}

TEST_F(Daemon, QuestionsAboutATreeServedForKbuildReadNoModuleAgain) {
  // kbuild's requests: the kallsyms pass and every module.
  auto v = kas({"vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(), "--modules-order", k_.modules_order(), "-o",
                dir_.file("syms.alias")});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  for (const char* module : {"hello", "other", "hello_twin"}) {
    auto m = kas(module_args(k_.module_object(module), dir_.file(std::string(module) + ".o.kas")));
    ASSERT_EQ(m.exit_code, 0) << m.err;
  }
  const ReadCounts kbuild = read_counts(kas({"daemon", "status", "--socket", socket_}).out);
  ASSERT_GE(kbuild.read, 3) << "the tree's three modules";
  EXPECT_EQ(kbuild.indexes, 0);

  // Then a question about the same tree: its modules are not read again;
  // vmlinux is, as an ELF file (kbuild gave its nm listing).
  auto asked = kas({"lookup", "name_show", "--tree", k_.objtree, "--json"});
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  const ReadCounts after = read_counts(kas({"daemon", "status", "--socket", socket_}).out);
  EXPECT_EQ(after.read, kbuild.read + 1);
  EXPECT_GE(after.reused, kbuild.reused + 3);
  EXPECT_EQ(after.indexes, 1);
  auto local = test::run_process({test::kas_binary(), "lookup", "name_show", "--tree", k_.objtree, "--json",
                                  "--no-daemon"});
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_EQ(asked.out, local.out);

  // A second question uses the same index.
  ASSERT_EQ(kas({"lookup", "hello_*", "--tree", k_.objtree}).exit_code, 0);
  const ReadCounts again = read_counts(kas({"daemon", "status", "--socket", socket_}).out);
  EXPECT_EQ(again.read, after.read);
  EXPECT_EQ(again.indexes, 1);
}

int raw_connect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST_F(Daemon, BadFramesGetErrorsAndTheDaemonKeepsServing) {
  ASSERT_EQ(kas({"daemon", "start", "--socket", socket_}).exit_code, 0);
  struct Case {
    std::string bytes;
    bool expect_error_reply;
  };
  std::string oversized = "\xff\xff\xff\x7f";
  std::string garbage = std::string("\x05\x00\x00\x00", 4) + "\x01\x02\x03\xff\xfe";
  std::string truncated = std::string("\x64\x00\x00\x00", 4) + "short";
  for (const Case& c : {Case{oversized, true}, Case{garbage, true}, Case{truncated, false}}) {
    int fd = raw_connect(socket_);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, c.bytes.data(), c.bytes.size()), static_cast<ssize_t>(c.bytes.size()));
    if (!c.expect_error_reply) ::shutdown(fd, SHUT_WR);
    wire::Response response;
    auto r = wire::read_frame(fd, response);
    if (c.expect_error_reply) {
      ASSERT_TRUE(r) << r.error().message;
      EXPECT_TRUE(response.has_error());
      // ...and the daemon closed the connection
      char byte;
      EXPECT_EQ(::read(fd, &byte, 1), 0);
    }
    ::close(fd);
  }
  auto status = kas({"daemon", "status", "--socket", socket_});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  auto v = kas({"vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(), "--modules-order", k_.modules_order()});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(daemons_started(), 1);
}

// kasd's resident memory (VmRSS, KiB).
long rss_kib(int pid) {
  const std::string status = test::read_text("/proc/" + std::to_string(pid) + "/status");
  const size_t at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

TEST_F(Daemon, AnnouncedLengthsCostNoMemoryUntilTheBytesArrive) {
  ASSERT_EQ(kas({"daemon", "start", "--socket", socket_}).exit_code, 0);
  auto status = kas({"daemon", "status", "--socket", socket_});
  const size_t at = status.out.find("pid ");
  ASSERT_NE(at, std::string::npos) << status.out;
  const int pid = std::stoi(status.out.substr(at + 4));
  const long before = rss_kib(pid);
  // Eight connections each announcing a 60 MiB frame, sending 10 bytes of
  // it and stalling (once 480 MiB of RSS).
  std::vector<int> fds;
  const std::string header("\x00\x00\xc0\x03", 4);  // 0x03c00000 = 60 MiB, little-endian
  for (int i = 0; i < 8; ++i) {
    int fd = raw_connect(socket_);
    ASSERT_GE(fd, 0);
    const std::string bytes = header + std::string(10, 'x');
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long after = rss_kib(pid);
  EXPECT_LT(after - before, 32 * 1024) << "kasd grew from " << before << " to " << after << " KiB";
  for (int fd : fds) ::close(fd);
  EXPECT_EQ(kas({"daemon", "status", "--socket", socket_}).exit_code, 0);
}

// CPU time kasd has used (utime + stime, clock ticks).
long cpu_ticks(int pid) {
  const std::string stat = test::read_text("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::vector<std::string> f;
  for (std::string w; in >> w;) f.push_back(w);
  return f.size() > 12 ? std::stol(f[11]) + std::stol(f[12]) : -1;
}

TEST_F(Daemon, IdleConnectionsPastTheDescriptorLimitNeitherSpinNorHangOthers) {
  // kasd with 64 descriptors, 80 connections that never speak.
  const int pid = test::spawn_process({"prlimit", "--nofile=64:64", KAS_TEST_KASD_BINARY, "--socket", socket_},
                                      dir_.file("kasd.out"), dir_.file("kasd.err"));
  // Listening, not only bound: connections made before listen(2) would be
  // refused and the test would hold fewer than the limit (seen in CI).
  for (int i = 0; i < 500 && daemon_pid() != pid; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(daemon_pid(), pid) << test::read_text(dir_.file("kasd.err"));
  std::vector<int> fds;
  for (int i = 0; i < 80; ++i) {
    int fd = raw_connect(socket_);
    if (fd >= 0) fds.push_back(fd);
  }
  ASSERT_GE(fds.size(), 16u) << "fewer connections than kasd's limit (64 / 4)";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long before = cpu_ticks(pid);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long spent = cpu_ticks(pid) - before;
  EXPECT_LT(spent, 20) << "kasd used " << spent << " ticks in 1 s with idle connections";  // spinning: ~100
  // Another client gets an answer, not a hang: served, or told why not.
  auto status = test::run_process({"timeout", "10", test::kas_binary(), "daemon", "status", "--socket", socket_});
  EXPECT_NE(status.exit_code, 124) << "kas daemon status hung";
  EXPECT_NE((status.out + status.err).find("too many connections"), std::string::npos) << status.out << status.err;
  for (int fd : fds) ::close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto again = test::run_process({"timeout", "10", test::kas_binary(), "daemon", "status", "--socket", socket_});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  (void)test::run_process({test::kas_binary(), "daemon", "stop", "--socket", socket_});
  EXPECT_EQ(test::wait_process(pid), 0) << test::read_text(dir_.file("kasd.err"));
}

// True when the peer closes `fd` within `seconds` (read gives EOF or an
// error; whatever the daemon said before closing is skipped).
bool closed_by_peer_within(int fd, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    if (::read(fd, buf, sizeof buf) <= 0) return true;
  }
  return false;
}

TEST_F(Daemon, ConnectionsThatStallAreClosedAfterTheFrameTimeout) {
  // On the previous main each of these held a connection slot for ever.
  ASSERT_EQ(::mkdir(dir_.file("run").c_str(), 0700), 0);
  const int pid = test::spawn_process({KAS_TEST_KASD_BINARY, "--socket", socket_, "--frame-timeout", "1"},
                                      dir_.file("kasd.out"), socket_ + ".log");
  for (int i = 0; i < 500 && daemon_pid() != pid; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(daemon_pid(), pid) << test::read_text(socket_ + ".log");
  struct Stall {
    const char* what;
    std::string bytes;
  };
  const std::vector<Stall> stalls = {
      {"silent from the start", ""},
      {"half a header", std::string("\x10\x00", 2)},
      {"a header and part of its frame", std::string("\x10\x00\x00\x00", 4) + "abc"},
  };
  std::vector<int> fds;
  for (const Stall& stall : stalls) {
    const int fd = raw_connect(socket_);
    ASSERT_GE(fd, 0);
    if (!stall.bytes.empty()) {
      ASSERT_EQ(::write(fd, stall.bytes.data(), stall.bytes.size()), static_cast<ssize_t>(stall.bytes.size()));
    }
    fds.push_back(fd);
  }
  for (size_t i = 0; i < fds.size(); ++i) {
    EXPECT_TRUE(closed_by_peer_within(fds[i], 10)) << stalls[i].what << ": still open after 10 s";
    ::close(fds[i]);
  }
  EXPECT_NE(test::read_text(socket_ + ".log").find("no complete frame in 1000 ms"), std::string::npos)
      << test::read_text(socket_ + ".log");
  // Clients that talk are unaffected.
  EXPECT_EQ(kas({"daemon", "status", "--socket", socket_}).exit_code, 0);
  EXPECT_EQ(daemon_pid(), pid);
}

TEST_F(Daemon, ARequestPastItsTimeLimitIsAnsweredWithAnError) {
  // Every request is held 3 s; the limit is 1 s.
  ASSERT_EQ(::mkdir(dir_.file("run").c_str(), 0700), 0);
  const int pid = test::spawn_process({KAS_TEST_KASD_BINARY, "--socket", socket_, "--request-timeout", "1",
                                       "--test-request-delay-ms", "3000"},
                                      dir_.file("kasd.out"), socket_ + ".log");
  for (int i = 0; i < 500 && daemon_pid() != pid; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(daemon_pid(), pid) << test::read_text(socket_ + ".log");
  auto r = kas(module_args(k_.module_object("hello"), dir_.file("out.o")));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("kasd gave up on this request after 1 s"), std::string::npos) << r.err;
  EXPECT_FALSE(test::exists(dir_.file("out.o")));
  EXPECT_NE(test::read_text(socket_ + ".log").find("a request took over 1000 ms"), std::string::npos);
  // The daemon itself still answers (status is not held).
  EXPECT_EQ(kas({"daemon", "status", "--socket", socket_}).exit_code, 0);
  EXPECT_EQ(daemon_pid(), pid);
}

TEST_F(Daemon, ConnectionsFromAnotherUidAreRefused) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to run a client as another user (setpriv)";
  ASSERT_EQ(kas({"daemon", "start", "--socket", socket_}).exit_code, 0);
  // Let the other user reach the socket at all; kasd itself must refuse.
  ::chmod(dir_.path().c_str(), 0755);
  ::chmod(dir_.file("run").c_str(), 0755);
  ::chmod(socket_.c_str(), 0666);
  // kas itself sends nothing to a kasd of another uid (daemon_trust.hpp);
  // that kasd refusing a raw connection is one_user_test.cpp's.
  auto r = test::run_process({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", test::kas_binary(),
                              "daemon", "status", "--socket", socket_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("runs as uid 0, not as you (uid 65534)"), std::string::npos) << r.out << r.err;
}

TEST_F(Daemon, SystemdSocketActivation) {
  std::string sock = dir_.file("activated.sock");
  int pid = test::spawn_process({"systemd-socket-activate", "-l", sock, KAS_TEST_KASD_BINARY},
                                dir_.file("sa.out"), dir_.file("sa.err"));
  for (int i = 0; i < 200 && !test::exists(sock); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto v = test::run_process({test::kas_binary(), "vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(),
                              "--modules-order", k_.modules_order(), "--socket", sock});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.err.find("warning"), std::string::npos) << v.err;
  (void)test::run_process({test::kas_binary(), "daemon", "stop", "--socket", sock});
  EXPECT_EQ(test::wait_process(pid), 0) << test::read_text(dir_.file("sa.err"));
  EXPECT_NE(test::read_text(dir_.file("sa.err")).find("serving systemd socket"), std::string::npos)
      << test::read_text(dir_.file("sa.err"));
}

// systemd (socket units, Accept=no) keeps the listening socket itself and
// starts the unit's kasd again on the next connection once one exits.
// These tests stand in for it: a socket held by the test, served first by a
// daemon in this process posing as another build, then by a real kasd
// started the way systemd starts it (the socket as fd 3, LISTEN_FDS=1,
// LISTEN_PID).
class SocketActivated : public Daemon {
 protected:
  void SetUp() override {
    Daemon::SetUp();
    ASSERT_EQ(::mkdir(dir_.file("xdg").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir(dir_.file("xdg/kasd").c_str(), 0700), 0);
    held_ = dir_.file("xdg/kasd/kasd.sock");  // the per-user default under XDG_RUNTIME_DIR
    held_fd_ = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, held_.c_str(), held_.size() + 1);
    ASSERT_EQ(::bind(held_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
    ASSERT_EQ(::listen(held_fd_.get(), 64), 0);
  }
  void TearDown() override {
    if (activated_ > 0) {  // as systemctl stop does: kasd ends gracefully on SIGTERM
      ::kill(activated_, SIGTERM);
      EXPECT_EQ(test::wait_process(activated_), 0);
    }
    // A posing server a failed test left running stops here, not in the
    // future's destructor (which would wait for it forever).
    if (served_.valid() && served_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      (void)kas({"daemon", "stop", "--socket", held_});
      if (served_.wait_for(std::chrono::seconds(10)) != std::future_status::ready) ::raise(SIGTERM);
    }
    Daemon::TearDown();
  }

  // Serves the held socket with a Dispatcher of build `build` that says it
  // runs `executable` and was socket-activated, until asked to stop
  // (served_ is its exit status).
  void pose(const std::string& build, const std::string& executable) {
    stale_ = std::make_unique<daemon::Dispatcher>(build, 1, size_t{64} << 20);
    stale_->set_origin(executable, true);
    daemon::Listener listener;
    listener.socket = Fd(::fcntl(held_fd_.get(), F_DUPFD_CLOEXEC, 3));
    listener.from_systemd = true;
    served_ = std::async(std::launch::async, [this, l = std::move(listener)]() mutable {
      daemon::ServerOptions options;
      options.idle_timeout = std::chrono::seconds(0);
      return daemon::serve(l, *stale_, options);
    });
  }

  // Starts the real kasd on the held socket as systemd would.
  int activate() {
    std::string listen_fds = "LISTEN_FDS=1";
    char listen_pid[32] = "LISTEN_PID=";
    std::vector<char*> env = {listen_fds.data(), listen_pid, nullptr};
    std::string binary = KAS_TEST_KASD_BINARY, timeout = "--idle-timeout", seconds = "600";
    std::vector<char*> argv = {binary.data(), timeout.data(), seconds.data(), nullptr};
    int log = ::open(dir_.file("activated.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    pid_t pid = ::fork();
    if (pid == 0) {  // async-signal-safe calls only: this process has threads
      ::dup2(log, 2);
      if (held_fd_.get() == 3) {
        ::fcntl(3, F_SETFD, 0);
      } else {
        ::dup2(held_fd_.get(), 3);  // the copy has no FD_CLOEXEC
      }
      char digits[16];
      int n = 0;
      for (pid_t self = ::getpid(); self > 0; self /= 10) digits[n++] = static_cast<char>('0' + self % 10);
      char* at = listen_pid + 11;
      while (n > 0) *at++ = digits[--n];
      *at = '\0';
      ::execve(argv[0], argv.data(), env.data());
      ::_exit(127);
    }
    ::close(log);
    return activated_ = pid;
  }

  test::ProcessResult kas_with_default_socket(std::vector<std::string> args) {
    args.insert(args.begin(), {"env", "-u", "KAS_SOCKET", "XDG_RUNTIME_DIR=" + dir_.file("xdg"), test::kas_binary()});
    return test::run_process(args);
  }
  std::vector<std::string> vmlinux_args() {
    return {"vmlinux", "--nm", k_.syms(), "--elf", k_.vmlinux(), "--modules-order", k_.modules_order()};
  }

  std::string held_;
  Fd held_fd_;
  std::unique_ptr<daemon::Dispatcher> stale_;
  std::future<int> served_;
  int activated_ = -1;
};

TEST_F(SocketActivated, AnUpgradedKasdIsStoppedAndSystemdsRestartOfItServes) {
  // The package was upgraded under a running daemon: it runs our kasd's
  // path, now deleted, and is another build.
  std::string ours = path::real_path(KAS_TEST_KASD_BINARY);
  pose("0.0.0+before-upgrade", ours + " (deleted)");
  // systemd starts the unit again once the old daemon has gone.
  auto restarted = std::async(std::launch::async, [&] {
    if (served_.wait_for(std::chrono::seconds(20)) != std::future_status::ready) return -1;
    return activate();
  });
  auto args = vmlinux_args();
  args.insert(args.begin(), test::kas_binary());
  args.insert(args.end(), {"--socket", held_});
  auto v = test::run_process(args);
  int pid = restarted.get();
  ASSERT_GT(pid, 0) << "kas did not ask the old daemon to stop: " << v.err;
  EXPECT_EQ(served_.get(), 0);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.err.find("warning"), std::string::npos) << "fell back in-process: " << v.err;
  // Served by the daemon systemd started, on the socket systemd holds: kas
  // started none of its own.
  auto status = kas({"daemon", "status", "--socket", held_});
  EXPECT_NE(status.out.find("kasd pid " + std::to_string(pid) + ","), std::string::npos) << status.out;
  EXPECT_FALSE(test::exists(held_ + ".log")) << test::read_text(held_ + ".log");
  EXPECT_NE(test::read_text(dir_.file("activated.log")).find("serving systemd socket"), std::string::npos);
}

TEST_F(SocketActivated, AnotherInstallationsKasdIsLeftAloneAndKasUsesItsOwn) {
  // The packaged kasd serves the user's default socket; this kas is a build
  // tree's, of another build.
  pose("0.0.0+packaged", "/usr/lib/other-installation/kasd");
  auto v = kas_with_default_socket(vmlinux_args());
  auto local = kas_with_default_socket([&] { auto a = vmlinux_args(); a.push_back("--no-daemon"); return a; }());
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.out, local.out);
  EXPECT_EQ(v.err.find("warning"), std::string::npos) << "fell back in-process: " << v.err;
  // Not asked to stop (it would only be started again, as itself) ...
  EXPECT_NE(served_.wait_for(std::chrono::milliseconds(500)), std::future_status::ready)
      << "kas stopped another installation's daemon";
  // ... while this kas's own kasd serves a socket beside it.
  std::string own = dir_.file("xdg/kasd/kasd.own.sock");
  auto status = kas({"daemon", "status", "--socket", own});
  EXPECT_NE(status.out.find(std::string("build ") + this_build_id()), std::string::npos) << status.out << status.err;
  (void)kas({"daemon", "stop", "--socket", own});

  // Named explicitly, that socket is refused with the reason; kas runs in-process.
  auto explicit_args = vmlinux_args();
  explicit_args.insert(explicit_args.begin(), test::kas_binary());
  explicit_args.insert(explicit_args.end(), {"--socket", held_});
  auto e = test::run_process(explicit_args);
  EXPECT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(e.out, local.out);
  EXPECT_NE(e.err.find("is started by systemd from /usr/lib/other-installation/kasd"), std::string::npos) << e.err;

  (void)kas({"daemon", "stop", "--socket", held_});
  EXPECT_EQ(served_.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(served_.get(), 0);
}

}  // namespace
}  // namespace kas
