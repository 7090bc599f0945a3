#include "proto/response_envelope.hpp"

#include "kas.pb.h"
#include "proto/convert.hpp"
#include "proto/convert_daemon.hpp"
#include "proto/framing.hpp"

namespace kas::wire {

ResponseEnvelope::ResponseEnvelope() : message_(std::make_unique<Response>()) {}
ResponseEnvelope::ResponseEnvelope(Response message) : message_(std::make_unique<Response>(std::move(message))) {}
ResponseEnvelope::ResponseEnvelope(ResponseEnvelope&&) noexcept = default;
ResponseEnvelope& ResponseEnvelope::operator=(ResponseEnvelope&&) noexcept = default;
ResponseEnvelope::~ResponseEnvelope() = default;

ResponseEnvelope ResponseEnvelope::failure(const kas::Error& error) {
  ResponseEnvelope r;
  to_wire(error, *r.message_->mutable_error());
  return r;
}

ResponseEnvelope ResponseEnvelope::greeting(const DaemonHello& hello) {
  ResponseEnvelope r;
  to_wire(hello, *r.message_->mutable_hello());
  return r;
}

ResponseEnvelope ResponseEnvelope::status(const DaemonStats& stats) {
  ResponseEnvelope r;
  to_wire(stats, *r.message_->mutable_stats());
  return r;
}

ResponseEnvelope ResponseEnvelope::indexing(const IndexingProgress& progress) {
  ResponseEnvelope r;
  to_wire(progress, *r.message_->mutable_progress());
  return r;
}

ResponseEnvelope ResponseEnvelope::reloaded() {
  ResponseEnvelope r;
  r.message_->mutable_reload();
  return r;
}

ResponseEnvelope ResponseEnvelope::stopping() {
  ResponseEnvelope r;
  r.message_->mutable_shutdown();
  return r;
}

std::optional<kas::Error> ResponseEnvelope::error() const {
  if (!message_->has_error()) return std::nullopt;
  return from_wire(message_->error());
}

std::optional<DaemonHello> ResponseEnvelope::hello() const {
  if (!message_->has_hello()) return std::nullopt;
  return from_wire(message_->hello());
}

std::optional<DaemonStats> ResponseEnvelope::stats() const {
  if (!message_->has_stats()) return std::nullopt;
  return from_wire(message_->stats());
}

std::optional<IndexingProgress> ResponseEnvelope::progress() const {
  if (!message_->has_progress()) return std::nullopt;
  return from_wire(message_->progress());
}

void ResponseEnvelope::set_server_nanos(uint64_t nanos) { message_->set_server_nanos(nanos); }
uint64_t ResponseEnvelope::server_nanos() const { return message_->server_nanos(); }

size_t ResponseEnvelope::frame_bytes() const { return message_->ByteSizeLong() + kFrameHeaderBytes; }

Result<std::string> ResponseEnvelope::frame() const { return encode_frame(*message_); }

Result<ResponseEnvelope> read_response(int fd) {
  ResponseEnvelope r;
  if (auto read = read_frame(fd, r.message()); !read) return std::unexpected(read.error());
  return r;
}

}  // namespace kas::wire
