// The release a vmlinux claims, from its linux_banner, against the text
// strings(1) finds in the same file: a linked "kernel" and a relocatable
// vmlinux.o-like object, both compiled here.
#include "core/elf/linux_version.hpp"

#include <gtest/gtest.h>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

TEST(LinuxVersion, BannerIsParsedAsTheKernelPrintsIt) {
  auto v = parse_linux_banner("Linux version 7.3.4+deb13-amd64 (debian-kernel@lists.debian.org) (x86_64-linux-gnu-gcc-14)");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->version, 7);
  EXPECT_EQ(v->patchlevel, 3);
  EXPECT_EQ(v->sublevel, 4);
  auto rc = parse_linux_banner("Linux version 7.1.0-rc3 (u@h) #1");
  ASSERT_TRUE(rc);
  EXPECT_TRUE(rc->at_least(7, 1));
  EXPECT_FALSE(rc->at_least(7, 2));
  auto two = parse_linux_banner("Linux version 6.12 (u@h)");
  ASSERT_TRUE(two);
  EXPECT_FALSE(two->at_least(7, 1));
  EXPECT_TRUE(two->at_least(6, 1));
  EXPECT_FALSE(parse_linux_banner("Linux version x.y"));
  EXPECT_FALSE(parse_linux_banner("%s version %s (%s@%s)"));  // 2.6's format string
  EXPECT_FALSE(parse_linux_banner(""));
}

class LinuxVersionFile : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_text(dir_.file("version.c"),
                     "const char linux_banner[] = \"Linux version 7.3.4+deb13-amd64 (kas@test) (gcc) #1 SMP\\n\";\n"
                     "const char other[] = \"Linux version 1.2.3\";\n");
    test::write_text(dir_.file("main.c"), "extern const char linux_banner[];\nint main(void) { return linux_banner[0]; }\n");
  }
  std::string strings_banner(const std::string& path) {
    auto r = test::run_process({"sh", "-c", "strings -a \"$0\" | grep '^Linux version 7'", path});
    return r.out;
  }
  test::TempDir dir_;
};

TEST_F(LinuxVersionFile, ReadFromALinkedAndARelocatableFile) {
  ASSERT_EQ(test::run_process({"gcc", "-c", "-o", dir_.file("version.o"), dir_.file("version.c")}).exit_code, 0);
  ASSERT_EQ(test::run_process({"gcc", "-o", dir_.file("vmlinux"), dir_.file("main.c"), dir_.file("version.o")})
                .exit_code,
            0);
  for (const std::string name : {"version.o", "vmlinux"}) {
    ASSERT_EQ(strings_banner(dir_.file(name)), "Linux version 7.3.4+deb13-amd64 (kas@test) (gcc) #1 SMP\n") << name;
    auto file = ElfFile::open(dir_.file(name));
    ASSERT_TRUE(file) << file.error().message;
    auto symbols = read_symbols(*file);
    ASSERT_TRUE(symbols) << symbols.error().message;
    auto v = read_linux_version(*file, *symbols);
    ASSERT_TRUE(v) << name;
    EXPECT_EQ(v->version, 7) << name;
    EXPECT_EQ(v->patchlevel, 3) << name;
    EXPECT_EQ(v->sublevel, 4) << name;
  }
}

TEST_F(LinuxVersionFile, AFileWithoutABannerHasNoVersion) {
  test::write_text(dir_.file("plain.c"), "int main(void) { return 0; }\n");
  ASSERT_EQ(test::run_process({"gcc", "-o", dir_.file("plain"), dir_.file("plain.c")}).exit_code, 0);
  auto file = ElfFile::open(dir_.file("plain"));
  ASSERT_TRUE(file);
  auto symbols = read_symbols(*file);
  ASSERT_TRUE(symbols);
  EXPECT_FALSE(read_linux_version(*file, *symbols));
}

}  // namespace
}  // namespace kas
