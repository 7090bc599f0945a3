// A session reads the 4-byte header first and checks the length against the
// frame limit before allocating the body, so a hostile length costs nothing.
// A frame it cannot use (oversized, unparsable) or a peer that skips the
// handshake gets one Error and the connection is closed: after a bad length
// there is no frame boundary left to resynchronise on, and a peer that breaks
// the protocol once is not trusted with the next frame. A well-formed request
// the daemon cannot answer (unknown kind, bad arguments) is the Dispatcher's
// to turn into an Error, and the session goes on.
//
// Note: no temporaries of class type inside a co_await expression: GCC 12
// can destroy them twice (seen as a double free on the error paths).
#include "daemon/session.hpp"

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/detached.hpp>
#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "proto/framing.hpp"

namespace kas::daemon {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

awaitable<void> send_response(Socket& socket, const wire::Response& response) {
  auto frame = wire::encode_frame(response);
  if (!frame) frame = wire::encode_frame(error_response(frame.error()));
  boost::system::error_code ec;
  co_await asio::async_write(socket, asio::buffer(*frame), asio::redirect_error(use_awaitable, ec));
}

namespace {

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
  wire::Request request;
  Peer peer;
  bool shutdown = false;
  std::optional<wire::Response> response;
  asio::steady_timer answered;  // its wait ends when the response is in, or at the time limit
};

}  // namespace

awaitable<SessionEnd> run_session(Socket socket, Dispatcher& dispatcher, asio::any_io_executor workers,
                                  Activity& activity, SessionLimits limits) {
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
  // Who asks, once: requests of another uid are answered with its rights.
  auto credentials = peer_of(peer.native_handle());
  if (!credentials) {
    wire::Response reply = error_response(credentials.error());
    co_await send_response(peer, reply);
    co_return SessionEnd::kRejected;
  }
  bool greeted = false;
  for (;;) {
    c->deadline.expires_after(limits.frame);
    unsigned char header[wire::kFrameHeaderBytes];
    boost::system::error_code ec;
    co_await asio::async_read(peer, asio::buffer(header), asio::redirect_error(use_awaitable, ec));
    if (ec) co_return peer.is_open() ? SessionEnd::kClosed : SessionEnd::kTimedOut;
    auto length = wire::decode_frame_length(header);
    if (!length) {
      wire::Response reply = error_response(length.error());
      co_await send_response(peer, reply);
      co_return SessionEnd::kRejected;
    }
    // Memory follows the bytes that arrived, never the length announced: a
    // header claiming 64 MiB and then a stall costs one chunk, not 64 MiB.
    constexpr size_t kChunk = 64u << 10;
    std::string body;
    while (body.size() < *length) {
      const size_t at = body.size();
      const size_t chunk = std::min<size_t>(*length - at, kChunk);
      body.resize(at + chunk);
      co_await asio::async_read(peer, asio::buffer(body.data() + at, chunk), asio::redirect_error(use_awaitable, ec));
      if (ec) co_return peer.is_open() ? SessionEnd::kClosed : SessionEnd::kTimedOut;
    }
    auto pending = std::make_shared<Pending>(peer.get_executor());
    pending->peer = *credentials;
    if (!pending->request.ParseFromString(body)) {
      wire::Response reply = error_response({ErrorCode::kBadInput, "unparsable request"});
      co_await send_response(peer, reply);
      co_return SessionEnd::kRejected;
    }
    if (!greeted) {
      if (pending->request.body_case() != wire::Request::kHello) {
        wire::Response reply = error_response({ErrorCode::kInvalidArgument, "the first request must be hello"});
        co_await send_response(peer, reply);
        co_return SessionEnd::kRejected;
      }
      wire::Response response;
      *response.mutable_hello() = dispatcher.hello();
      co_await send_response(peer, response);
      greeted = true;
      continue;
    }
    // The request's own limit applies while it runs, not the frame's.
    c->deadline.expires_at(std::chrono::steady_clock::time_point::max());
    ++activity.in_flight;
    pending->answered.expires_after(limits.request);
    asio::post(workers, [pending, &dispatcher] {
      wire::Response response;
      try {
        response = dispatcher.handle(pending->request, pending->shutdown, &pending->peer);
      } catch (const std::exception& e) {
        response = error_response({ErrorCode::kInternal, std::string("kasd: ") + e.what()});
      }
      asio::post(pending->answered.get_executor(), [pending, response = std::move(response)]() mutable {
        pending->response = std::move(response);
        pending->answered.cancel();
      });
    });
    co_await pending->answered.async_wait(asio::redirect_error(use_awaitable, ec));
    activity.last = std::chrono::steady_clock::now();
    --activity.in_flight;
    c->deadline.expires_after(limits.frame);
    if (!pending->response) {
      std::fprintf(stderr, "kasd: a request took over %lld ms: answered with an error, left to finish\n",
                   count_ms(limits.request));
      wire::Response reply = error_response(
          {ErrorCode::kIo, "kasd gave up on this request after " + std::to_string(count_ms(limits.request) / 1000) +
                               " s (still running there); run with --no-daemon to wait for it"});
      co_await send_response(peer, reply);
      co_return SessionEnd::kTimedOut;
    }
    co_await send_response(peer, *pending->response);
    if (pending->shutdown) co_return SessionEnd::kShutdown;
  }
}

SessionEnd serve_connection(Fd fd, Dispatcher& dispatcher, SessionLimits limits) {
  asio::io_context io;
  asio::thread_pool workers(1);
  Socket socket(io, asio::local::stream_protocol(), fd.release());
  Activity activity;
  SessionEnd end = SessionEnd::kClosed;
  asio::co_spawn(io, run_session(std::move(socket), dispatcher, workers.get_executor(), activity, limits),
                 [&end](const std::exception_ptr& error, SessionEnd result) {
                   if (error) std::rethrow_exception(error);
                   end = result;
                 });
  io.run();
  workers.join();
  return end;
}

}  // namespace kas::daemon
