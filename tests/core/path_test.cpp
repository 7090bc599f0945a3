#include "core/util/path.hpp"

#include <gtest/gtest.h>

namespace kas::path {
namespace {

TEST(PathNormalize, CollapsesDotsAndSlashes) {
  EXPECT_EQ(normalize("arch/x86/kernel/../../x86/xen"), "arch/x86/xen");
  EXPECT_EQ(normalize("./include//linux/./foo.h"), "include/linux/foo.h");
  EXPECT_EQ(normalize("/a/b/../../.."), "/");
  EXPECT_EQ(normalize("../../x"), "../../x");
  EXPECT_EQ(normalize("a/../../x"), "../x");
  EXPECT_EQ(normalize("."), "");
  EXPECT_EQ(normalize(""), "");
}

TEST(PathDirectory, EverythingBeforeTheLastComponent) {
  EXPECT_EQ(path::directory("/tmp/kasd-0/kasd.sock"), "/tmp/kasd-0");
  EXPECT_EQ(path::directory("/kasd.sock"), "/");
  EXPECT_EQ(path::directory("out.o"), ".");
  EXPECT_EQ(path::directory("build/out.o"), "build");
}

TEST(PathJoin, AbsoluteRightSideWins) {
  EXPECT_EQ(join("/obj", "../src/kernel/x.c"), "/src/kernel/x.c");
  EXPECT_EQ(join("/obj", "/abs/y.c"), "/abs/y.c");
  EXPECT_EQ(join("", "rel/z.c"), "rel/z.c");
}

TEST(PathStripPrefix, RespectsComponentBoundaries) {
  std::string rest;
  EXPECT_TRUE(strip_prefix("/src/linux/kernel/x.c", "/src/linux", rest));
  EXPECT_EQ(rest, "kernel/x.c");
  EXPECT_FALSE(strip_prefix("/src/linux2/kernel/x.c", "/src/linux", rest));
  EXPECT_TRUE(strip_prefix("/src/linux", "/src/linux", rest));
  EXPECT_EQ(rest, "");
  EXPECT_TRUE(strip_prefix("drivers/x.c", "", rest));
  EXPECT_EQ(rest, "drivers/x.c");
  EXPECT_FALSE(strip_prefix("/drivers/x.c", "", rest));
}

TEST(PathBasename, LastComponent) {
  EXPECT_EQ(basename("fs/binfmt_elf.c"), "binfmt_elf.c");
  EXPECT_EQ(basename("x.c"), "x.c");
}

}  // namespace
}  // namespace kas::path
