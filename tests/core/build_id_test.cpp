// Build-ids against readelf -n, and the file stamp the daemon keys modules
// by: a copy that keeps size, inode and mtime is still seen as changed when
// its build-id differs.
#include "core/elf/build_id.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/index/binary_record.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

std::string link_with_build_id(test::TempDir& dir, const std::string& name, const std::string& body) {
  std::string src = dir.file(name + ".c");
  std::ofstream(src) << body;
  std::string exe = dir.file(name);
  auto r = test::run_process({"gcc", "-o", exe, src, "-Wl,--build-id=sha1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return exe;
}

std::string readelf_build_id(const std::string& path) {
  auto r = test::run_process({"readelf", "-n", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto pos = r.out.find("Build ID: ");
  if (pos == std::string::npos) return {};
  std::istringstream in(r.out.substr(pos + 10));
  std::string hex;
  in >> hex;
  return hex;
}

TEST(BuildId, MatchesReadelf) {
  test::TempDir dir;
  std::string exe = link_with_build_id(dir, "a", "int main(void) { return 0; }\n");
  auto file = ElfFile::open(exe);
  ASSERT_TRUE(file);
  std::string id = build_id_of(*file);
  EXPECT_EQ(id.size(), 40u);
  EXPECT_EQ(id, readelf_build_id(exe));
}

TEST(BuildId, ObjectWithoutOneHasNone) {
  test::TempDir dir;
  std::string src = dir.file("b.c");
  std::ofstream(src) << "int f(void) { return 1; }\n";
  auto r = test::run_process({"gcc", "-c", "-o", dir.file("b.o"), src});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto file = ElfFile::open(dir.file("b.o"));
  ASSERT_TRUE(file);
  EXPECT_EQ(build_id_of(*file), "");
  EXPECT_EQ(readelf_build_id(dir.file("b.o")), "");
}

TEST(FileStamp, SameSizeInodeAndMtimeButNewBuildIdIsAChange) {
  test::TempDir dir;
  std::string a = link_with_build_id(dir, "a", "int main(void) { return 1; }\n");
  std::string b = link_with_build_id(dir, "b", "int main(void) { return 2; }\n");
  auto slurp = [](const std::string& path) {
    std::ostringstream out;
    out << std::ifstream(path, std::ios::binary).rdbuf();
    return out.str();
  };
  std::string bytes_a = slurp(a);
  std::string bytes_b = slurp(b);
  ASSERT_EQ(bytes_a.size(), bytes_b.size());  // same code size, different constant
  ASSERT_NE(readelf_build_id(a), readelf_build_id(b));

  struct stat before {};
  ASSERT_EQ(::stat(a.c_str(), &before), 0);
  auto stamp_of_record = [](const std::string& path) {
    auto record = BinaryRecord::read(path, "a");
    EXPECT_TRUE(record) << (record ? "" : record.error().message);
    return record ? (*record)->stamp() : FileStamp{};
  };
  FileStamp stamp = stamp_of_record(a);
  EXPECT_EQ(stamp, stamp_of_record(a));
  // Overwrite in place (same inode) and put the old mtime back, as a copy
  // preserving times would.
  std::ofstream(a, std::ios::binary | std::ios::trunc) << bytes_b;
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, a.c_str(), times, 0), 0);
  FileStamp after = stamp_of_record(a);
  EXPECT_EQ(after.ino, stamp.ino);
  EXPECT_EQ(after.size, stamp.size);
  EXPECT_EQ(after.mtime_ns, stamp.mtime_ns);
  EXPECT_NE(after, stamp);
}

}  // namespace
}  // namespace kas
