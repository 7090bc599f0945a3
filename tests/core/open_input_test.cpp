// Every reader of an input (ElfFile, DebugInfo, MappedFile, read_file)
// opens it through open_regular_input, so each refuses the same paths with
// the same code and message: kNotFound for nothing there (what kas --live
// falls back on), kIo for a directory or a FIFO, which is refused at once
// rather than waited on.
#include "core/util/open_input.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/dwarf/debug_info.hpp"
#include "core/elf/elf_file.hpp"
#include "core/util/file.hpp"
#include "core/util/mapped_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

// The error each reader gives for `path` ({kInternal, "opened"} when it
// opened it after all).
std::vector<std::pair<std::string, Error>> errors_of_every_reader(const std::string& path) {
  auto error_of = [](const auto& r) { return r ? Error{ErrorCode::kInternal, "opened"} : r.error(); };
  return {
      {"open_regular_input", error_of(open_regular_input(path))},
      {"ElfFile", error_of(ElfFile::open(path))},
      {"DebugInfo", error_of(DebugInfo::open(path))},
      {"MappedFile", error_of(MappedFile::open(path))},
      {"read_file", error_of(read_file(path))},
  };
}

void expect_every_reader_refuses(const std::string& path, ErrorCode code, const std::string& message) {
  for (const auto& [reader, error] : errors_of_every_reader(path)) {
    EXPECT_EQ(error.code, code) << reader << ": " << error.message;
    EXPECT_EQ(error.message, message) << reader;
  }
}

TEST(OpenRegularInput, AMissingFileIsNotFoundForEveryReader) {
  test::TempDir dir;
  const std::string path = dir.file("missing.o");
  expect_every_reader_refuses(path, ErrorCode::kNotFound, path + ": cannot open: " + std::strerror(ENOENT));
}

TEST(OpenRegularInput, ADirectoryIsRefusedAlikeByEveryReader) {
  test::TempDir dir;
  const std::string path = dir.file("build");
  std::filesystem::create_directory(path);
  expect_every_reader_refuses(path, ErrorCode::kIo, path + ": not a regular file");
}

TEST(OpenRegularInput, AFifoOrASocketIsRefusedAtOnceByEveryReader) {
  test::TempDir dir;
  const std::string fifo = dir.file("fifo.o");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_every_reader_refuses(fifo, ErrorCode::kIo, fifo + ": not a regular file");

  const std::string socket_path = dir.file("s.o");
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(socket_path.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  ASSERT_EQ(::bind(s, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  // A socket cannot be opened at all: open(2)'s ENXIO, a kIo too.
  for (const auto& [reader, error] : errors_of_every_reader(socket_path)) {
    EXPECT_EQ(error.code, ErrorCode::kIo) << reader << ": " << error.message;
    EXPECT_EQ(error.message.rfind(socket_path + ": ", 0), 0u) << reader << ": " << error.message;
  }
  ::close(s);
}

TEST(OpenRegularInput, ARegularFileComesWithItsStat) {
  test::TempDir dir;
  const std::string path = dir.file("listing");
  test::write_text(path, "ffffffff81000000 T _text\n");
  auto opened = open_regular_input(path);
  ASSERT_TRUE(opened) << opened.error().message;
  struct stat by_path {};
  ASSERT_EQ(::stat(path.c_str(), &by_path), 0);
  EXPECT_EQ(opened->st.st_ino, by_path.st_ino);
  EXPECT_EQ(opened->st.st_size, by_path.st_size);
  EXPECT_TRUE(opened->fd.valid());
}

}  // namespace
}  // namespace kas
