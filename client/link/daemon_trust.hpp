// Whether a socket may be trusted to be kasd's before kas sends it anything:
// a request names the build's files and its answer is written into the
// build, so a listener of another user must never get either.
#pragma once

#include <string>

#include "core/util/result.hpp"

namespace kas::cli {

// The socket's place: its directory is no symbolic link, belongs to this
// user or root and is writable by nobody else, and the socket, when there,
// is no symbolic link and belongs to this user or root. /tmp/kasd-UID made
// first by another user, or made 0777, fails here.
[[nodiscard]] Result<void> check_socket_place(const std::string& socket_path);

// The process listening on connected `fd` runs as this user (SO_PEERCRED),
// whatever the file system says: a kasd serves its own user only.
[[nodiscard]] Result<void> check_peer(int fd, const std::string& socket_path);

}  // namespace kas::cli
