// Who is at the other end of a connection, and whether this kasd may serve
// it.
//
// A kasd serves exactly one user, the one it runs as, with that user's own
// credentials: every file a request names is opened by a process that `kas
// --no-daemon` run by the same user could have been. So a peer is served
// only when it is that uid, holds every capability kasd holds (a root kasd
// must not lend CAP_SYSLOG, CAP_DAC_OVERRIDE... to a root shell that has
// dropped them), and sees the same mount namespace (its paths name the
// files kasd opens). Other users run their own kasd (systemd/user/).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/util/result.hpp"

namespace kas::daemon {

struct Peer {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
};

// The credentials of a connected Unix socket's peer (SO_PEERCRED).
[[nodiscard]] Result<Peer> peer_of(int socket_fd);

// What this process is, read once at start: compared with each peer.
struct Self {
  uid_t uid = 0;
  uint64_t capabilities = 0;  // effective set
  std::string mount_namespace;  // readlink of /proc/self/ns/mnt
};

[[nodiscard]] Result<Self> self_identity();

// Ok when `peer` may be served by `self`; else the reason, for the peer.
[[nodiscard]] Result<void> check_peer(const Self& self, const Peer& peer);

// Drops every capability this process holds when it is not root (a kasd
// started by a kas run with ambient or file capabilities would otherwise
// keep them for later, unprivileged callers), and sets no_new_privs.
[[nodiscard]] Result<void> drop_privileges();

}  // namespace kas::daemon
