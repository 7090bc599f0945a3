// Boost 1.74's coroutine support needs <utility> before asio (STYLE.md).
#include <utility>

#include "daemon/server.hpp"

#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>

#include "core/util/descriptor_budget.hpp"
#include "daemon/peer.hpp"
#include "daemon/session.hpp"

namespace kas::daemon {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace {

class Server {
 public:
  Server(Listener& listener, Dispatcher& dispatcher, const ServerOptions& options)
      : self_(options.self.value_or(Self{})),
        listener_(listener),
        dispatcher_(dispatcher),
        options_(options),
        workers_(options.workers),
        control_(1),
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
    control_.join();
    return 0;
  }

 private:
  void wait_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        std::fprintf(stderr, "kasd: SIGHUP: dropping cached indexes\n");
        bool ignored = false;
        (void)dispatcher_.handle(wire::RequestEnvelope::reload(), ignored);
        wait_signal();
        return;
      }
      std::fprintf(stderr, "kasd: signal %d: stopping after %d request(s) in flight\n", signo,
                   activity_.in_flight.load());
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
    asio::steady_timer backoff(io_);
    while (!stopping_) {
      boost::system::error_code ec;
      Socket socket = co_await acceptor_.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (stopping_) co_return;
        // Out of descriptors (or memory): the pending connection stays
        // queued; retrying at once would spin. Wait for sessions to end.
        if (ec == asio::error::no_descriptors || ec.value() == ENFILE || ec == asio::error::no_buffer_space ||
            ec == asio::error::no_memory) {
          std::fprintf(stderr, "kasd: cannot accept a connection: %s; retrying in 100 ms\n", ec.message().c_str());
          backoff.expires_after(std::chrono::milliseconds(100));
          co_await backoff.async_wait(asio::redirect_error(use_awaitable, ec));
        }
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
      if (activity_.in_flight > 0) continue;
      if (stopping_) {
        io_.stop();
        co_return;
      }
      auto idle = std::chrono::steady_clock::now() - activity_.last;
      if (options_.idle_timeout.count() > 0 && idle >= options_.idle_timeout) {
        std::fprintf(stderr, "kasd: idle for %llds: exiting\n",
                     static_cast<long long>(options_.idle_timeout.count()));
        begin_stop();
      }
    }
  }

  // Ok when the peer is this kasd's own user with all of kasd's
  // privileges (peer.hpp); else the refusal, for the log and the peer.
  Result<void> peer_allowed(Socket& socket) {
    auto peer = peer_of(socket.native_handle());
    if (!peer) return std::unexpected(peer.error());
    auto allowed = check_peer(self_, *peer);
    if (!allowed) {
      std::fprintf(stderr, "kasd: refused a connection from uid %u (pid %d): %s\n", static_cast<unsigned>(peer->uid),
                   static_cast<int>(peer->pid), allowed.error().message.c_str());
    }
    return allowed;
  }

  awaitable<void> session(Socket socket) {
    struct Counted {
      std::atomic<size_t>& n;
      size_t open;
      explicit Counted(std::atomic<size_t>& count) : n(count), open(++count) {}
      ~Counted() { --n; }
    } counted(connections_);
    if (counted.open > max_connections_) {
      std::fprintf(stderr, "kasd: refused a connection: %zu open, the limit is %zu\n", counted.open - 1,
                   max_connections_);
      const auto reply = wire::ResponseEnvelope::failure(
          {ErrorCode::kExhausted, "kasd has too many connections open (" + std::to_string(max_connections_) +
                                      ", a quarter of its RLIMIT_NOFILE): try again, or run with --no-daemon"});
      co_await send_response(socket, reply);
      co_return;
    }
    if (auto allowed = peer_allowed(socket); !allowed) {
      const auto reply = wire::ResponseEnvelope::failure(allowed.error());
      co_await send_response(socket, reply);
      co_return;
    }
    // A local, not a temporary in the co_await (GCC 12: see session.cpp).
    const Lanes lanes{.work = workers_.get_executor(), .control = control_.get_executor(), .budget = options_.budget};
    SessionEnd end = co_await run_session(std::move(socket), dispatcher_, lanes, activity_, options_.limits);
    if (end == SessionEnd::kShutdown) {
      std::fprintf(stderr, "kasd: shutdown requested\n");
      begin_stop();
    }
  }

  const Self self_;
  Listener& listener_;
  Dispatcher& dispatcher_;
  ServerOptions options_;
  asio::io_context io_;
  asio::thread_pool workers_;
  asio::thread_pool control_;
  asio::local::stream_protocol::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer idle_timer_;
  Activity activity_;
  std::atomic<size_t> connections_{0};  // sessions open
  const size_t max_connections_ = connection_budget();  // core/util/descriptor_budget.hpp
  bool stopping_ = false;
};

}  // namespace

int serve(Listener& listener, Dispatcher& dispatcher, const ServerOptions& options) {
  ServerOptions resolved = options;
  if (!resolved.self) {
    auto self = self_identity();
    if (!self) {
      std::fprintf(stderr, "kasd: %s\n", self.error().message.c_str());
      return 1;
    }
    resolved.self = *self;
  }
  Server server(listener, dispatcher, resolved);
  return server.run();
}

}  // namespace kas::daemon
