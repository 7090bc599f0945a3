// A kasd session served in-process on one end of a socketpair, driven from
// the other end with the client's framing: the handshake, requests, errors
// and bad frames as a client sees them, without a listener, signals or a
// second process.
#include "daemon/session.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/util/fd.hpp"
#include "daemon/dispatch.hpp"
#include "kas.pb.h"
#include "proto/framing.hpp"
#include "tests/support/temp_dir.hpp"

namespace kas {
namespace {

using daemon::SessionEnd;
using namespace std::chrono_literals;

constexpr const char* kBuild = "0.1.0+session-test";

// The client end of a connection whose daemon end runs serve_connection on
// its own thread. Reads time out, so a daemon that never answers fails the
// test instead of hanging it.
class Connection {
 public:
  explicit Connection(daemon::Dispatcher& dispatcher) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw std::runtime_error("socketpair");
    client_ = Fd(fds[0]);
    timeval timeout{10, 0};
    ::setsockopt(client_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    end_ = std::async(std::launch::async,
                      [&dispatcher, fd = fds[1]] { return daemon::serve_connection(Fd(fd), dispatcher); });
  }
  // Closing our end ends the session, which the destructor then waits for.
  ~Connection() {
    client_.reset();
    if (end_.valid()) end_.wait();
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] int fd() const { return client_.get(); }

