// A read-only memory mapping of a whole file: text inputs (census files, nm
// listings) are parsed in place instead of being copied into a string, which
// for a 13 MB census file is most of a module request's time.
#pragma once

#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace kas {

class MappedFile {
 public:
  // Errors: kNotFound, kIo (naming the path).
  [[nodiscard]] static Result<MappedFile> open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  [[nodiscard]] std::string_view data() const {
    return addr_ != nullptr ? std::string_view(static_cast<const char*>(addr_), size_) : std::string_view(owned_);
  }

 private:
  MappedFile(void* addr, size_t size) : addr_(addr), size_(size) {}
  explicit MappedFile(std::string owned) : owned_(std::move(owned)) {}
  void* addr_ = nullptr;
  size_t size_ = 0;
  std::string owned_;  // files that report no size (/proc/kallsyms) are read instead
};

}  // namespace kas
