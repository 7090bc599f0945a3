// A file that appears at its final path complete or not at all.
//
// Output is written to a temporary file in the destination directory (same
// file system, so rename is atomic) and renamed over the target by commit().
// The destructor removes an uncommitted temporary: an error anywhere before
// commit() leaves neither a partial output nor a stray temporary behind, which
// matters because make would otherwise treat a truncated output as up to date.
#pragma once

#include <string>
#include <string_view>

#include "core/util/fd.hpp"
#include "core/util/result.hpp"

namespace kas {

class AtomicFile {
 public:
  // Creates "<path>.tmp.XXXXXX" beside `path`. Errors: kIo naming the path.
  [[nodiscard]] static Result<AtomicFile> create(const std::string& path);

  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  [[nodiscard]] Result<void> write(std::string_view data);
  // Gives the file the mode a plain open(O_CREAT, 0666) would (umask applied),
  // then renames it over the target. After success the object is inert.
  [[nodiscard]] Result<void> commit();

  // Mode for commit() instead of 0666 & ~umask (e.g. the mode of a file
  // being replaced in place).
  void set_mode(unsigned mode) { mode_ = mode; }

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const std::string& temp_path() const { return temp_path_; }

 private:
  AtomicFile(std::string path, std::string temp_path, Fd fd);

  std::string path_;
  std::string temp_path_;
  Fd fd_;
  bool committed_ = false;
  int mode_ = -1;
};

}  // namespace kas
