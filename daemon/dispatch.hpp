// Request -> engine call -> Response: the single place where core errors
// (and any stray exception) become wire Errors. A request can never take the
// daemon down; whatever happens, the client gets one Response.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "daemon/kernel_cache.hpp"
#include "kas.pb.h"

namespace kas::daemon {

struct DispatchStats {
  std::atomic<uint64_t> requests{0};
};

// Seams for tests; empty in normal use.
struct DispatchHooks {
  // Runs on the worker thread before each request is answered, except stats
  // and progress: those are what a client asks while another of its requests
  // is in flight, so holding them would hide what a test wants to see. A test
  // blocks here to keep a request in flight (kasd --test-request-delay-ms
  // sleeps here, so that a test can kill the daemon mid-request).
  std::function<void(const wire::Request&)> before_request;
};

class Dispatcher {
 public:
  Dispatcher(std::string build_id, unsigned jobs, size_t memory_budget, DispatchHooks hooks = {});

  // Answers one request (never Hello: the session handles the handshake).
  // Thread-safe. Sets `shutdown` when the request asks the daemon to stop.
  [[nodiscard]] wire::Response handle(const wire::Request& request, bool& shutdown);

  [[nodiscard]] wire::Hello hello() const;
  [[nodiscard]] const std::string& build_id() const { return build_id_; }

 private:
  [[nodiscard]] wire::Response answer(const wire::Request& request, bool& shutdown);
  [[nodiscard]] wire::Response vmlinux(const wire::VmlinuxRequest& request);
  [[nodiscard]] wire::Response module(const wire::ModuleRequest& request);
  [[nodiscard]] wire::Response census(const wire::CensusRequest& request);
  [[nodiscard]] wire::Response stats();
  // dispatch_query.cpp
  [[nodiscard]] wire::Response lookup(const wire::LookupRequest& request);
  [[nodiscard]] wire::Response resolve(const wire::ResolveRequest& request);
  [[nodiscard]] wire::Response probe(const wire::ProbeRequest& request);
  [[nodiscard]] wire::Response progress(const wire::ProgressRequest& request);

  std::string build_id_;
  unsigned jobs_;
  KernelCache kernels_;
  DispatchStats stats_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  DispatchHooks hooks_;
};

[[nodiscard]] wire::Response error_response(const Error& error);

}  // namespace kas::daemon
