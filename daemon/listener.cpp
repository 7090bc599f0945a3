#include "daemon/listener.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>
#include <cstring>

#include "proto/socket_path.hpp"

namespace kas::daemon {

namespace {

bool fill_address(const std::string& path, sockaddr_un& addr) {
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

bool someone_listens(const std::string& path) {
  sockaddr_un addr;
  if (!fill_address(path, addr)) return false;
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd.valid() && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace

Result<Listener> open_listener(const std::string& path) {
  Listener listener;
  if (::sd_listen_fds(1) >= 1) {
    listener.socket = Fd(SD_LISTEN_FDS_START);
    listener.from_systemd = true;
    return listener;
  }
  if (auto r = ensure_private_directory(path); !r) return std::unexpected(r.error());
  std::string lock_path = path + ".lock";
  listener.lock = Fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!listener.lock.valid()) return fail(ErrorCode::kIo, lock_path + ": cannot open: " + std::strerror(errno));
  // The lock holder is a live daemon, one still starting, or one exiting
  // (asked to stop for being another build). Step aside for a listening
  // one; wait a little for the others to finish starting or leave.
  for (int attempt = 0;; ++attempt) {
    if (::flock(listener.lock.get(), LOCK_EX | LOCK_NB) == 0) break;
    if (errno != EWOULDBLOCK) return fail(ErrorCode::kIo, lock_path + ": cannot lock: " + std::strerror(errno));
    if (someone_listens(path) || attempt >= 300) {
      listener.another_daemon = true;
      return listener;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // We hold the lock, so no kasd of ours serves this path. A socket file
  // left behind by a dead daemon is replaced; a live listener (not a kasd
  // using this lock) is never unlinked.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return fail(ErrorCode::kIo, path + ": exists and is not a socket");
    if (someone_listens(path)) return fail(ErrorCode::kIo, path + ": another process listens on this socket");
    ::unlink(path.c_str());
  }
  sockaddr_un addr;
  if (!fill_address(path, addr)) return fail(ErrorCode::kInvalidArgument, path + ": socket path too long");
  listener.socket = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener.socket.valid()) return fail(ErrorCode::kIo, std::string("socket: ") + std::strerror(errno));
  mode_t old = ::umask(077);
  int rc = ::bind(listener.socket.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int bind_errno = errno;
  ::umask(old);
  if (rc != 0) return fail(ErrorCode::kIo, path + ": cannot bind: " + std::strerror(bind_errno));
  ::chmod(path.c_str(), 0600);
  if (::listen(listener.socket.get(), 256) != 0) {
    return fail(ErrorCode::kIo, path + ": cannot listen: " + std::strerror(errno));
  }
  listener.path = path;
  return listener;
}

void remove_socket_file(const Listener& listener) {
  // While we hold the lock no other kasd can have replaced the file.
  struct stat st {};
  if (!listener.path.empty() && listener.lock.valid() && ::lstat(listener.path.c_str(), &st) == 0 &&
      S_ISSOCK(st.st_mode)) {
    ::unlink(listener.path.c_str());
  }
}

}  // namespace kas::daemon
