#include "daemon/dispatch.hpp"

#include <unistd.h>

#include <exception>

#include "proto/operation_envelope.hpp"

namespace kas::daemon {

using wire::RequestKind;
using wire::ResponseEnvelope;

Dispatcher::Dispatcher(std::string build_id, unsigned jobs, size_t memory_budget, DispatchHooks hooks)
    : build_id_(std::move(build_id)), service_(memory_budget, jobs), hooks_(std::move(hooks)) {}

wire::DaemonHello Dispatcher::hello() const {
  wire::DaemonHello hello;
  hello.protocol_version = wire::kProtocolVersion;
  hello.build_id = build_id_;
  hello.capabilities = wire::operation_names();
  for (const char* control : {"stats", "reload", "shutdown", "progress"}) hello.capabilities.emplace_back(control);
  hello.pid = static_cast<uint32_t>(::getpid());
  hello.executable = executable_;
  hello.socket_activated = socket_activated_;
  return hello;
}

ResponseEnvelope Dispatcher::handle(const wire::RequestEnvelope& request, bool& shutdown) {
  const auto start = std::chrono::steady_clock::now();
  ResponseEnvelope response = answer(request, shutdown);
  response.set_server_nanos(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count()));
  return response;
}

ResponseEnvelope Dispatcher::answer(const wire::RequestEnvelope& request, bool& shutdown) {
  ++stats_.requests;
  try {
    if (hooks_.before_request && !request.is_control()) {
      hooks_.before_request(request);
    }
    if (auto served = wire::serve_operation(service_, request)) return std::move(*served);
    switch (request.kind()) {
      case RequestKind::kStats: return ResponseEnvelope::status(stats());
      case RequestKind::kProgress: return progress(request);
      case RequestKind::kReload: service_.kernels().clear(); return ResponseEnvelope::reloaded();
      case RequestKind::kShutdown: shutdown = true; return ResponseEnvelope::stopping();
      case RequestKind::kHello:
        return ResponseEnvelope::failure({ErrorCode::kInvalidArgument, "hello is only valid as the first request"});
      case RequestKind::kOther: break;
    }
    return ResponseEnvelope::failure({ErrorCode::kInvalidArgument, "empty or unknown request"});
  } catch (const std::exception& e) {
    return ResponseEnvelope::failure({ErrorCode::kInternal, std::string("internal error: ") + e.what()});
  } catch (...) {
    return ResponseEnvelope::failure({ErrorCode::kInternal, "internal error"});
  }
}

wire::DaemonStats Dispatcher::stats() {
  const service::KernelCache& kernels = service_.kernels();
  return {.kernels = kernels.kernels(),
          .files = kernels.files(),
          .memory_bytes = kernels.memory_bytes(),
          .requests = stats_.requests.load(),
          .uptime_seconds = static_cast<uint64_t>(
              std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count()),
          .pid = static_cast<uint32_t>(::getpid()),
          .build_id = build_id_,
          .records_read = kernels.records_read(),
          .records_reused = kernels.records_reused(),
          .indexes_built = kernels.indexes_built()};
}

ResponseEnvelope Dispatcher::progress(const wire::RequestEnvelope& request) {
  auto target = request.progress_target();
  if (!target) return ResponseEnvelope::failure(target.error());
  wire::IndexingProgress reply;
  if (auto p = service_.kernels().progress(*target)) {
    reply = {.indexing = true, .stage = p->stage, .done = p->done, .total = p->total};
  }
  return ResponseEnvelope::indexing(reply);
}

}  // namespace kas::daemon
