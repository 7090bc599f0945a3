#include "core/util/atomic_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace kas {

namespace {

mode_t current_umask() {
  // umask can only be read by setting it; done once, before threads write.
  static const mode_t mask = [] {
    mode_t m = ::umask(022);
    ::umask(m);
    return m;
  }();
  return mask;
}

}  // namespace

AtomicFile::AtomicFile(std::string path, std::string temp_path, Fd fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(std::move(fd)) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(std::move(other.fd_)),
      committed_(std::exchange(other.committed_, true)),
      mode_(other.mode_) {}

AtomicFile::~AtomicFile() {
  if (!committed_ && !temp_path_.empty()) {
    fd_.reset();
    ::unlink(temp_path_.c_str());
  }
}

Result<AtomicFile> AtomicFile::create(const std::string& path) {
  std::string pattern = path + ".tmp.XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = ::mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) {
    return fail(ErrorCode::kIo, path + ": cannot create output: " + std::strerror(errno));
  }
  return AtomicFile(path, std::string(buf.data()), Fd(fd));
}

Result<void> AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, path_ + ": write failed: " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<void> AtomicFile::commit() {
  mode_t mode = mode_ >= 0 ? static_cast<mode_t>(mode_) : (0666 & ~current_umask());
  if (::fchmod(fd_.get(), mode) != 0) {
    return fail(ErrorCode::kIo, path_ + ": cannot set mode: " + std::strerror(errno));
  }
  // close() reports delayed write errors (NFS, full disk): check it.
  if (::close(fd_.release()) != 0) {
    return fail(ErrorCode::kIo, path_ + ": write failed: " + std::strerror(errno));
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return fail(ErrorCode::kIo, path_ + ": cannot rename output into place: " + std::strerror(errno));
  }
  committed_ = true;
  return {};
}

}  // namespace kas
