// kasd's reply as its session sends it and kas receives it: opaque to both
// programs, like RequestEnvelope. A reply is an operation's answer
// (operation_envelope.hpp), one of the daemon's own (daemon_messages.hpp),
// or an Error; only proto/ sees the wire message inside.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/util/result.hpp"
#include "proto/daemon_messages.hpp"

namespace kas::wire {

class Response;  // kas.pb.h: proto/ only

class ResponseEnvelope {
 public:
  ResponseEnvelope();  // empty: no reply of any kind
  explicit ResponseEnvelope(Response message);
  ResponseEnvelope(ResponseEnvelope&&) noexcept;
  ResponseEnvelope& operator=(ResponseEnvelope&&) noexcept;
  ~ResponseEnvelope();

  [[nodiscard]] static ResponseEnvelope failure(const kas::Error& error);
  [[nodiscard]] static ResponseEnvelope greeting(const DaemonHello& hello);
  [[nodiscard]] static ResponseEnvelope status(const DaemonStats& stats);
  [[nodiscard]] static ResponseEnvelope indexing(const IndexingProgress& progress);
  [[nodiscard]] static ResponseEnvelope reloaded();
  [[nodiscard]] static ResponseEnvelope stopping();

  // What the reply carries; nullopt when it is of another kind. A code
  // this build does not know reads as kInternal (convert.hpp).
  [[nodiscard]] std::optional<kas::Error> error() const;
  [[nodiscard]] std::optional<DaemonHello> hello() const;
  [[nodiscard]] std::optional<DaemonStats> stats() const;
  [[nodiscard]] std::optional<IndexingProgress> progress() const;

  // Time kasd spent on the request (KAS_TIMING=1 kas ...).
  void set_server_nanos(uint64_t nanos);
  [[nodiscard]] uint64_t server_nanos() const;

  // What frame() holds, header included, without encoding it: a session
  // reserves that much memory first.
  [[nodiscard]] size_t frame_bytes() const;
  // Header + message (framing.hpp). Error kInternal when too big.
  [[nodiscard]] Result<std::string> frame() const;

  // The message itself, for proto/ and the tests (which include kas.pb.h).
  [[nodiscard]] const Response& message() const { return *message_; }
  [[nodiscard]] Response& message() { return *message_; }

 private:
  std::unique_ptr<Response> message_;
};

// Blocking, on a connected socket (kas's side): framing.hpp's read_frame,
// with its errors (kNotFound: the peer closed before a frame).
[[nodiscard]] Result<ResponseEnvelope> read_response(int fd);

}  // namespace kas::wire
