#include "core/util/file_stamp.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace kas {

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return stamp_of(st);
}

FileStamp stamp_of(const struct stat& st) {
  return {st.st_dev, st.st_ino, st.st_size, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec, {}};
}

Result<void> check_unchanged(int fd, const FileStamp& at_open, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(ErrorCode::kIo, path + ": cannot stat: " + std::strerror(errno));
  const FileStamp now = stamp_of(st);
  if (now.same_stat(at_open)) return {};
  return fail(ErrorCode::kIo, path + ": changed while being read (" + std::to_string(at_open.size) +
                                  " bytes when opened, " + std::to_string(now.size) +
                                  " now): run again once whatever writes it is done");
}

}  // namespace kas
