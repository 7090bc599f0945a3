// Where a command's job runs: through kasd unless told otherwise or none can
// be used, else in this process.
#pragma once

#include <cstdlib>
#include <utility>

#include "client/connection.hpp"

namespace kas::cli {

struct Routing {
  bool no_daemon = false;
  DaemonOptions daemon;
};

// `remote` returns nullopt when no daemon could be used; then `local` runs.
// KAS_NO_DAEMON in the environment is --no-daemon for every command.
template <typename Remote, typename Local>
auto routed(const Routing& routing, Remote remote, Local local) -> decltype(local()) {
  if (!routing.no_daemon && std::getenv("KAS_NO_DAEMON") == nullptr) {
    if (auto answer = remote()) return std::move(*answer);
  }
  return local();
}

}  // namespace kas::cli
