// Request -> engine call -> Response: the single place where core errors
// (and any stray exception) become wire Errors. A request can never take the
// daemon down; whatever happens, the client gets one Response.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "daemon/kernel_cache.hpp"
#include "kas.pb.h"

namespace kas::daemon {

struct DispatchStats {
  std::atomic<uint64_t> requests{0};
};

class Dispatcher {
 public:
  Dispatcher(std::string build_id, unsigned jobs, size_t memory_budget);

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
  [[nodiscard]] wire::Response progress(const wire::ProgressRequest& request);

  std::string build_id_;
  unsigned jobs_;
  KernelCache kernels_;
  DispatchStats stats_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  int test_delay_ms_ = 0;
};

[[nodiscard]] wire::Response error_response(const Error& error);

}  // namespace kas::daemon
