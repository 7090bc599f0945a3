// Inputs a careless user gives: a path that is no UTF-8 (bytes to the
// kernel, and to the wire), a separator that would break the nm output, the
// same modules given twice.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/fixture_kernel.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

class OddInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    k_ = &test::fixture_kernel("intree");
    ASSERT_FALSE(k_->root.empty());
  }
  const test::FixtureKernel* k_ = nullptr;
  test::TempDir dir_;
};

TEST_F(OddInputs, APathThatIsNoUtf8GoesThroughTheDaemon) {
  const std::string odd = dir_.file("build-\xff\xfe");
  std::filesystem::create_directory(odd);
  std::filesystem::copy_file(k_->module_object("hello"), odd + "/hello.o");
  auto run = [&](const std::string& out, bool daemon) {
    std::vector<std::string> argv = {test::kas_binary(), "module", odd + "/hello.o", "-o", out, "--nm", k_->syms(),
                                     "--modules-order", k_->modules_order()};
    if (!daemon) argv.push_back("--no-daemon");
    return test::run_process(argv);
  };
  auto through = run(odd + "/daemon.o", true);
  ASSERT_EQ(through.exit_code, 0) << through.err;
  EXPECT_EQ(through.err, "");  // no "unparsable", no fallback warning: kasd did it
  auto local = run(odd + "/local.o", false);
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_EQ(test::read_text(odd + "/daemon.o"), test::read_text(odd + "/local.o"));
}

TEST_F(OddInputs, ASeparatorANameCouldHoldOrThatBreaksTheListingIsRefused) {
  for (const std::string& bad : {std::string(" "), std::string("\n"), std::string("_"), std::string("."),
                                 std::string("x"), std::string("$"), std::string(":"), std::string("\xc3\xa9"),
                                 std::string("#"), std::string("%"), std::string("'"), std::string("\""),
                                 std::string("`"), std::string("\\")}) {
    auto r = test::run_process({test::kas_binary(), "vmlinux", "--nm", k_->syms(), "--elf", k_->vmlinux(),
                                "--modules-order", k_->modules_order(), "--separator", bad});
    EXPECT_EQ(r.exit_code, 2) << "'" << bad << "': " << r.err;
    EXPECT_NE(r.err.find("--separator"), std::string::npos) << r.err;
  }
  auto ok = test::run_process({test::kas_binary(), "vmlinux", "--nm", k_->syms(), "--elf", k_->vmlinux(),
                               "--modules-order", k_->modules_order(), "--separator", "~"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("name_show~"), std::string::npos);
}

TEST_F(OddInputs, ModulesGivenTwiceAreCountedOnce) {
  const std::string modules = k_->objtree + "/modules";
  auto once = test::run_process({test::kas_binary(), "census", "--nm", k_->syms(), "--modules", modules});
  ASSERT_EQ(once.exit_code, 0) << once.err;
  for (const std::vector<std::string>& twice :
       {std::vector<std::string>{"--modules", modules, "--modules", modules},
        std::vector<std::string>{"--modules", modules, "--modules", modules + "/./"}}) {
    std::vector<std::string> argv = {test::kas_binary(), "census", "--nm", k_->syms()};
    argv.insert(argv.end(), twice.begin(), twice.end());
    auto r = test::run_process(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, once.out) << twice[2] << " " << twice[3];
  }
}

// A FIFO given as a module (or as the census listing) is refused at once,
// in process and by kasd, whose threads it once held until someone opened
// the FIFO: four of them blocked every client, kas daemon status included.
TEST_F(OddInputs, AFifoInputIsRefusedAndBlocksNobody) {
  const std::string fifo = dir_.file("fifo.o");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string socket = dir_.file("run/kasd.sock");
  for (int i = 0; i < 6; ++i) {
    auto r = test::run_process({"timeout", "20", test::kas_binary(), "module", fifo, "-o", dir_.file("out.o"),
                                "--nm", k_->syms(), "--modules-order", k_->modules_order(), "--socket", socket});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(fifo + ": not a regular file"), std::string::npos) << r.err;
  }
  auto listing = test::run_process({"timeout", "20", test::kas_binary(), "census", "--nm", fifo, "--socket", socket});
  EXPECT_EQ(listing.exit_code, 1) << listing.err;
  EXPECT_NE(listing.err.find("not a regular file"), std::string::npos) << listing.err;
  auto local = test::run_process({"timeout", "20", test::kas_binary(), "module", fifo, "-o", dir_.file("out.o"),
                                  "--nm", k_->syms(), "--modules-order", k_->modules_order(), "--no-daemon"});
  EXPECT_EQ(local.exit_code, 1) << local.err;
  auto status = test::run_process({"timeout", "20", test::kas_binary(), "daemon", "status", "--socket", socket});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  (void)test::run_process({test::kas_binary(), "daemon", "stop", "--socket", socket});
}

}  // namespace
}  // namespace kas
