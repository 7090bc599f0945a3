// Who is at the other end of a connection, and acting with that user's file
// permissions.
//
// kasd opens the files a request names: inputs, the output and its
// directory, and every file an index is built from. For its own uid that is
// what `kas --no-daemon` would do. For another uid (`--allow-uid`, a root
// kasd serving a build user) it must be no more either: the worker thread
// answering such a request takes the peer's filesystem uid, gid and groups
// (setfsuid/setfsgid and the raw setgroups syscall change the calling thread
// only), so the kernel checks every open, create and rename against the
// peer; threads started from it inherit them. Indexes built that way are
// kept per uid and never answer another uid.
#pragma once

#include <sys/types.h>

#include <vector>

#include "core/util/result.hpp"

namespace kas::daemon {

struct Peer {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary, as at connect(2)
};

// The credentials of a connected Unix socket's peer (SO_PEERCRED,
// SO_PEERGROUPS).
[[nodiscard]] Result<Peer> peer_of(int socket_fd);

// While alive, the calling thread opens files as `peer` would. Move-only;
// restores the thread's own identity when destroyed.
class PeerFileAccess {
 public:
  // Errors: this kasd may not change its filesystem identity (it is not
  // root): the message says to run kas with --no-daemon.
  [[nodiscard]] static Result<PeerFileAccess> assume(const Peer& peer);

  PeerFileAccess(PeerFileAccess&& other) noexcept;
  PeerFileAccess& operator=(PeerFileAccess&&) = delete;
  PeerFileAccess(const PeerFileAccess&) = delete;
  PeerFileAccess& operator=(const PeerFileAccess&) = delete;
  ~PeerFileAccess();

 private:
  PeerFileAccess() = default;
  bool active_ = false;
  uid_t own_uid_ = 0;
  gid_t own_gid_ = 0;
  std::vector<gid_t> own_groups_;
};

}  // namespace kas::daemon
