#include "proto/socket_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/util/path.hpp"

namespace kas {

const char* socket_from_environment() {
  const char* s = std::getenv("KAS_SOCKET");
  return s != nullptr && *s != '\0' ? s : nullptr;
}

std::string default_socket_path() {
  if (const char* s = socket_from_environment()) return s;
  if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run != nullptr && *run != '\0') {
    return std::string(run) + "/kasd/kasd.sock";
  }
  return "/tmp/kasd-" + std::to_string(::getuid()) + "/kasd.sock";
}

Result<void> ensure_private_directory(const std::string& socket_path) {
  const std::string dir = path::directory(socket_path);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return fail(ErrorCode::kIo, dir + ": cannot create socket directory: " + std::strerror(errno));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return fail(ErrorCode::kIo, dir + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return fail(ErrorCode::kIo, dir + ": not a directory");
  if (st.st_uid != ::getuid()) return fail(ErrorCode::kIo, dir + ": owned by another user");
  if ((st.st_mode & 0077) != 0 && dir.rfind("/tmp/", 0) == 0) {
    return fail(ErrorCode::kIo, dir + ": accessible by other users (expected mode 0700)");
  }
  return {};
}

}  // namespace kas
