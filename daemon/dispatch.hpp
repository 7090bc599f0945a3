// Request -> CachedService -> Response: the single place where core errors
// (and any stray exception) become wire Errors. A request can never take the
// daemon down; whatever happens, the client gets one Response. The
// operations are served generically (proto/operation_envelope.hpp); what is
// kasd's own is the control requests (stats, progress, reload, shutdown).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "proto/request_envelope.hpp"
#include "proto/response_envelope.hpp"
#include "service/cached.hpp"

namespace kas::daemon {

struct DispatchStats {
  std::atomic<uint64_t> requests{0};
};

// Seams for tests; empty in normal use.
struct DispatchHooks {
  // Runs on the worker thread before each request is answered, except the
  // control requests (RequestEnvelope::is_control): those are what a client
  // asks while another of its requests is in flight, so holding them would
  // hide what a test wants to see. A test blocks here to keep a request in
  // flight (kasd --test-request-delay-ms sleeps here, so that a test can
  // kill the daemon mid-request).
  std::function<void(const wire::RequestEnvelope&)> before_request;
};

class Dispatcher {
 public:
  Dispatcher(std::string build_id, unsigned jobs, size_t memory_budget, DispatchHooks hooks = {});

  // Answers one request (never Hello: the session handles the handshake).
  // Thread-safe. Sets `shutdown` when the request asks the daemon to stop.
  // Every request is kasd's own user's (the server refuses others, peer.hpp).
  [[nodiscard]] wire::ResponseEnvelope handle(const wire::RequestEnvelope& request, bool& shutdown);

  [[nodiscard]] wire::DaemonHello hello() const;
  [[nodiscard]] const std::string& build_id() const { return build_id_; }

  // What Hello says about this daemon's origin (kasd's main sets it; none by
  // default): its binary and whether systemd passed its socket. kas decides
  // from them whether asking it to stop brings up its own build.
  void set_origin(std::string executable, bool socket_activated) {
    executable_ = std::move(executable);
    socket_activated_ = socket_activated;
  }

 private:
  [[nodiscard]] wire::ResponseEnvelope answer(const wire::RequestEnvelope& request, bool& shutdown);
  [[nodiscard]] wire::DaemonStats stats();
  [[nodiscard]] wire::ResponseEnvelope progress(const wire::RequestEnvelope& request);

  std::string build_id_;
  std::string executable_;
  bool socket_activated_ = false;
  service::CachedService service_;
  DispatchStats stats_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  DispatchHooks hooks_;
};

}  // namespace kas::daemon
