// Aliases never reach KSYM_NAME_LEN: a "vmlinux" compiled here with two
// static functions of a 470-character name in long-named files (whose
// aliases would be longer than 511) and two of a 500-character name (no
// room for any alias). The kernel's own scripts/kallsyms (6.1, Debian's
// build of it) reads kas's output without "too long for kallsyms".
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tests/support/oracles.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

// scripts/kallsyms of 6.1 as Debian builds it (linux-kbuild-6.1, which
// linux-headers-6.1.0-56-amd64 of .ci/setup --tests brings).
constexpr const char* kKallsyms = "/usr/lib/linux-kbuild-6.1/scripts/kallsyms";

class KsymLimit : public ::testing::Test {
 protected:
  void SetUp() override {
    long_name_ = "f" + std::string(469, 'x');  // 470
    huge_name_ = "g" + std::string(499, 'y');  // 500
    const std::string deep = "drivers/a_directory_with_a_rather_long_name/and_another_one_below_it";
    for (const char* unit : {"one", "two"}) {
      const std::string dir = dir_.file(deep + "/" + unit);
      std::filesystem::create_directories(dir);
      test::write_text(dir + "/file_with_a_long_name.c",
                       "static int __attribute__((noinline)) " + long_name_ + "(int x) { return x + 1; }\n"
                       "static int __attribute__((noinline)) " + huge_name_ + "(int x) { return x + 2; }\n"
                       "int " + std::string(unit) + "_entry(int x) { return " + long_name_ + "(x) + " + huge_name_ +
                       "(x); }\n");
      sources_.push_back(dir + "/file_with_a_long_name.c");
    }
    test::write_text(dir_.file("main.c"), "int one_entry(int); int two_entry(int);\n"
                                          "int main(int c, char** v) { (void)v; return one_entry(c) + two_entry(c); }\n");
    std::vector<std::string> cc = {"gcc", "-g", "-O1", "-fno-inline", "-o", dir_.file("vmlinux"), dir_.file("main.c")};
    for (const std::string& s : sources_) cc.push_back(std::filesystem::relative(s, dir_.path()));
    auto built = test::run_process(cc, dir_.path());
    ASSERT_EQ(built.exit_code, 0) << built.err;
    auto nm = test::run_process(test::nm_command({"-n"}, dir_.file("vmlinux")));
    ASSERT_EQ(nm.exit_code, 0) << nm.err;
    test::write_text(dir_.file("vmlinux.syms"), nm.out);
  }
  std::string long_name_;
  std::string huge_name_;
  std::vector<std::string> sources_;
  test::TempDir dir_;
};

TEST_F(KsymLimit, AliasesAreCutToFitAndANameWithNoRoomGetsNoneWithAWarning) {
  for (const char* route : {"--no-daemon", ""}) {
    std::vector<std::string> argv = {test::kas_binary(), "vmlinux", "--nm", dir_.file("vmlinux.syms"), "--elf",
                                     dir_.file("vmlinux"), "--srctree", dir_.path(), "-v"};
    if (*route != '\0') argv.push_back(route);
    auto r = test::run_process(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> long_aliases;
    for (const std::string& line : test::split_lines(r.out)) {
      const std::string name = line.substr(line.rfind(' ') + 1);
      EXPECT_LT(name.size(), 512u) << name;
      if (name.rfind(long_name_ + "@", 0) == 0) long_aliases.insert(name);
      EXPECT_NE(name.rfind(huge_name_ + "@", 0), 0u) << "an alias for the 500-character name";
    }
    ASSERT_EQ(long_aliases.size(), 2u) << r.out.substr(0, 2000);
    for (const std::string& a : long_aliases) {
      EXPECT_EQ(a.size(), 511u) << a;
      // NAME@ + the start of its location + '_' + 16 hex digits.
      EXPECT_EQ(a.compare(long_name_.size(), 21, "@drivers_a_directory_"), 0) << a;
      EXPECT_EQ(a.find_last_not_of("0123456789abcdef"), a.size() - 17) << a;
    }
    EXPECT_NE(r.err.find("warning: no alias for duplicated '" + huge_name_ + "'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("2 shortened to fit KSYM_NAME_LEN"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("2 too long"), std::string::npos) << r.err;
    test::write_text(dir_.file("out.syms"), r.out);
  }

  // The kernel's own reader of this listing keeps every line.
  if (!std::filesystem::exists(kKallsyms)) GTEST_SKIP() << "no " << kKallsyms;
  auto k = test::run_process({"sh", "-c",
                              std::string("'") + kKallsyms + "' --all-symbols '" + dir_.file("out.syms") + "' > '" +
                                  dir_.file("kallsyms.S") + "'"});
  EXPECT_EQ(k.exit_code, 0) << k.err.substr(0, 2000);
  EXPECT_EQ(k.err.find("too long for kallsyms"), std::string::npos) << k.err.substr(0, 2000);
}

}  // namespace
}  // namespace kas
