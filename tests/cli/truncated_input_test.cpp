// A module truncated in place while kas reads it (a `cp` over it, a parallel
// make relinking it) fails that one run with an error naming the file. It
// used to kill kas, and the shared kasd with every request in it, by SIGBUS:
// kas reads its inputs through mappings, and a mapped page past the new end
// of a file faults.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "core/util/fd.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

// True once `pid` has `path` mapped (libelf maps an object when it opens
// it). False when `pid` is gone, or when `client` has exited without the
// mapping seen: on a loaded machine a whole request can fall between two
// looks, and the caller runs that round again.
bool wait_until_mapped(int pid, const std::string& path, int client) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    if (!maps) return false;  // gone
    std::string line;
    while (std::getline(maps, line)) {
      if (line.size() >= path.size() && line.compare(line.size() - path.size(), path.size(), path) == 0) return true;
    }
    siginfo_t exited{};
    if (::waitid(P_PID, client, &exited, WEXITED | WNOHANG | WNOWAIT) == 0 && exited.si_pid == client) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return false;
}

class TruncatedInput : public ::testing::Test {
 protected:
  void SetUp() override {
    k_ = &test::fixture_kernel("intree");
    ASSERT_FALSE(k_->root.empty());
    // hello.o (which gets aliases) with 64 MiB more: its symbol table, read
    // late, lies past what the truncation keeps.
    original_ = dir_.file("original.o");
    auto zeros = test::run_process({"truncate", "-s", "64M", dir_.file("payload")});
    ASSERT_EQ(zeros.exit_code, 0) << zeros.err;
    auto oc = test::run_process({"objcopy", "--add-section", ".kas_payload=" + dir_.file("payload"),
                                 k_->module_object("hello"), original_});
    ASSERT_EQ(oc.exit_code, 0) << oc.err;
    std::filesystem::remove(dir_.file("payload"));
    big_ = dir_.file("big.o");
    restore();
  }
  void restore() const {
    std::filesystem::copy_file(original_, big_, std::filesystem::copy_options::overwrite_existing);
  }
  // What `cp` does first: the file keeps its inode and loses its contents.
  void truncate_in_place() const {
    const int fd = ::open(big_.c_str(), O_WRONLY | O_TRUNC);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  std::vector<std::string> argv(std::vector<std::string> extra) const {
    std::vector<std::string> a = {test::kas_binary(), "module", big_, "-o", out(), "--nm", k_->syms(),
                                  "--modules-order", k_->modules_order()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::string out() const { return dir_.file("out.o"); }
  // The run's error names the file and says it changed; nothing written.
  void expect_refused(int code, const std::string& what) const {
    const std::string err = test::read_text(dir_.file("kas.err"));
    EXPECT_EQ(code, 1) << what << ": " << err;
    EXPECT_NE(err.find(big_ + ": changed while being read"), std::string::npos) << what << ": " << err;
    EXPECT_FALSE(test::exists(out())) << what;
  }

  // A run that ended before its mapping was seen succeeded on the whole
  // file: its output goes, and the round is run again.
  void missed(int code) const {
    EXPECT_EQ(code, 0) << test::read_text(dir_.file("kas.err"));
    std::filesystem::remove(out());
  }
  static constexpr int kAttempts = 20;

  const test::FixtureKernel* k_ = nullptr;
  test::TempDir dir_;
  std::string original_;
  std::string big_;
};

TEST_F(TruncatedInput, InProcessKasFailsNamingTheFile) {
  int rounds = 0;
  for (int attempt = 0; rounds < 3 && attempt < kAttempts; ++attempt) {
    const int pid = test::spawn_process(argv({"--no-daemon"}), dir_.file("kas.out"), dir_.file("kas.err"));
    if (!wait_until_mapped(pid, big_, pid)) {
      missed(test::wait_process(pid));
      continue;
    }
    truncate_in_place();
    expect_refused(test::wait_process(pid), "round " + std::to_string(rounds++));
    restore();
  }
  ASSERT_EQ(rounds, 3) << "kas's mapping of the file was seen in " << rounds << " of " << kAttempts << " runs";
  // And the intact file still works.
  auto good = test::run_process(argv({"--no-daemon"}));
  EXPECT_EQ(good.exit_code, 0) << good.err;
}

// Waits until `inotify` (watching one file) reports that file closed after
// a read: IN_CLOSE_NOWRITE. False after 60 s.
bool wait_until_closed(int inotify) {
  pollfd p{inotify, POLLIN, 0};
  alignas(inotify_event) char buf[4096];
  for (int waited = 0; waited < 60'000; waited += 100) {
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::read(inotify, buf, sizeof buf);
    for (ssize_t at = 0; at < n;) {
      const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
      if ((e->mask & IN_CLOSE_NOWRITE) != 0) return true;
      at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
    }
  }
  return false;
}

TEST_F(TruncatedInput, InProcessLookupFailsNamingTheFile) {
  // A tree whose first module is the big hello.o, then 300 more modules:
  // kas reads hello.o's symbols first (opening and closing it once) and
  // its DWARF only once the others' symbols are read, so hello.o is
  // truncated in between. The previous main then answered from the
  // symbols read before, with "?" for every location, and exited 0.
  const std::string tree = dir_.file("tree");
  std::filesystem::copy(k_->objtree, tree, std::filesystem::copy_options::recursive);
  const std::string hello = tree + "/modules/hello/hello.o";
  std::string order = "modules/hello/hello.ko\n";
  for (int i = 0; i < 300; ++i) {
    const std::string name = "filler" + std::to_string(i);
    std::filesystem::create_directories(tree + "/modules/" + name);
    std::filesystem::copy_file(k_->module_object("other"), tree + "/modules/" + name + "/" + name + ".o");
    order += "modules/" + name + "/" + name + ".ko\n";
  }
  test::write_text(tree + "/modules.order", order);
  const std::vector<std::string> lookup = {test::kas_binary(), "lookup", "hello:hello_*", "--tree", tree,
                                           "--no-daemon"};
  for (int round = 0; round < 3; ++round) {
    std::filesystem::copy_file(original_, hello, std::filesystem::copy_options::overwrite_existing);
    const Fd inotify(::inotify_init1(IN_CLOEXEC));
    ASSERT_GE(::inotify_add_watch(inotify.get(), hello.c_str(), IN_CLOSE_NOWRITE), 0);
    const int pid = test::spawn_process(lookup, dir_.file("kas.out"), dir_.file("kas.err"));
    ASSERT_TRUE(wait_until_closed(inotify.get())) << test::read_text(dir_.file("kas.err"));
    ASSERT_EQ(::truncate(hello.c_str(), 0), 0);  // in place, as `cp` does first
    const int code = test::wait_process(pid);
    const std::string err = test::read_text(dir_.file("kas.err"));
    EXPECT_EQ(code, 1) << "round " << round << ":\n" << test::read_text(dir_.file("kas.out")) << err;
    EXPECT_NE(err.find(hello + ": changed while being read"), std::string::npos) << "round " << round << ": " << err;
    EXPECT_EQ(test::read_text(dir_.file("kas.out")), "") << "round " << round;
  }
  // The intact file is answered with its locations.
  std::filesystem::copy_file(original_, hello, std::filesystem::copy_options::overwrite_existing);
  auto good = test::run_process(lookup);
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("modules/hello/hello.c:10"), std::string::npos) << good.out;
}

TEST_F(TruncatedInput, KasdFailsThatRequestAndKeepsServing) {
  const std::string socket = dir_.file("run/kasd.sock");
  ASSERT_EQ(test::run_process({test::kas_binary(), "daemon", "start", "--socket", socket}).exit_code, 0);
  auto daemon_pid = [&] {
    auto status = test::run_process({test::kas_binary(), "daemon", "status", "--socket", socket});
    std::smatch m;
    static const std::regex pid_re(R"(pid (\d+))");
    return std::regex_search(status.out, m, pid_re) ? std::stoi(m[1]) : -1;
  };
  const int kasd = daemon_pid();
  ASSERT_GT(kasd, 0);
  int rounds = 0;
  for (int attempt = 0; rounds < 3 && attempt < kAttempts; ++attempt) {
    const int pid = test::spawn_process(argv({"--socket", socket}), dir_.file("kas.out"), dir_.file("kas.err"));
    if (!wait_until_mapped(kasd, big_, pid)) {
      missed(test::wait_process(pid));
      continue;
    }
    truncate_in_place();
    expect_refused(test::wait_process(pid), "round " + std::to_string(rounds));
    EXPECT_EQ(daemon_pid(), kasd) << "kasd died (round " << rounds << ")";
    ++rounds;
    restore();
  }
  ASSERT_EQ(rounds, 3) << "kasd's mapping of the file was seen in " << rounds << " of " << kAttempts << " runs";
  // The same daemon answers the next request on the intact file.
  auto good = test::run_process(argv({"--socket", socket, "-v"}));
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(daemon_pid(), kasd);
  (void)test::run_process({test::kas_binary(), "daemon", "stop", "--socket", socket});
}

}  // namespace
}  // namespace kas
