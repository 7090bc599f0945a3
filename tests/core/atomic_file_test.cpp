#include "core/util/atomic_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/util/file.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

TEST(AtomicFile, CommitReplacesTheTarget) {
  test::TempDir dir;
  std::string target = dir.file("out");
  test::write_text(target, "old");
  ASSERT_TRUE(write_file_atomic(target, "new contents"));
  EXPECT_EQ(test::read_text(target), "new contents");
  EXPECT_EQ(test::count_entries(dir.path()), 1u);
}

TEST(AtomicFile, UncommittedLeavesTargetAndNoTemporary) {
  test::TempDir dir;
  std::string target = dir.file("out");
  test::write_text(target, "old");
  {
    auto file = AtomicFile::create(target);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->write("half"));
    EXPECT_EQ(test::count_entries(dir.path()), 2u);
  }
  EXPECT_EQ(test::read_text(target), "old");
  EXPECT_EQ(test::count_entries(dir.path()), 1u);
}

TEST(AtomicFile, MissingDirectoryIsAnErrorNamingThePath) {
  test::TempDir dir;
  auto r = write_file_atomic(dir.file("no/such/dir/out"), "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().message.find("no/such/dir/out"), std::string::npos);
}

}  // namespace
}  // namespace kas
