#include "core/util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/util/atomic_file.hpp"
#include "core/util/fd.hpp"
#include "core/util/open_input.hpp"

namespace kas {

namespace {

Result<void> write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, what + ": write failed: " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  auto opened = open_regular_input(path);
  if (!opened) return std::unexpected(opened.error());
  const Fd fd = std::move(opened->fd);
  const struct stat& st = opened->st;
  std::string data;
  data.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, path + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

Result<void> write_file_atomic(const std::string& path, std::string_view data) {
  return write_file_atomic(OutputTarget::open(path), data);
}

Result<void> write_file_atomic(const OutputTarget& target, std::string_view data) {
  auto file = AtomicFile::create(target, current_umask());
  if (!file) return std::unexpected(file.error());
  if (auto r = file->write(data); !r) return r;
  return file->commit();
}

Result<void> write_at(int fd, std::span<const unsigned char> data, uint64_t offset, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(ErrorCode::kIo, path + ": write failed: " + std::strerror(n < 0 ? errno : EIO));
    data = data.subspan(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return {};
}

Result<void> copy_file_contents(int in_fd, std::span<const unsigned char> image, int out_fd,
                                const std::string& path) {
  loff_t in_off = 0;
  loff_t out_off = 0;
  while (static_cast<uint64_t>(in_off) < image.size()) {
    ssize_t n = ::copy_file_range(in_fd, &in_off, out_fd, &out_off, image.size() - static_cast<uint64_t>(in_off), 0);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
      return fail(ErrorCode::kIo, path + ": copy failed: " + std::strerror(errno));
    }
    break;  // unsupported here, or a short source: write the rest from memory
  }
  const uint64_t done = static_cast<uint64_t>(in_off);
  return write_at(out_fd, image.subspan(done), done, path);
}

Result<void> write_stdout(std::string_view data) {
  return write_all(STDOUT_FILENO, data, "<stdout>");
}

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace kas
