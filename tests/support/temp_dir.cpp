#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace kas::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/kas-test.XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_text(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

std::string read_text(const std::string& path) {
  // Into a string of the file's size, read once: a stringstream grew by
  // doubling and was copied out, three times the pages of a large output
  // to fault in (OutputKill reads 32 MiB a round).
  std::ifstream in(path, std::ios::binary);
  std::string out;
  std::error_code ec;
  if (const auto size = std::filesystem::file_size(path, ec); !ec) out.reserve(size);
  std::vector<char> chunk(size_t{1} << 16);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())), in.gcount() > 0) {
    out.append(chunk.data(), static_cast<size_t>(in.gcount()));
  }
  return out;
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

size_t count_entries(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace kas::test
