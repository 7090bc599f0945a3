// Where the per-user daemon listens: the rendezvous of kas and kasd, so part
// of the protocol rather than of the core library (which knows no daemon).
#pragma once

#include <string>

#include "core/util/result.hpp"

// Namespace kas, not kas::wire like the rest of proto/: the client calls
// these unqualified from kas::cli; they move once the client's commands
// table lands.
namespace kas {

// $KAS_SOCKET, else $XDG_RUNTIME_DIR/kasd/kasd.sock, else /tmp/kasd-UID/kasd.sock.
[[nodiscard]] std::string default_socket_path();

// $KAS_SOCKET when set and not empty: a socket the user chose, else nullptr.
[[nodiscard]] const char* socket_from_environment();

// Creates the socket's directory (mode 0700) when missing and checks that it
// belongs to us and is not group/world accessible: another user must not be
// able to plant a socket there. Error kIo naming the directory.
[[nodiscard]] Result<void> ensure_private_directory(const std::string& socket_path);

}  // namespace kas
