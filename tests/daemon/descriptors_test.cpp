// kasd's descriptors: the kernels it caches hold files open (their DWARF,
// a kbuild listing), so the cache is trimmed by descriptors as well as by
// memory, lets go of files deleted or replaced on disk, and a request kasd
// has no descriptors for runs in kas instead. On the previous main ~600
// lookups over distinct trees took 1,021 of 1,024 descriptors, after which
// every answer lacked its locations or failed with EMFILE, and 610 of the
// descriptors were of deleted files.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

namespace fs = std::filesystem;

// Descriptors `pid` has open, and how many of them readlink(2) shows as
// " (deleted)".
struct OpenFiles {
  size_t total = 0;
  size_t deleted = 0;
  std::vector<std::string> deleted_targets;
};
OpenFiles open_files(int pid) {
  OpenFiles out;
  for (const fs::directory_entry& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++out.total;
    std::error_code ec;
    const std::string target = fs::read_symlink(e.path(), ec).string();
    if (target.ends_with(" (deleted)")) {
      ++out.deleted;
      out.deleted_targets.push_back(target);
    }
  }
  return out;
}

// Mappings of `pid` of deleted files under `dir`.
size_t deleted_mappings(int pid, const std::string& dir) {
  size_t n = 0;
  for (const std::string& line : test::split_lines(test::read_text("/proc/" + std::to_string(pid) + "/maps"))) {
    if (line.find(dir) != std::string::npos && line.ends_with(" (deleted)")) ++n;
  }
  return n;
}

class Descriptors : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(k_.root.empty());
    ASSERT_EQ(::mkdir(dir_.file("run").c_str(), 0700), 0);
    socket_ = dir_.file("run/kasd.sock");
  }
  void TearDown() override { (void)test::run_process({test::kas_binary(), "daemon", "stop", "--socket", socket_}); }

  // A copy of the fixture kernel's tree: a kernel kasd has not seen.
  std::string tree(int i) {
    const std::string path = dir_.file("trees/" + std::to_string(i));
    if (!fs::exists(path)) {
      fs::create_directories(dir_.file("trees"));
      fs::copy(k_.objtree, path, fs::copy_options::recursive);
    }
    return path;
  }
  test::ProcessResult lookup(const std::string& pattern, const std::string& tree, bool in_process = false) {
    std::vector<std::string> argv = {test::kas_binary(), "lookup", pattern, "--tree", tree};
    if (in_process) {
      argv.push_back("--no-daemon");
    } else {
      argv.insert(argv.end(), {"--socket", socket_});
    }
    return test::run_process(argv);
  }
  int daemon_pid() {
    auto status = test::run_process({test::kas_binary(), "daemon", "status", "--socket", socket_});
    std::smatch m;
    if (!std::regex_search(status.out, m, std::regex("kasd pid (\\d+)"))) return -1;
    return std::stoi(m[1]);
  }
  // Starts kasd under `argv_prefix` (prlimit) and waits until it answers.
  int start_kasd(std::vector<std::string> argv_prefix) {
    argv_prefix.insert(argv_prefix.end(), {KAS_TEST_KASD_BINARY, "--socket", socket_});
    const int pid = test::spawn_process(argv_prefix, dir_.file("kasd.out"), socket_ + ".log");
    for (int i = 0; i < 500 && daemon_pid() != pid; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return pid;
  }

  const test::FixtureKernel& k_ = test::fixture_kernel("intree");
  test::TempDir dir_;
  std::string socket_;
};

