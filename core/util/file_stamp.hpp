// Identity of a file's contents as far as a rebuild goes: what the daemon
// compares before trusting what it read from a file earlier.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/util/result.hpp"

namespace kas {

struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  std::string build_id;  // ELF files: a copy that kept size and mtime still differs
  bool operator==(const FileStamp&) const = default;
  // Same file by stat(2) alone (the build-id is read only from the file).
  [[nodiscard]] bool same_stat(const FileStamp& o) const {
    return dev == o.dev && ino == o.ino && size == o.size && mtime_ns == o.mtime_ns;
  }
};

// Stamp of `path` without a build-id; a default stamp when it cannot be
// stat'ed.
[[nodiscard]] FileStamp stamp_of(const std::string& path);
// The same from a stat(2) result (of an open file: fstat).
[[nodiscard]] FileStamp stamp_of(const struct stat& st);

// Fails, naming `path`, when the file open as `fd` is no longer what it was
// when `at_open` was taken: rewritten or truncated in place while it was
// read, so what was read may mix two versions (or zeros: see bus_fault).
[[nodiscard]] Result<void> check_unchanged(int fd, const FileStamp& at_open, const std::string& path);

}  // namespace kas
