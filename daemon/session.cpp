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
#include <algorithm>
#include <exception>
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

awaitable<SessionEnd> run_session(Socket socket, Dispatcher& dispatcher, asio::any_io_executor workers,
                                  Activity& activity) {
  bool greeted = false;
  for (;;) {
    unsigned char header[wire::kFrameHeaderBytes];
    boost::system::error_code ec;
    co_await asio::async_read(socket, asio::buffer(header), asio::redirect_error(use_awaitable, ec));
    if (ec) co_return SessionEnd::kClosed;
    auto length = wire::decode_frame_length(header);
    if (!length) {
      wire::Response reply = error_response(length.error());
      co_await send_response(socket, reply);
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
      co_await asio::async_read(socket, asio::buffer(body.data() + at, chunk),
                                asio::redirect_error(use_awaitable, ec));
      if (ec) co_return SessionEnd::kClosed;
    }
    wire::Request request;
    if (!request.ParseFromString(body)) {
      wire::Response reply = error_response({ErrorCode::kBadInput, "unparsable request"});
      co_await send_response(socket, reply);
      co_return SessionEnd::kRejected;
    }
    if (!greeted) {
      if (request.body_case() != wire::Request::kHello) {
        wire::Response reply = error_response({ErrorCode::kInvalidArgument, "the first request must be hello"});
        co_await send_response(socket, reply);
        co_return SessionEnd::kRejected;
      }
      wire::Response response;
      *response.mutable_hello() = dispatcher.hello();
      co_await send_response(socket, response);
      greeted = true;
      continue;
    }
    ++activity.in_flight;
    bool shutdown = false;
    auto work = [&dispatcher, &request, &shutdown]() -> awaitable<wire::Response> {
      co_return dispatcher.handle(request, shutdown);
    };
    wire::Response response = co_await asio::co_spawn(workers, std::move(work), use_awaitable);
    activity.last = std::chrono::steady_clock::now();
    co_await send_response(socket, response);
    --activity.in_flight;
    if (shutdown) co_return SessionEnd::kShutdown;
  }
}

SessionEnd serve_connection(Fd fd, Dispatcher& dispatcher) {
  asio::io_context io;
  asio::thread_pool workers(1);
  Socket socket(io, asio::local::stream_protocol(), fd.release());
  Activity activity;
  SessionEnd end = SessionEnd::kClosed;
  asio::co_spawn(io, run_session(std::move(socket), dispatcher, workers.get_executor(), activity),
                 [&end](const std::exception_ptr& error, SessionEnd result) {
                   if (error) std::rethrow_exception(error);
                   end = result;
                 });
  io.run();
  workers.join();
  return end;
}

}  // namespace kas::daemon
