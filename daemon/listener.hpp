// The daemon's listening socket: passed by systemd (socket activation), or
// bound here under a lock so that of many daemons started at once (64 kas
// clients racing) exactly one serves; the others step aside.
#pragma once

#include <string>

#include "core/util/fd.hpp"
#include "core/util/result.hpp"

namespace kas::daemon {

struct Listener {
  Fd socket;           // listening, or invalid when `another_daemon`
  Fd lock;             // held for the daemon's lifetime
  std::string path;    // "" when systemd owns the socket file
  bool from_systemd = false;
  bool another_daemon = false;  // the lock is held: a live daemon serves `path`
};

// Error: kIo naming the path and the reason (e.g. a live socket not ours).
[[nodiscard]] Result<Listener> open_listener(const std::string& path);

// Removes the socket file if it is still the one this daemon bound.
void remove_socket_file(const Listener& listener);

}  // namespace kas::daemon
