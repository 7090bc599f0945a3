#include "client/link/daemon_trust.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/util/path.hpp"

namespace kas::cli {

namespace {

std::string octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

Result<void> check_socket_place(const std::string& socket_path) {
  const uid_t me = ::getuid();
  const std::string dir = path::directory(socket_path);
  const std::string refuse = "not using the kasd socket " + socket_path + ": ";
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return fail(ErrorCode::kNotFound, dir + ": no such directory");
    return fail(ErrorCode::kIo, refuse + dir + ": " + std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode)) return fail(ErrorCode::kIo, refuse + dir + " is a symbolic link");
  if (!S_ISDIR(st.st_mode)) return fail(ErrorCode::kIo, refuse + dir + " is not a directory");
  if (st.st_uid != me && st.st_uid != 0) {
    return fail(ErrorCode::kIo, refuse + dir + " belongs to uid " + std::to_string(st.st_uid) +
                                    ", not to you (uid " + std::to_string(me) + ") or root");
  }
  // Others may read it (they reach a kasd that refuses them), never write
  // it: whoever can write the directory can put their own socket there.
  if ((st.st_mode & 0022) != 0) {
    return fail(ErrorCode::kIo, refuse + dir + " has mode " + octal(st.st_mode) +
                                    ": other users could replace the socket (chmod 0700 " + dir + ")");
  }
  if (::lstat(socket_path.c_str(), &st) != 0) return {};  // none yet: connect() says so
  if (S_ISLNK(st.st_mode)) return fail(ErrorCode::kIo, refuse + "it is a symbolic link");
  if (st.st_uid != me && st.st_uid != 0) {
    return fail(ErrorCode::kIo, refuse + "it belongs to uid " + std::to_string(st.st_uid));
  }
  return {};
}

Result<void> check_peer(int fd, const std::string& socket_path) {
  ucred cred{};
  socklen_t size = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0) {
    return fail(ErrorCode::kIo, socket_path + ": SO_PEERCRED: " + std::strerror(errno));
  }
  // A kasd serves only its own user (daemon/peer.hpp): another's, root's
  // included, would refuse us, and must not learn what we ask.
  if (cred.uid != ::getuid()) {
    return fail(ErrorCode::kIo, "not using the kasd socket " + socket_path + ": the process listening on it (pid " +
                                    std::to_string(cred.pid) + ") runs as uid " + std::to_string(cred.uid) +
                                    ", not as you (uid " + std::to_string(::getuid()) + ")");
  }
  return {};
}

}  // namespace kas::cli
