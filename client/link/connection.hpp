// kas's side of the daemon: connect, handshake, start kasd on demand, replace
// a daemon of another build, retry a daemon that died mid-request.
#pragma once

#include <string>

#include "core/util/fd.hpp"
#include "core/util/result.hpp"
#include "proto/daemon_messages.hpp"
#include "proto/request_envelope.hpp"
#include "proto/response_envelope.hpp"

namespace kas::cli {

struct DaemonOptions {
  std::string socket_path;  // "" = default_socket_path()
  bool autostart = true;    // start kasd when none answers
};

// The socket `options` name: theirs, or the default (KAS_SOCKET, per user).
[[nodiscard]] std::string socket_path_of(const DaemonOptions& options);

// Sends `request` to the daemon and returns its response (which may be an
// Error: a failure of the request, not of the daemon). Errors of this
// function mean "no daemon could be used" (the caller falls back in-process):
// none reachable or startable, one that kept dying mid-request, or one that
// answered kExhausted (out of descriptors or memory, too many connections).
// Requests are idempotent (outputs are written atomically), so a request cut
// off by a daemon's death is sent again, to a new daemon, twice at most.
[[nodiscard]] Result<wire::ResponseEnvelope> call_daemon(const DaemonOptions& options,
                                                         const wire::RequestEnvelope& request);

// The socket of the daemon call_daemon() sends this kas's requests to,
// found without starting or stopping anything: `options`' socket, except
// when it is the default one and systemd serves it with another
// installation's kasd; then this kas's own, kasd.own.sock beside it. A
// socket given in `options` or $KAS_SOCKET is taken as it is. (kas daemon
// start|stop|status act on it.)
[[nodiscard]] std::string socket_in_use(const DaemonOptions& options);

// Connects and handshakes without starting anything (kas daemon status/stop).
// Error kNotFound when no daemon listens.
[[nodiscard]] Result<Fd> connect_existing(const std::string& socket_path, wire::DaemonHello* hello = nullptr);

// Starts kasd for `socket_path` (detached) and waits until it answers.
[[nodiscard]] Result<void> start_daemon(const std::string& socket_path);

// This build's id (compared with the daemon's in the handshake).
[[nodiscard]] const char* build_id();

}  // namespace kas::cli
