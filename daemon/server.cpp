// Boost 1.74's coroutine support needs <utility> before asio (STYLE.md).
#include <utility>

#include "daemon/server.hpp"

#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "proto/framing.hpp"

namespace kas::daemon {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using Socket = asio::local::stream_protocol::socket;

namespace {

class Server {
 public:
  Server(Listener& listener, Dispatcher& dispatcher, const ServerOptions& options)
      : listener_(listener),
        dispatcher_(dispatcher),
        options_(options),
        workers_(options.workers),
        acceptor_(io_),
        signals_(io_, SIGTERM, SIGINT, SIGHUP),
        idle_timer_(io_) {
    acceptor_.assign(asio::local::stream_protocol(), listener_.socket.release());
  }

  int run() {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    asio::co_spawn(io_, watch(), asio::detached);
    wait_signal();
    ::sd_notify(0, "READY=1");
    io_.run();
    workers_.join();
    return 0;
  }

 private:
  void wait_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        std::fprintf(stderr, "kasd: SIGHUP: dropping cached indexes\n");
        wire::Request reload;
        reload.mutable_reload();
        bool ignored = false;
        (void)dispatcher_.handle(reload, ignored);
        wait_signal();
        return;
      }
      std::fprintf(stderr, "kasd: signal %d: stopping after %d request(s) in flight\n", signo, in_flight_.load());
      begin_stop();
    });
  }

  void begin_stop() {
    if (stopping_) return;
    stopping_ = true;
    ::sd_notify(0, "STOPPING=1");
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
  }

  awaitable<void> accept_loop() {
    while (!stopping_) {
      boost::system::error_code ec;
      Socket socket = co_await acceptor_.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (stopping_) co_return;
        continue;
      }
      asio::co_spawn(io_, session(std::move(socket)), asio::detached);
    }
  }

  // Stops when idle long enough (never with a request in flight), and
  // finishes a graceful stop once in-flight requests are done.
  awaitable<void> watch() {
    for (;;) {
      idle_timer_.expires_after(std::chrono::milliseconds(200));
      boost::system::error_code ec;
      co_await idle_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
      if (in_flight_ > 0) continue;
      if (stopping_) {
        io_.stop();
        co_return;
      }
      auto idle = std::chrono::steady_clock::now() - last_activity_;
      if (options_.idle_timeout.count() > 0 && idle >= options_.idle_timeout) {
        std::fprintf(stderr, "kasd: idle for %llds: exiting\n",
                     static_cast<long long>(options_.idle_timeout.count()));
        begin_stop();
      }
    }
  }

  bool peer_allowed(Socket& socket, uid_t& uid) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
    uid = cred.uid;
    return cred.uid == ::getuid() || options_.allowed_uids.count(cred.uid) != 0;
  }

  awaitable<void> send(Socket& socket, const wire::Response& response) {
    auto frame = wire::encode_frame(response);
    if (!frame) frame = wire::encode_frame(error_response(frame.error()));
    boost::system::error_code ec;
    co_await asio::async_write(socket, asio::buffer(*frame), asio::redirect_error(use_awaitable, ec));
  }

  // Note: no temporaries of class type inside a co_await expression: GCC 12
  // can destroy them twice (seen as a double free on the error paths).
  awaitable<void> session(Socket socket) {
    uid_t uid = 0;
    if (!peer_allowed(socket, uid)) {
      std::fprintf(stderr, "kasd: refused a connection from uid %u\n", static_cast<unsigned>(uid));
      wire::Response reply = error_response({ErrorCode::kInvalidArgument,
                                            "permission denied: this kasd serves uid " + std::to_string(::getuid())});
      co_await send(socket, reply);
      co_return;
    }
    bool greeted = false;
    for (;;) {
      unsigned char header[wire::kFrameHeaderBytes];
      boost::system::error_code ec;
      co_await asio::async_read(socket, asio::buffer(header), asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;  // closed or stopped
      auto length = wire::decode_frame_length(header);
      if (!length) {
        wire::Response reply = error_response(length.error());
        co_await send(socket, reply);
        co_return;
      }
      std::string body(*length, '\0');
      co_await asio::async_read(socket, asio::buffer(body), asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      wire::Request request;
      if (!request.ParseFromString(body)) {
        wire::Response reply = error_response({ErrorCode::kBadInput, "unparsable request"});
        co_await send(socket, reply);
        co_return;
      }
      if (!greeted) {
        if (request.body_case() != wire::Request::kHello) {
          wire::Response reply = error_response({ErrorCode::kInvalidArgument, "the first request must be hello"});
          co_await send(socket, reply);
          co_return;
        }
        wire::Response response;
        *response.mutable_hello() = dispatcher_.hello();
        co_await send(socket, response);
        greeted = true;
        continue;
      }
      ++in_flight_;
      bool shutdown = false;
      auto work = [this, &request, &shutdown]() -> awaitable<wire::Response> {
        co_return dispatcher_.handle(request, shutdown);
      };
      wire::Response response = co_await asio::co_spawn(workers_, std::move(work), use_awaitable);
      last_activity_ = std::chrono::steady_clock::now();
      co_await send(socket, response);
      --in_flight_;
      if (shutdown) {
        std::fprintf(stderr, "kasd: shutdown requested\n");
        begin_stop();
        co_return;
      }
    }
  }

  Listener& listener_;
  Dispatcher& dispatcher_;
  ServerOptions options_;
  asio::io_context io_;
  asio::thread_pool workers_;
  asio::local::stream_protocol::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer idle_timer_;
  std::atomic<int> in_flight_{0};
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_activity_ = std::chrono::steady_clock::now();
};

}  // namespace

int serve(Listener& listener, Dispatcher& dispatcher, const ServerOptions& options) {
  Server server(listener, dispatcher, options);
  return server.run();
}

}  // namespace kas::daemon
