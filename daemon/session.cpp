// A session reads the 4-byte header first and checks the length against the
// frame limit before allocating the body, so a hostile length costs nothing.
// A frame it cannot use (oversized, unparsable) or a peer that skips the
// handshake gets one Error and the connection is closed: after a bad length
// there is no frame boundary left to resynchronise on, and a peer that breaks
// the protocol once is not trusted with the next frame. A well-formed request
// the daemon cannot answer (unknown kind, bad arguments) is the Dispatcher's
// to turn into an Error, and the session goes on.
//
// What a peer makes kasd hold is bounded: request bytes as they arrive and
// the encoded reply until it is read are reserved from the memory budget
// (a frame past it closes the connection with an Error; a reply past it is
// replaced by one), for at most the frame timeout each; a request runs
// until its time limit or its peer's hang-up, then it is cancelled.
//
// Note: no temporaries of class type inside a co_await expression: GCC 12
// can destroy them twice (seen as a double free on the error paths).
#include "daemon/session.hpp"

// GCC 12 at -O2 (the TSan and package builds) reports run_session's frame as
// freed by a mismatched operator delete; asio pairs its own operator new and
// delete for awaitable frames (awaitable_frame_base), so it is a false
// positive of GCC's coroutine lowering. Silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/detached.hpp>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "core/util/request_context.hpp"
#include "proto/framing.hpp"

namespace kas::daemon {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

awaitable<void> send_response(Socket& socket, const wire::ResponseEnvelope& response) {
  auto frame = response.frame();
  if (!frame) frame = wire::ResponseEnvelope::failure(frame.error()).frame();
  boost::system::error_code ec;
  co_await asio::async_write(socket, asio::buffer(*frame), asio::redirect_error(use_awaitable, ec));
}

namespace {

// Frames and replies up to this size are not reserved (see below).
constexpr size_t kUnreservedBytes = 64u << 10;

// The socket and its deadline, shared by a session and its watchdog.
struct Connection {
  explicit Connection(Socket s) : socket(std::move(s)), deadline(socket.get_executor()) {}
  Socket socket;
  asio::steady_timer deadline;
};

long long count_ms(std::chrono::milliseconds d) { return static_cast<long long>(d.count()); }

// Closes the socket once the deadline has passed: the read or write waiting
// on it fails and the session ends. Moving the deadline wakes it to wait
// again; the session stops it by closing the socket.
awaitable<void> watchdog(std::shared_ptr<Connection> c, std::chrono::milliseconds frame_limit) {
  while (c->socket.is_open()) {
    boost::system::error_code ec;
    co_await c->deadline.async_wait(asio::redirect_error(use_awaitable, ec));
    if (c->socket.is_open() && c->deadline.expiry() <= std::chrono::steady_clock::now()) {
      std::fprintf(stderr, "kasd: closed a connection that sent or took no complete frame in %lld ms\n",
                   count_ms(frame_limit));
      c->socket.close(ec);
    }
  }
}

// A request on its way through a worker: shared with it, because a request
// past its time limit is left to finish there after the session has gone.
struct Pending {
  explicit Pending(const asio::any_io_executor& io) : answered(io) {}
  wire::RequestEnvelope request;
  MemoryReservation request_bytes;  // the frame it came in, then the parsed request
  bool shutdown = false;
  std::optional<wire::ResponseEnvelope> response;
  asio::steady_timer answered;  // its wait ends when the response is in, at the time limit, or when the peer goes
  std::atomic<bool> cancelled{false};  // polled by the work (core/util/request_context.hpp)
  bool peer_gone = false;              // the peer closed while it ran (I/O thread only)
};

// The frame of `response`, reserved in `reserved` first: a reply the
// budget has no room for becomes an Error saying so, which fits.
std::string encode_within(const wire::ResponseEnvelope& response, MemoryReservation& reserved) {
  const size_t bytes = response.frame_bytes();
  Result<std::string> frame;
  // Small replies, like small frames, are bounded by the connection limit
  // instead: a full budget must not turn a status into an error.
  if (bytes <= kUnreservedBytes || reserved.resize(bytes)) {
    frame = response.frame();
  } else {
    frame = std::unexpected(Error{ErrorCode::kExhausted, reserved.budget()->refusal("this reply", bytes) +
                                                      ": ask for less, or run kas with --no-daemon"});
  }
  if (!frame) frame = wire::ResponseEnvelope::failure(frame.error()).frame();
  if (reserved.bytes() > frame->size()) (void)reserved.resize(frame->size());  // the Error is smaller
  return std::move(*frame);
}

// Ends `pending`'s wait and cancels its work when the peer closes the
// connection while the request runs (kas killed, a make -j interrupted):
// its answer would be for no one. Bytes from the peer end the watch
// without cancelling; the next frame read sees them.
void watch_for_hangup(const std::shared_ptr<Connection>& c, const std::shared_ptr<Pending>& pending) {
  c->socket.async_wait(asio::socket_base::wait_read, [c, pending](const boost::system::error_code& ec) {
    if (ec || pending->response) return;
    char byte = 0;
    const ssize_t n = ::recv(c->socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))) return;
    pending->peer_gone = true;
    pending->cancelled = true;
    pending->answered.cancel();
  });
}

}  // namespace

