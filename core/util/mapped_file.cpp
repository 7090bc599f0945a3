#include "core/util/mapped_file.hpp"

#include <fcntl.h>
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
  auto opened = open_input(path);
  if (!opened) return std::unexpected(opened.error());
  Fd fd = std::move(*opened);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(ErrorCode::kIo, path + ": cannot stat: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail(ErrorCode::kIo, path + ": not a regular file");
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