TEST_F(Descriptors, ManyKernelsFitInADaemonWithFewDescriptors) {
  // 128 descriptors: a quarter for connections, half for cached files. A
  // lookup of hello_* holds vmlinux's and three modules' DWARF (7
  // descriptors a tree): the previous main ran out at the 17th tree and
  // answered with "?" locations ("cannot open: Too many open files"), then
  // with errors.
  constexpr int kLimit = 128;
  const int pid = start_kasd({"prlimit", "--nofile=" + std::to_string(kLimit) + ":" + std::to_string(kLimit)});
  ASSERT_EQ(daemon_pid(), pid) << test::read_text(socket_ + ".log");
  for (int i = 0; i < 20; ++i) {
    const std::string t = tree(i);
    auto served = lookup("hello_*", t);
    ASSERT_EQ(served.exit_code, 0) << "tree " << i << ": " << served.err;
    EXPECT_EQ(served.err, "") << "tree " << i << ": not served by kasd";
    auto local = lookup("hello_*", t, /*in_process=*/true);
    ASSERT_EQ(local.exit_code, 0) << local.err;
    EXPECT_EQ(served.out, local.out) << "tree " << i;
    EXPECT_EQ(served.out.find('?'), std::string::npos) << "tree " << i << ": a location is missing:\n" << served.out;
    const size_t open = open_files(pid).total;
    EXPECT_LE(open, size_t{kLimit} * 3 / 4) << "tree " << i << ": no room left for connections";
  }
  EXPECT_EQ(daemon_pid(), pid);
}

TEST_F(Descriptors, FilesDeletedOrReplacedAreLetGoAtTheNextRequest) {
  const int pid = start_kasd({});
  ASSERT_EQ(daemon_pid(), pid) << test::read_text(socket_ + ".log");
  for (int i = 0; i < 6; ++i) {
    auto r = lookup("hello_*", tree(i));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Trees 0-3 removed; tree 4's vmlinux and hello.o replaced by a rename
  // (as a rebuild installs files), which leaves the old ones deleted too.
  for (int i = 0; i < 4; ++i) fs::remove_all(tree(i));
  for (const std::string& file : {std::string("vmlinux"), std::string("modules/hello/hello.o")}) {
    const std::string path = tree(4) + "/" + file;
    fs::copy_file(path, path + ".new");
    fs::rename(path + ".new", path);
  }
  const OpenFiles before = open_files(pid);
  ASSERT_GT(before.deleted, 0u) << "kasd held none of those files: the test shows nothing";

  auto next = lookup("name_show", tree(5));  // any request
  ASSERT_EQ(next.exit_code, 0) << next.err;
  const OpenFiles after = open_files(pid);
  std::string targets;
  for (const std::string& t : after.deleted_targets) targets += "\n  " + t;
  EXPECT_EQ(after.deleted, 0u) << "of " << before.deleted << " deleted files held, still held:" << targets;
  EXPECT_EQ(deleted_mappings(pid, dir_.file("trees")), 0u) << test::read_text("/proc/" + std::to_string(pid) + "/maps");

  // The replaced tree is answered from its new files, as in-process.
  auto replaced = lookup("hello_*", tree(4));
  auto local = lookup("hello_*", tree(4), /*in_process=*/true);
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_EQ(replaced.out, local.out);
  EXPECT_EQ(replaced.err, "");
}

TEST_F(Descriptors, ARequestKasdHasNoDescriptorsForRunsInProcess) {
  const int pid = start_kasd({});
  ASSERT_EQ(daemon_pid(), pid) << test::read_text(socket_ + ".log");
  // Its soft and hard limits lowered to what it has open, plus the one a
  // connection takes and three more: too few to index a kernel. (The
  // previous main started on it anyway, hit EMFILE and, built with UBSan,
  // died of it: UBSan's vptr check needs a pipe. kas then started another
  // kasd.)
  const size_t open = open_files(pid).total;
  const std::string limit = std::to_string(open + 4);
  auto lowered = test::run_process({"prlimit", "--pid", std::to_string(pid), "--nofile=" + limit + ":" + limit});
  ASSERT_EQ(lowered.exit_code, 0) << lowered.err;

  auto r = lookup("name_show", k_.objtree);
  auto local = lookup("name_show", k_.objtree, /*in_process=*/true);
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, local.out);
  // The usual one-line warning, with kasd's reason.
  EXPECT_NE(r.err.find("kas: warning: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("running in-process"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("descriptors"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  // The daemon is still there, and not replaced by another.
  EXPECT_EQ(daemon_pid(), pid);
}

}  // namespace
}  // namespace kas
