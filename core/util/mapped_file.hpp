// A read-only memory mapping of a whole file: text inputs (census files, nm
// listings) are parsed in place instead of being copied into a string, which
// for a 13 MB census file is most of a module request's time.
#pragma once

#include <string>
#include <string_view>

#include "core/util/fd.hpp"
#include "core/util/file_stamp.hpp"
#include "core/util/result.hpp"

namespace kas {

class MappedFile {
 public:
  // Opens a regular file (see open_regular_input). Errors: kNotFound,
  // kExhausted, kIo (naming the path).
  [[nodiscard]] static Result<MappedFile> open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  // Fails when the file was rewritten or truncated since it was opened:
  // check after parsing data(), before using what was parsed.
  [[nodiscard]] Result<void> unchanged() const {
    return fd_.valid() ? check_unchanged(fd_.get(), opened_, path_) : Result<void>{};
  }

  [[nodiscard]] std::string_view data() const {
    return addr_ != nullptr ? std::string_view(static_cast<const char*>(addr_), size_) : std::string_view(owned_);
  }

 private:
  MappedFile(void* addr, size_t size, Fd fd, FileStamp opened, std::string path)
      : addr_(addr), size_(size), fd_(std::move(fd)), opened_(std::move(opened)), path_(std::move(path)) {}
  explicit MappedFile(std::string owned) : owned_(std::move(owned)) {}
  void* addr_ = nullptr;
  size_t size_ = 0;
  Fd fd_;  // a mapping's file, kept for unchanged()
  FileStamp opened_;
  std::string path_;
  std::string owned_;  // files that report no size (/proc/kallsyms) are read instead
};

}  // namespace kas
