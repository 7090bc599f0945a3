// A request as kas sends it and kasd's session receives it: opaque to both
// programs, which frame it, tell the daemon's own requests from the
// operations, and hand it on. Only proto/ sees the wire message inside
// (kas.pb.h's Request), so the programs never build or read one by hand.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/query/query_target.hpp"
#include "core/util/result.hpp"
#include "proto/daemon_messages.hpp"

namespace kas::wire {

class Request;  // kas.pb.h: proto/ only

// What a request asks for, as far as a session and the dispatch tell them
// apart: the daemon's own requests by name; kOther is an operation's (the
// operation table serves it, operation_envelope.hpp) or one this build
// does not know.
enum class RequestKind { kHello, kStats, kProgress, kReload, kShutdown, kOther };

class RequestEnvelope {
 public:
  RequestEnvelope();  // empty: kOther, which no one answers but with an Error
  explicit RequestEnvelope(Request message);
  RequestEnvelope(RequestEnvelope&&) noexcept;
  RequestEnvelope& operator=(RequestEnvelope&&) noexcept;
  ~RequestEnvelope();

  [[nodiscard]] static RequestEnvelope hello(const DaemonHello& hello);
  [[nodiscard]] static RequestEnvelope stats();
  [[nodiscard]] static RequestEnvelope progress(const kas::QueryTarget& target);
  [[nodiscard]] static RequestEnvelope reload();
  [[nodiscard]] static RequestEnvelope shutdown();
  // A frame's body. Error kBadInput when it is no Request.
  [[nodiscard]] static Result<RequestEnvelope> parse(std::string_view bytes);

  [[nodiscard]] RequestKind kind() const;
  // The requests about the daemon itself (hello, stats, progress, reload,
  // shutdown): cheap, answered on a session's control lane.
  [[nodiscard]] bool is_control() const { return kind() != RequestKind::kOther; }
  // A progress request's target. Error kInvalidArgument as from_wire's.
  [[nodiscard]] Result<kas::QueryTarget> progress_target() const;

  // Header + message (framing.hpp). Error kInternal when too big.
  [[nodiscard]] Result<std::string> frame() const;

  // The message itself, for proto/ and the tests (which include kas.pb.h).
  [[nodiscard]] const Request& message() const { return *message_; }
  [[nodiscard]] Request& message() { return *message_; }

 private:
  std::unique_ptr<Request> message_;
};

// Blocking, on a connected socket (kas's side): framing.hpp's write_frame.
[[nodiscard]] Result<void> write_request(int fd, const RequestEnvelope& request);

}  // namespace kas::wire
