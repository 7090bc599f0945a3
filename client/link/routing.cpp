#include "client/link/routing.hpp"

#include <unistd.h>

#include <cstdlib>

namespace kas::cli {

namespace {

bool use_daemon(const Routing& routing) { return !routing.no_daemon && std::getenv("KAS_NO_DAEMON") == nullptr; }

}  // namespace

Services::Services(const Routing& routing, unsigned jobs)
    : remote_(use_daemon(routing) ? std::optional<RemoteService>(std::in_place, routing.daemon) : std::nullopt),
      local_(jobs,
             [this, tty = ::isatty(2) == 1](std::string_view stage, size_t done, size_t total) {
               if (!tty) return;
               std::lock_guard lock(mutex_);
               line_.show(progress_bar(stage, done, total));
             }),
      routed_(remote_ ? &*remote_ : nullptr, local_) {}

}  // namespace kas::cli