awaitable<SessionEnd> run_session(Socket socket, Dispatcher& dispatcher, Lanes lanes, Activity& activity,
                                  SessionLimits limits) {
  auto c = std::make_shared<Connection>(std::move(socket));
  asio::co_spawn(c->socket.get_executor(), watchdog(c, limits.frame), asio::detached);
  // Ends the watchdog with the session, however the session ends.
  struct Closer {
    Connection& c;
    ~Closer() {
      boost::system::error_code ignored;
      c.socket.close(ignored);
      c.deadline.cancel();
    }
  } closer{*c};
  Socket& peer = c->socket;
  bool greeted = false;
  for (;;) {
    c->deadline.expires_after(limits.frame);
    unsigned char header[wire::kFrameHeaderBytes];
    boost::system::error_code ec;
    co_await asio::async_read(peer, asio::buffer(header), asio::redirect_error(use_awaitable, ec));
    if (ec) co_return peer.is_open() ? SessionEnd::kClosed : SessionEnd::kTimedOut;
    auto length = wire::decode_frame_length(header);
    if (!length) {
      const auto reply = wire::ResponseEnvelope::failure(length.error());
      co_await send_response(peer, reply);
      co_return SessionEnd::kRejected;
    }
    auto pending = std::make_shared<Pending>(peer.get_executor());
    pending->request_bytes = MemoryReservation(lanes.budget);
    // Memory follows the bytes that arrived, never the length announced: a
    // header claiming 64 MiB and then a stall costs one chunk, not 64 MiB;
    // and each chunk is reserved before it is read, so that many partial
    // frames together stay within the budget.
    constexpr size_t kChunk = kUnreservedBytes;
    std::string body;
    while (body.size() < *length) {
      const size_t at = body.size();
      const size_t chunk = std::min<size_t>(*length - at, kChunk);
      // The first chunk is not reserved: the connection limit bounds those
      // (1,024 x 64 KiB), and with the budget taken by large frames a
      // small request (a status) still gets through.
      const size_t capacity = std::min<size_t>(*length, std::max(body.capacity() * 2, at + chunk));
      if (at + chunk > kChunk && !reserve_string(body, capacity, pending->request_bytes)) {
        std::fprintf(stderr, "kasd: closed a connection whose request frame (%zu bytes) outgrew the memory budget\n",
                     static_cast<size_t>(*length));
        const auto reply =
            wire::ResponseEnvelope::failure({ErrorCode::kExhausted, lanes.budget->refusal("this request", *length) +
                                                                        ": try again, or run with --no-daemon"});
        co_await send_response(peer, reply);
        co_return SessionEnd::kRejected;
      }
      body.resize(at + chunk);
      co_await asio::async_read(peer, asio::buffer(body.data() + at, chunk), asio::redirect_error(use_awaitable, ec));
      if (ec) co_return peer.is_open() ? SessionEnd::kClosed : SessionEnd::kTimedOut;
    }
    auto parsed = wire::RequestEnvelope::parse(body);
    if (!parsed) {
      const auto reply = wire::ResponseEnvelope::failure(parsed.error());
      co_await send_response(peer, reply);
      co_return SessionEnd::kRejected;
    }
    pending->request = std::move(*parsed);
    std::string().swap(body);  // the parsed request stands in it, in its reservation
    if (!greeted) {
      if (pending->request.kind() != wire::RequestKind::kHello) {
        const auto reply =
            wire::ResponseEnvelope::failure({ErrorCode::kInvalidArgument, "the first request must be hello"});
        co_await send_response(peer, reply);
        co_return SessionEnd::kRejected;
      }
      const auto response = wire::ResponseEnvelope::greeting(dispatcher.hello());
      co_await send_response(peer, response);
      greeted = true;
      continue;
    }
    // The request's own limit applies while it runs, not the frame's.
    c->deadline.expires_at(std::chrono::steady_clock::time_point::max());
    ++activity.in_flight;
    pending->answered.expires_after(limits.request);
    const asio::any_io_executor& lane = pending->request.is_control() ? lanes.control : lanes.work;
    asio::post(lane, [pending, &dispatcher, budget = lanes.budget] {
      if (pending->cancelled) return;  // its peer left while it waited for a worker
      RequestScope scope({.budget = budget, .cancelled = &pending->cancelled});
      wire::ResponseEnvelope response;
      try {
        response = dispatcher.handle(pending->request, pending->shutdown);
      } catch (const std::exception& e) {
        response = wire::ResponseEnvelope::failure({ErrorCode::kInternal, std::string("kasd: ") + e.what()});
      }
      asio::post(pending->answered.get_executor(), [pending, response = std::move(response)]() mutable {
        pending->response = std::move(response);
        pending->answered.cancel();
      });
    });
    watch_for_hangup(c, pending);
    co_await pending->answered.async_wait(asio::redirect_error(use_awaitable, ec));
    peer.cancel(ec);  // the hang-up watch
    activity.last = std::chrono::steady_clock::now();
    --activity.in_flight;
    c->deadline.expires_after(limits.frame);
    if (pending->peer_gone) {
      std::fprintf(stderr, "kasd: a client closed its connection while its request ran: the request is cancelled\n");
      co_return SessionEnd::kClosed;
    }
    if (!pending->response) {
      pending->cancelled = true;
      std::fprintf(stderr, "kasd: a request took over %lld ms: answered with an error and cancelled\n",
                   count_ms(limits.request));
      const auto reply = wire::ResponseEnvelope::failure(
          {ErrorCode::kIo, "kasd gave up on this request after " + std::to_string(count_ms(limits.request) / 1000) +
                               " s (cancelled there); run with --no-daemon to wait for it"});
      co_await send_response(peer, reply);
      co_return SessionEnd::kTimedOut;
    }
    // The reply is held encoded, in the budget, until the peer takes it;
    // the request and the decoded reply are freed first.
    MemoryReservation reply_bytes(lanes.budget);
    const std::string frame = encode_within(*pending->response, reply_bytes);
    const bool shutdown = pending->shutdown;
    pending.reset();
    co_await asio::async_write(peer, asio::buffer(frame), asio::redirect_error(use_awaitable, ec));
    if (shutdown) co_return SessionEnd::kShutdown;
  }
}

SessionEnd serve_connection(Fd fd, Dispatcher& dispatcher, SessionLimits limits, MemoryBudget* budget) {
  asio::io_context io;
  asio::thread_pool workers(1);
  asio::thread_pool control(1);
  Socket socket(io, asio::local::stream_protocol(), fd.release());
  Activity activity;
  SessionEnd end = SessionEnd::kClosed;
  const Lanes lanes{.work = workers.get_executor(), .control = control.get_executor(), .budget = budget};
  asio::co_spawn(io, run_session(std::move(socket), dispatcher, lanes, activity, limits),
                 [&end](const std::exception_ptr& error, SessionEnd result) {
                   if (error) std::rethrow_exception(error);
                   end = result;
                 });
  io.run();
  workers.join();
  control.join();
  return end;
}

}  // namespace kas::daemon
