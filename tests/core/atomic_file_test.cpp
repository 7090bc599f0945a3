#include "core/util/atomic_file.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

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
    // Unnamed while written (O_TMPFILE, which /tmp's file system has): a
    // kill now would leave nothing to clean up.
    EXPECT_EQ(test::count_entries(dir.path()), 1u);
  }
  EXPECT_EQ(test::read_text(target), "old");
  EXPECT_EQ(test::count_entries(dir.path()), 1u);
}

TEST(AtomicFile, ANewTargetAndAReplacedOneBothAppearWhole) {
  test::TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir.file("fresh"), "first"));
  ASSERT_TRUE(write_file_atomic(dir.file("fresh"), "second"));
  EXPECT_EQ(test::read_text(dir.file("fresh")), "second");
  EXPECT_EQ(test::count_entries(dir.path()), 1u);
}

TEST(AtomicFile, ATargetThatIsNotARegularFileIsRefusedAndLeftAlone) {
  test::TempDir dir;
  ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
  std::filesystem::create_directory(dir.file("dir"));
  test::write_text(dir.file("real"), "kept");
  std::filesystem::create_symlink(dir.file("real"), dir.file("link"));
  for (const char* name : {"fifo", "dir", "link"}) {
    auto r = write_file_atomic(dir.file(name), "x");
    ASSERT_FALSE(r) << name;
    EXPECT_NE(r.error().message.find(dir.file(name) + ": exists and is a"), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(std::filesystem::is_fifo(dir.file("fifo")));
  EXPECT_TRUE(std::filesystem::is_symlink(dir.file("link")));
  EXPECT_EQ(test::read_text(dir.file("real")), "kept");
  EXPECT_EQ(test::count_entries(dir.path()), 4u);
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
