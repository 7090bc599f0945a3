// kasd's event loop: one coroutine per connection on a single I/O thread;
// requests run on a worker pool so that indexing never blocks the I/O
// thread, and control requests on a thread of their own so that no
// indexing delays them; signals arrive through the io_context (TERM/INT: finish in-flight
// requests and stop; HUP: drop caches).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <sys/types.h>

#include "daemon/dispatch.hpp"
#include "daemon/listener.hpp"
#include "daemon/peer.hpp"
#include "daemon/session.hpp"

namespace kas::daemon {

struct ServerOptions {
  std::chrono::seconds idle_timeout{600};  // 0: never
  // Who kasd is, the one user it serves (peer.hpp); none: this process as
  // it is when serve() starts.
  std::optional<Self> self;
  unsigned workers = 4;  // the work lane's threads; the control lane has one (session.hpp)
  SessionLimits limits;
  MemoryBudget* budget = nullptr;  // kasd's --memory-budget, shared with its kernel cache
};

// Serves until stopped (signal, shutdown request, idle timeout). Returns
// the process exit status.
int serve(Listener& listener, Dispatcher& dispatcher, const ServerOptions& options);

}  // namespace kas::daemon
