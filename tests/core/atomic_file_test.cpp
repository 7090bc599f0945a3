#include "core/util/atomic_file.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
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

// The victim's directory and an attacker's: the attacker swaps its
// directory for a symbolic link to the victim's while the victim's output
// is being written (issue 27 L). On the previous main commit() linked the
// output by its path, through the link, over the victim's file.
class SwappedDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(att_);
    std::filesystem::create_directory(home_);
    test::write_text(home_ + "/out", "the victim's\n");
  }
  void swap() {
    std::filesystem::rename(att_, att_ + ".old");
    std::filesystem::create_directory_symlink(home_, att_);
  }
  void expect_written_where_opened() {
    EXPECT_EQ(test::read_text(home_ + "/out"), "the victim's\n");
    EXPECT_EQ(test::count_entries(home_), 1u);
    EXPECT_EQ(test::read_text(att_ + ".old/out"), "new");
    EXPECT_EQ(test::count_entries(att_ + ".old"), 1u);
  }

  test::TempDir dir_;
  std::string att_ = dir_.file("att");
  std::string home_ = dir_.file("home");
};

TEST_F(SwappedDirectory, BetweenCreateAndCommit) {
  auto file = AtomicFile::create(att_ + "/out");
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_TRUE(file->write("new"));
  swap();
  auto committed = file->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  expect_written_where_opened();
}

TEST_F(SwappedDirectory, BetweenTheRequestsStartAndCreate) {
  const OutputTarget target = OutputTarget::open(att_ + "/out");
  swap();  // while the request reads its inputs
  auto file = AtomicFile::create(target, 022);
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_TRUE(file->write("new"));
  auto committed = file->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  expect_written_where_opened();
}

// A file system without O_TMPFILE: the named temporary is created, renamed
// and removed in the directory first opened too.
TEST_F(SwappedDirectory, WithANamedTemporary) {
  auto file = AtomicFile::create(OutputTarget::open(att_ + "/out"), 022, AtomicFile::Temporary::kNamed);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(test::count_entries(att_), 1u);  // named while written
  ASSERT_TRUE(file->write("new"));
  swap();
  auto committed = file->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  expect_written_where_opened();
}

TEST_F(SwappedDirectory, AnUncommittedNamedTemporaryIsRemovedWhereItIs) {
  {
    auto file = AtomicFile::create(OutputTarget::open(att_ + "/out"), 022, AtomicFile::Temporary::kNamed);
    ASSERT_TRUE(file) << file.error().message;
    swap();
  }
  EXPECT_EQ(test::count_entries(att_ + ".old"), 0u);
  EXPECT_EQ(test::count_entries(home_), 1u);
}

// SIGTERM while a named temporary is written: the handler removes it by its
// directory's descriptor, wherever that directory has gone meanwhile.
TEST_F(SwappedDirectory, ASignalRemovesANamedTemporaryWhereItIs) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    remove_temporaries_on_signals();
    auto file = AtomicFile::create(OutputTarget::open(att_ + "/out"), 022, AtomicFile::Temporary::kNamed);
    if (!file || !file->write("half") || test::count_entries(att_) != 1) ::_exit(2);
    swap();
    ::raise(SIGTERM);
    ::_exit(3);  // not reached: the handler dies of the signal
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_EQ(test::count_entries(att_ + ".old"), 0u);
  EXPECT_EQ(test::read_text(home_ + "/out"), "the victim's\n");
  EXPECT_EQ(test::count_entries(home_), 1u);
}

TEST(AtomicFile, TheModeIsTheGivenUmasksNotTheProcesss) {
  test::TempDir dir;
  for (mode_t umask : {mode_t{077}, mode_t{027}, mode_t{002}}) {
    const std::string path = dir.file("out" + std::to_string(umask));
    auto file = AtomicFile::create(OutputTarget::open(path), umask);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->commit());
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0666 & ~umask) << std::oct << umask;
  }
}

TEST(AtomicFile, APathNamingADirectoryIsRefused) {
  test::TempDir dir;
  for (const std::string& path : {dir.path() + "/", dir.path() + "/.", dir.path() + "/.."}) {
    auto r = write_file_atomic(path, "x");
    ASSERT_FALSE(r) << path;
    EXPECT_NE(r.error().message.find(path + ": names a directory"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(test::count_entries(dir.path()), 0u);
}

}  // namespace
}  // namespace kas
