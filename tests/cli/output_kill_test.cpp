// Killing kas (SIGKILL, SIGINT, SIGTERM) or kasd (SIGKILL) while it writes a
// large module output leaves nothing behind, and the previous output stays
// whole: the output has no name until it is complete.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <regex>
#include <thread>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

class OutputKill : public ::testing::Test {
 protected:
  void SetUp() override {
    k_ = &test::fixture_kernel("intree");
    ASSERT_FALSE(k_->root.empty());
    // hello.o with 32 MiB more to copy: a write long enough to be cut (the
    // kills are drawn over the whole run, however long it takes).
    big_ = dir_.file("big.o");
    auto zeros = test::run_process({"truncate", "-s", "32M", dir_.file("payload")});
    ASSERT_EQ(zeros.exit_code, 0) << zeros.err;
    auto oc = test::run_process({"objcopy", "--add-section", ".kas_payload=" + dir_.file("payload"),
                                 k_->module_object("hello"), big_});
    ASSERT_EQ(oc.exit_code, 0) << oc.err;
    std::filesystem::remove(dir_.file("payload"));
    out_dir_ = dir_.file("out");
    std::filesystem::create_directory(out_dir_);
    const auto start = std::chrono::steady_clock::now();
    auto good = test::run_process(argv({"--no-daemon"}));
    ASSERT_EQ(good.exit_code, 0) << good.err;
    run_time_ = std::chrono::steady_clock::now() - start;
    good_ = test::read_text(out());
    ASSERT_GT(good_.size(), 32u << 20);
  }
  std::string out() const { return out_dir_ + "/hello.o"; }
  std::vector<std::string> argv(std::vector<std::string> extra) const {
    std::vector<std::string> a = {test::kas_binary(), "module", big_, "-o", out(), "--nm", k_->syms(),
                                  "--modules-order", k_->modules_order()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // After a kill: the output directory holds the output alone, unchanged.
  void expect_clean(const std::string& what) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(out_dir_)) names.push_back(e.path().filename());
    ASSERT_EQ(names, std::vector<std::string>{"hello.o"}) << what;
    EXPECT_TRUE(test::read_text(out()) == good_) << what << ": the previous output changed";
  }
  std::chrono::microseconds random_delay() {
    const auto span = std::chrono::duration_cast<std::chrono::microseconds>(run_time_).count();
    return std::chrono::microseconds(std::uniform_int_distribution<long>(0, std::max<long>(span, 1000))(rng_));
  }
  const test::FixtureKernel* k_ = nullptr;
  test::TempDir dir_;
  std::string big_;
  std::string out_dir_;
  std::string good_;
  std::chrono::steady_clock::duration run_time_{};
  std::mt19937 rng_{16};
};

TEST_F(OutputKill, KillingKasLeavesNothingBehind) {
  for (int sig : {SIGKILL, SIGINT, SIGTERM}) {
    for (int round = 0; round < 4; ++round) {
      const int pid = test::spawn_process(argv({"--no-daemon"}), dir_.file("kas.out"), dir_.file("kas.err"));
      std::this_thread::sleep_for(random_delay());
      ::kill(pid, sig);
      (void)test::wait_process(pid);
      expect_clean("signal " + std::to_string(sig) + ", round " + std::to_string(round));
    }
  }
}

TEST_F(OutputKill, KillingKasdLeavesNothingBehind) {
  const std::string socket = dir_.file("run/kasd.sock");
  for (int round = 0; round < 4; ++round) {
    // A kill that lands after kas has finished (the delay is drawn over an
    // in-process run, which takes longer than kasd's cached answer) leaves
    // no daemon: the next round starts one (a no-op when one runs).
    ASSERT_EQ(test::run_process({test::kas_binary(), "daemon", "start", "--socket", socket}).exit_code, 0);
    auto status = test::run_process({test::kas_binary(), "daemon", "status", "--socket", socket});
    std::smatch m;
    static const std::regex pid_re(R"(pid (\d+))");
    ASSERT_TRUE(std::regex_search(status.out, m, pid_re)) << "round " << round << ": " << status.out << status.err;
    const int kasd = std::stoi(m[1]);
    // The client resends a request cut off by the daemon's death to a new
    // daemon, and writes the output whole from its answer (kasd writes none).
    const int pid = test::spawn_process(argv({"--socket", socket}), dir_.file("kas.out"), dir_.file("kas.err"));
    std::this_thread::sleep_for(random_delay());
    ::kill(kasd, SIGKILL);
    EXPECT_EQ(test::wait_process(pid), 0) << test::read_text(dir_.file("kas.err"));
    expect_clean("kasd killed, round " + std::to_string(round));
  }
  (void)test::run_process({test::kas_binary(), "daemon", "stop", "--socket", socket});
}

// An output path that exists and is not a regular file is refused, not
// replaced (as root, -o /dev/null once became a regular file).
TEST_F(OutputKill, AnOutputThatIsNotARegularFileIsRefused) {
  const std::string fifo = dir_.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string link = dir_.file("stdout");
  std::filesystem::create_symlink("/proc/self/fd/1", link);
  for (const std::string& target : {fifo, link}) {
    for (const char* route : {"--no-daemon", "--no-daemon-not"}) {
      std::vector<std::string> a = {test::kas_binary(), "module", k_->module_object("hello"), "-o", target,
                                    "--nm", k_->syms(), "--modules-order", k_->modules_order()};
      if (std::string(route) == "--no-daemon") a.push_back(route);
      auto r = test::run_process(a);
      EXPECT_EQ(r.exit_code, 1) << target << " " << route << ": " << r.err;
      EXPECT_NE(r.err.find(target + ": exists and is a"), std::string::npos) << r.err;
    }
  }
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));
  EXPECT_TRUE(std::filesystem::is_symlink(link));
}

}  // namespace
}  // namespace kas
