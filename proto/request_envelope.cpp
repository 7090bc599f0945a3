#include "proto/request_envelope.hpp"

#include "kas.pb.h"
#include "proto/convert_daemon.hpp"
#include "proto/convert_query.hpp"
#include "proto/framing.hpp"

namespace kas::wire {

RequestEnvelope::RequestEnvelope() : message_(std::make_unique<Request>()) {}
RequestEnvelope::RequestEnvelope(Request message) : message_(std::make_unique<Request>(std::move(message))) {}
RequestEnvelope::RequestEnvelope(RequestEnvelope&&) noexcept = default;
RequestEnvelope& RequestEnvelope::operator=(RequestEnvelope&&) noexcept = default;
RequestEnvelope::~RequestEnvelope() = default;

RequestEnvelope RequestEnvelope::hello(const DaemonHello& hello) {
  RequestEnvelope r;
  to_wire(hello, *r.message_->mutable_hello());
  return r;
}

RequestEnvelope RequestEnvelope::stats() {
  RequestEnvelope r;
  r.message_->mutable_stats();
  return r;
}

RequestEnvelope RequestEnvelope::progress(const kas::QueryTarget& target) {
  RequestEnvelope r;
  to_wire(target, *r.message_->mutable_progress()->mutable_target());
  return r;
}

RequestEnvelope RequestEnvelope::reload() {
  RequestEnvelope r;
  r.message_->mutable_reload();
  return r;
}

RequestEnvelope RequestEnvelope::shutdown() {
  RequestEnvelope r;
  r.message_->mutable_shutdown();
  return r;
}

Result<RequestEnvelope> RequestEnvelope::parse(std::string_view bytes) {
  RequestEnvelope r;
  if (!r.message_->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return fail(ErrorCode::kBadInput, "unparsable request");
  }
  return r;
}

RequestKind RequestEnvelope::kind() const {
  switch (message_->body_case()) {
    case Request::kHello: return RequestKind::kHello;
    case Request::kStats: return RequestKind::kStats;
    case Request::kProgress: return RequestKind::kProgress;
    case Request::kReload: return RequestKind::kReload;
    case Request::kShutdown: return RequestKind::kShutdown;
    default: return RequestKind::kOther;
  }
}

Result<kas::QueryTarget> RequestEnvelope::progress_target() const { return from_wire(message_->progress().target()); }

Result<std::string> RequestEnvelope::frame() const { return encode_frame(*message_); }

Result<void> write_request(int fd, const RequestEnvelope& request) { return write_frame(fd, request.message()); }

}  // namespace kas::wire
