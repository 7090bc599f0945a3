// A fresh directory per test, removed with everything in it afterwards.
#pragma once

#include <string>

namespace kas::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `data` to `path` (test setup only; aborts the test on failure).
void write_text(const std::string& path, const std::string& data);
[[nodiscard]] std::string read_text(const std::string& path);
[[nodiscard]] bool exists(const std::string& path);
// Number of entries in directory `dir`.
[[nodiscard]] size_t count_entries(const std::string& dir);

}  // namespace kas::test
