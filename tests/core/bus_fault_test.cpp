// A file truncated under its mapping: reading past the new end is a page of
// zeros instead of a SIGBUS, and the reader learns the file changed.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "core/util/bus_fault.hpp"
#include "core/util/mapped_file.hpp"
#include "tests/support/fixture_kernel.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

void truncate_in_place(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  ::close(fd);
}

TEST(BusFault, AMappedTextFileTruncatedUnderItsReaderReadsAsZeros) {
  install_bus_fault_guard();
  test::TempDir dir;
  const std::string path = dir.file("census");
  test::write_text(path, std::string(1 << 20, 'x'));
  auto mapped = MappedFile::open(path);
  ASSERT_TRUE(mapped) << mapped.error().message;
  ASSERT_TRUE(mapped->unchanged());
  truncate_in_place(path);
  const uint64_t before = bus_faults_survived();
  const std::string_view data = mapped->data();
  size_t zeros = 0;
  for (size_t i = 0; i < data.size(); i += 4096) zeros += data[i] == '\0';
  EXPECT_EQ(zeros, data.size() / 4096);
  EXPECT_EQ(bus_faults_survived() - before, data.size() / 4096);
  auto same = mapped->unchanged();
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().message.rfind(path + ": changed while being read (1048576 bytes when opened, 0 now)", 0), 0u)
      << same.error().message;
}

TEST(BusFault, AnObjectTruncatedAfterOpeningIsReportedChanged) {
  install_bus_fault_guard();
  const auto& k = test::fixture_kernel("intree");
  ASSERT_FALSE(k.root.empty());
  test::TempDir dir;
  const std::string path = dir.file("hello.o");
  test::write_text(path, test::read_text(k.module_object("hello")));
  auto file = ElfFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  truncate_in_place(path);
  // The symbol table is read from pages the file no longer has: whatever
  // comes of it, the file reports the change.
  const uint64_t before = bus_faults_survived();
  (void)read_symbols(*file);
  EXPECT_GT(bus_faults_survived(), before);
  auto same = file->unchanged();
  ASSERT_FALSE(same);
  EXPECT_NE(same.error().message.find(path + ": changed while being read"), std::string::npos);
}

// Another SIGBUS than a mapping past its file's end is not the guard's: the
// process still dies of it (by the signal, or by AddressSanitizer's report
// where ASan's handler was there first).
TEST(BusFaultDeathTest, OtherBusErrorsStillKill) {
  EXPECT_DEATH(
      {
        install_bus_fault_guard();
        ::raise(SIGBUS);
      },
      "");
}

}  // namespace
}  // namespace kas
