// One client connection: the Hello handshake, then request frames answered
// one at a time by the Dispatcher on one of two lanes, until the peer closes,
// breaks the protocol, or asks the daemon to stop. Accepting, the peer-uid
// check, the idle timeout and stopping are the server's (server.hpp).
#pragma once

// Boost 1.74's coroutine support needs <utility> before asio (STYLE.md).
#include <utility>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <chrono>

#include "core/util/fd.hpp"
#include "core/util/memory_budget.hpp"
#include "daemon/dispatch.hpp"

namespace kas::daemon {

using Socket = boost::asio::local::stream_protocol::socket;

enum class SessionEnd {
  kClosed,    // the peer closed or the socket failed, between frames or inside one
  kRejected,  // oversized or unparsable frame, or not Hello first: answered with an Error, then closed
  kShutdown,  // the peer asked the daemon to stop (answered)
  kTimedOut,  // a frame or a request took longer than SessionLimits allow (closed; a request is answered)
};

// What a server's sessions share with its idle timeout and graceful stop.
// Touched on the I/O thread only; in_flight is atomic for the signal log.
struct Activity {
  std::atomic<int> in_flight{0};
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};

// How long a peer may take, so that no connection holds kasd's resources
// (a connection slot, a worker's attention) for ever.
struct SessionLimits {
  // A whole frame must arrive within this of the connection or the previous
  // reply, and a reply must be taken within it: else the connection is
  // closed (a silent or stalled peer).
  std::chrono::milliseconds frame{std::chrono::seconds(30)};
  // A request not answered within this gets an Error and the connection is
  // closed; its work is cancelled, and stops at its next check (a module, a
  // unit, a decompressed megabyte: core/util/request_context.hpp).
  std::chrono::milliseconds request{std::chrono::minutes(30)};
};

// Where a session's requests run, and the budget its buffers come from.
struct Lanes {
  // Indexing and questions: the worker pool, whose requests may take minutes.
  boost::asio::any_io_executor work;
  // Stats, progress, reload, shutdown: answered at once whatever the work
  // lane holds (a status probe must not queue behind four slow indexings).
  boost::asio::any_io_executor control;
  // Request frames as they arrive, replies until the peer takes them, and
  // (through the request's context) decompressed modules. Null: no limit.
  MemoryBudget* budget = nullptr;
};

// Runs on the socket's executor and never blocks it: requests are answered
// on `lanes`. A request whose peer closes the connection while it runs is
// cancelled. Never throws for anything the peer sends.
[[nodiscard]] boost::asio::awaitable<SessionEnd> run_session(Socket socket, Dispatcher& dispatcher, Lanes lanes,
                                                             Activity& activity, SessionLimits limits = {});

// Writes one frame; a response too big for a frame becomes an Error. Write
// errors are ignored: the next read sees the closed socket.
[[nodiscard]] boost::asio::awaitable<void> send_response(Socket& socket, const wire::ResponseEnvelope& response);

// Serves `fd` (a connected stream socket, taken) with run_session on the
// calling thread, with an io_context and one thread per lane of its own, and
// returns how the session ended. The in-process seam for tests (over a
// socketpair): everything a client sees of a session, without a listener or
// signals.
[[nodiscard]] SessionEnd serve_connection(Fd fd, Dispatcher& dispatcher, SessionLimits limits = {},
                                          MemoryBudget* budget = nullptr);

}  // namespace kas::daemon
