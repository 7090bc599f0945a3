#include "core/util/mapped_file.hpp"

#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/util/fd.hpp"
#include "core/util/file.hpp"
#include "core/util/open_input.hpp"

namespace kas {

Result<MappedFile> MappedFile::open(const std::string& path) {
  auto opened = open_regular_input(path);
  if (!opened) return std::unexpected(opened.error());
  Fd fd = std::move(opened->fd);
  const struct stat st = opened->st;
  if (st.st_size == 0) {
    // procfs files report size 0 but have contents: read them.
    auto text = read_file(path);
    if (!text) return std::unexpected(text.error());
    return MappedFile(std::move(*text));
  }
  void* addr = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (addr == MAP_FAILED) return fail(ErrorCode::kIo, path + ": cannot map: " + std::strerror(errno));
  ::madvise(addr, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
  return MappedFile(addr, static_cast<size_t>(st.st_size), std::move(fd), stamp_of(st), path);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : addr_(std::exchange(other.addr_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      fd_(std::move(other.fd_)),
      opened_(std::move(other.opened_)),
      path_(std::move(other.path_)),
      owned_(std::move(other.owned_)) {}

MappedFile::~MappedFile() {
  if (addr_ != nullptr) ::munmap(addr_, size_);
}

}  // namespace kas