  void send(const wire::Request& request) { ASSERT_TRUE(wire::write_frame(fd(), request)); }
  void send_bytes(const std::string& bytes) {
    ASSERT_EQ(::write(fd(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  [[nodiscard]] Result<wire::Response> receive() {
    wire::Response response;
    if (auto r = wire::read_frame(fd(), response); !r) return std::unexpected(r.error());
    return response;
  }
  [[nodiscard]] Result<wire::Response> ask(const wire::Request& request) {
    if (auto r = wire::write_frame(fd(), request); !r) return std::unexpected(r.error());
    return receive();
  }
  // True when the daemon closed its end: a read sees the end of the stream.
  [[nodiscard]] bool closed_by_daemon() {
    char byte;
    return ::read(fd(), &byte, 1) == 0;
  }
  // Something to read right now (a response, or the end of the stream).
  [[nodiscard]] bool readable() {
    pollfd p{fd(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
  }
  // How the session ended; nullopt when it is still running after a while.
  [[nodiscard]] std::optional<SessionEnd> end() {
    if (end_.wait_for(10s) != std::future_status::ready) return std::nullopt;
    return end_.get();
  }
  [[nodiscard]] bool still_serving() { return end_.wait_for(0s) == std::future_status::timeout; }

 private:
  Fd client_;
  std::future<SessionEnd> end_;
};

wire::Request hello(const std::string& build) {
  wire::Request r;
  r.mutable_hello()->set_protocol_version(wire::PROTOCOL_VERSION_CURRENT);
  r.mutable_hello()->set_build_id(build);
  r.mutable_hello()->set_pid(1);
  return r;
}

wire::Request stats() {
  wire::Request r;
  r.mutable_stats();
  return r;
}

std::string header(uint32_t length) {
  std::string h(wire::kFrameHeaderBytes, '\0');
  for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  return h;
}

// Says hello and checks the daemon answered with a Hello.
void greet(Connection& c) {
  auto r = c.ask(hello(kBuild));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_hello()) << r->DebugString();
}

class Session : public ::testing::Test {
 protected:
  daemon::Dispatcher dispatcher_{kBuild, 1, size_t{64} << 20};
};

TEST_F(Session, HelloAnswersWithTheDaemonsBuildAndCapabilities) {
  Connection c(dispatcher_);
  auto r = c.ask(hello(kBuild));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_hello());
  EXPECT_EQ(r->hello().protocol_version(), static_cast<uint32_t>(wire::PROTOCOL_VERSION_CURRENT));
  EXPECT_EQ(r->hello().build_id(), kBuild);
  EXPECT_EQ(r->hello().pid(), static_cast<uint32_t>(::getpid()));  // the session runs in this process
  const auto& caps = r->hello().capabilities();
  for (const char* cap : {"vmlinux", "module", "stats", "shutdown"}) {
    EXPECT_NE(std::find(caps.begin(), caps.end(), cap), caps.end()) << cap;
  }
  EXPECT_TRUE(c.still_serving());
}

// The client decides about a build mismatch (kas.proto): the daemon still
// says who it is and obeys the shutdown that replaces it.
TEST_F(Session, AClientOfAnotherBuildLearnsOursAndCanStopUs) {
  Connection c(dispatcher_);
  auto r = c.ask(hello("0.0.0+another-build"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_hello());
  EXPECT_EQ(r->hello().build_id(), kBuild);
  wire::Request stop;
  stop.mutable_shutdown();
  auto answer = c.ask(stop);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_TRUE(answer->has_shutdown());
  EXPECT_EQ(c.end(), SessionEnd::kShutdown);
  EXPECT_TRUE(c.closed_by_daemon());
}

TEST_F(Session, TheFirstRequestMustBeHello) {
  Connection c(dispatcher_);
  auto r = c.ask(stats());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_error());
  EXPECT_EQ(r->error().code(), static_cast<uint32_t>(ErrorCode::kInvalidArgument));
  EXPECT_NE(r->error().message().find("hello"), std::string::npos) << r->error().message();
  EXPECT_TRUE(c.closed_by_daemon());
  EXPECT_EQ(c.end(), SessionEnd::kRejected);
}

TEST_F(Session, StatsDescribeThisDaemonAndCountRequests) {
  Connection c(dispatcher_);
  greet(c);
  auto first = c.ask(stats());
  auto second = c.ask(stats());
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->has_stats() && second->has_stats());
  EXPECT_EQ(first->stats().build_id(), kBuild);
  EXPECT_EQ(first->stats().pid(), static_cast<uint32_t>(::getpid()));
  EXPECT_EQ(first->stats().kernels(), 0u);  // nothing was asked that loads a tree
  EXPECT_EQ(second->stats().requests(), first->stats().requests() + 1);
}

TEST_F(Session, EmptyAndUnknownRequestsGetAnErrorAndTheSessionGoesOn) {
  Connection c(dispatcher_);
  greet(c);
  // An empty Request, and one whose only field is number 13, which no
  // request kind uses (as from a newer kas).
  for (const std::string& body : {std::string(), std::string("\x6a\x00", 2)}) {
    c.send_bytes(header(static_cast<uint32_t>(body.size())) + body);
    auto r = c.receive();
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->has_error()) << r->DebugString();
    EXPECT_EQ(r->error().code(), static_cast<uint32_t>(ErrorCode::kInvalidArgument));
    EXPECT_NE(r->error().message().find("unknown request"), std::string::npos) << r->error().message();
  }
  auto after = c.ask(stats());
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(after->has_stats());
  EXPECT_TRUE(c.still_serving());
}

TEST_F(Session, AFailingRequestIsAnErrorNamingTheFileAndTheSessionGoesOn) {
  Connection c(dispatcher_);
  greet(c);
  wire::Request census;
  census.mutable_census()->mutable_sources()->set_vmlinux("/nonexistent/kas-session-test/System.map");
  auto r = c.ask(census);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_error()) << r->DebugString();
  EXPECT_NE(r->error().message().find("/nonexistent/kas-session-test/System.map"), std::string::npos)
      << r->error().message();
  auto after = c.ask(stats());
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(after->has_stats());
}

// A path is bytes, but a NUL in it would make open(2) read the file named
// by the bytes before it (found by fuzz_frames: /tmp/f\0.../hello.o read
// /tmp/f). Refused, naming what came before the NUL.
TEST_F(Session, APathHoldingANulByteIsRefusedNotTruncated) {
  test::TempDir dir;
  const std::string listing = dir.file("System.map");
  test::write_text(listing, "ffffffff81000000 T first\nffffffff81000010 t second\n");
  const std::string with_nul = listing + std::string(1, '\0') + "/elsewhere";
  Connection c(dispatcher_);
  greet(c);
  wire::Request census;
  census.mutable_census()->mutable_sources()->set_vmlinux(with_nul);
  wire::Request module;
  module.mutable_module()->set_input(with_nul);
  module.mutable_module()->mutable_census()->set_vmlinux(listing);
  wire::Request lookup;
  lookup.mutable_lookup()->mutable_target()->mutable_kernel()->set_vmlinux(with_nul);
  lookup.mutable_lookup()->add_patterns("first");
  for (const wire::Request* request : {&census, &module, &lookup}) {
    auto r = c.ask(*request);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->has_error()) << r->DebugString();
    EXPECT_NE(r->error().message().find("holds a NUL byte (after '" + listing + "')"), std::string::npos)
        << r->error().message();
  }
}

TEST_F(Session, AMalformedFrameClosesOnlyItsOwnSession) {
  Connection bystander(dispatcher_);
  greet(bystander);
  struct Case {
    const char* what;
    bool greet_first;
    std::string bytes;
  };
  const Case cases[] = {
      {"length past the limit", false, "\xff\xff\xff\x7f"},
      {"unparsable body before hello", false, header(5) + "\x01\x02\x03\xff\xfe"},
      {"unparsable body after hello", true, header(3) + "\x0a\x64\x01"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Connection bad(dispatcher_);
    if (c.greet_first) greet(bad);
    bad.send_bytes(c.bytes);
    auto r = bad.receive();
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->has_error()) << r->DebugString();
    EXPECT_EQ(r->error().code(), static_cast<uint32_t>(ErrorCode::kBadInput));
    EXPECT_TRUE(bad.closed_by_daemon());
    EXPECT_EQ(bad.end(), SessionEnd::kRejected);
  }
  auto r = bystander.ask(stats());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->has_stats());
  Connection next(dispatcher_);
  greet(next);
}

TEST_F(Session, ATruncatedFrameEndsTheSessionWithoutAReply) {
  Connection c(dispatcher_);
  greet(c);
  c.send_bytes(header(100) + "short");
  ASSERT_EQ(::shutdown(c.fd(), SHUT_WR), 0);
  EXPECT_TRUE(c.closed_by_daemon());  // no reply frame before the end
  EXPECT_EQ(c.end(), SessionEnd::kClosed);
}

// A before_request hook that holds requests until released and records
// which ones it saw.
class Gate {
 public:
  daemon::DispatchHooks hooks() {
    daemon::DispatchHooks h;
    h.before_request = [this](const wire::RequestEnvelope& request) {
      std::unique_lock lock(mutex_);
      seen_.push_back(request.message().body_case());
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
    };
    return h;
  }
  [[nodiscard]] bool wait_held(size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return seen_.size() >= n; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  [[nodiscard]] std::vector<wire::Request::BodyCase> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<wire::Request::BodyCase> seen_;
  bool released_ = false;
};

// A request the hooks hold (control requests are never held): a census of
// a listing that does not exist, answered with that error once released.
wire::Request census_of_nothing() {
  wire::Request census;
  census.mutable_census()->mutable_sources()->set_vmlinux("/nonexistent/kas-test/vmlinux.syms");
  return census;
}

TEST(SessionHooks, AHeldRequestHoldsNeitherStatsNorProgressNorOtherConnections) {
  Gate gate;
  daemon::Dispatcher dispatcher(kBuild, 1, size_t{64} << 20, gate.hooks());
  {
    Connection held(dispatcher);
    Connection other(dispatcher);
    // Destroyed first: a failed assertion must not leave the sessions held
    // while the connections wait for them to end.
    std::unique_ptr<Gate, void (*)(Gate*)> release_on_exit(&gate, [](Gate* g) { g->release(); });
    greet(held);
    greet(other);
    held.send(census_of_nothing());
    ASSERT_TRUE(gate.wait_held(1));

    auto s = other.ask(stats());
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE(s->has_stats());
    wire::Request progress;
    progress.mutable_progress()->mutable_target()->mutable_kernel()->set_vmlinux("/b/vmlinux");
    auto p = other.ask(progress);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_TRUE(p->has_progress()) << p->DebugString();
    EXPECT_FALSE(held.readable()) << "the held request was answered before its release";

    gate.release();
    auto r = held.receive();
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->has_error()) << r->DebugString();
    EXPECT_NE(r->error().message().find("/nonexistent/kas-test/vmlinux.syms"), std::string::npos)
        << r->error().message();
  }
  EXPECT_EQ(gate.seen(), std::vector<wire::Request::BodyCase>{wire::Request::kCensus});
}

TEST(SessionHooks, AHookThatThrowsIsAnErrorResponseNotACrash) {
  daemon::DispatchHooks hooks;
  hooks.before_request = [](const wire::RequestEnvelope&) { throw std::runtime_error("hook failed"); };
  daemon::Dispatcher dispatcher(kBuild, 1, size_t{64} << 20, std::move(hooks));
  Connection c(dispatcher);
  greet(c);
  auto r = c.ask(census_of_nothing());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->has_error()) << r->DebugString();
  EXPECT_EQ(r->error().code(), static_cast<uint32_t>(ErrorCode::kInternal));
  EXPECT_NE(r->error().message().find("hook failed"), std::string::npos) << r->error().message();
  EXPECT_TRUE(c.ask(stats()));
}

}  // namespace
}  // namespace kas
