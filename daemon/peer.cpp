#include "daemon/peer.hpp"

#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace kas::daemon {

namespace {

// glibc's setgroups(3) changes every thread of the process (POSIX says the
// process has one set); the system call changes the calling thread only.
bool set_thread_groups(const std::vector<gid_t>& groups) {
  return ::syscall(SYS_setgroups, groups.size(), groups.data()) == 0;
}

// setfsuid/setfsgid return the previous value and report no error: read
// back with an invalid id (which changes nothing) to see what happened.
bool set_fs_ids(uid_t uid, gid_t gid) {
  ::setfsgid(gid);
  ::setfsuid(uid);
  return static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1))) == uid &&
         static_cast<gid_t>(::setfsgid(static_cast<gid_t>(-1))) == gid;
}

std::vector<gid_t> thread_groups() {
  const int n = ::getgroups(0, nullptr);
  std::vector<gid_t> groups(n > 0 ? static_cast<size_t>(n) : 0);
  if (n > 0 && ::getgroups(n, groups.data()) != n) groups.clear();
  return groups;
}

}  // namespace

Result<Peer> peer_of(int socket_fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return fail(ErrorCode::kIo, std::string("SO_PEERCRED: ") + std::strerror(errno));
  }
  Peer peer{cred.uid, cred.gid, {}};
  std::vector<gid_t> groups(64);
  for (;;) {
    socklen_t bytes = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &bytes) == 0) {
      groups.resize(bytes / sizeof(gid_t));
      break;
    }
    if (errno != ERANGE || bytes <= groups.size() * sizeof(gid_t)) {
      return fail(ErrorCode::kIo, std::string("SO_PEERGROUPS: ") + std::strerror(errno));
    }
    groups.resize(bytes / sizeof(gid_t));
  }
  peer.groups = std::move(groups);
  return peer;
}

Result<PeerFileAccess> PeerFileAccess::assume(const Peer& peer) {
  PeerFileAccess access;
  access.own_uid_ = static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1)));
  access.own_gid_ = static_cast<gid_t>(::setfsgid(static_cast<gid_t>(-1)));
  access.own_groups_ = thread_groups();
  // Groups and gid first: changing them needs CAP_SETGID, which a thread
  // keeps; the uid last (a non-root fsuid drops the file capabilities).
  if (!set_thread_groups(peer.groups) || !set_fs_ids(peer.uid, peer.gid)) {
    (void)set_fs_ids(access.own_uid_, access.own_gid_);
    (void)set_thread_groups(access.own_groups_);
    return fail(ErrorCode::kInvalidArgument,
                "kasd runs as uid " + std::to_string(::geteuid()) + " and cannot open files with uid " +
                    std::to_string(peer.uid) + "'s permissions (only a root kasd can serve other users): run "
                                               "kas with --no-daemon");
  }
  access.active_ = true;
  return access;
}

PeerFileAccess::PeerFileAccess(PeerFileAccess&& other) noexcept
    : active_(std::exchange(other.active_, false)),
      own_uid_(other.own_uid_),
      own_gid_(other.own_gid_),
      own_groups_(std::move(other.own_groups_)) {}

PeerFileAccess::~PeerFileAccess() {
  if (!active_) return;
  if (!set_fs_ids(own_uid_, own_gid_) || !set_thread_groups(own_groups_)) {
    // A worker left with a peer's identity would answer the next request
    // (perhaps another user's) with it: never go on like that.
    std::fprintf(stderr, "kasd: fatal: cannot restore a worker's file identity: %s\n", std::strerror(errno));
    std::abort();
  }
}

}  // namespace kas::daemon
