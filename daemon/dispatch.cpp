#include "daemon/dispatch.hpp"

#include <unistd.h>

#include <exception>
#include <optional>

#include "proto/convert_query.hpp"
#include "proto/operation_wire.hpp"

namespace kas::daemon {

bool is_control(const wire::Request& request) {
  switch (request.body_case()) {
    case wire::Request::kStats:
    case wire::Request::kProgress:
    case wire::Request::kReload:
    case wire::Request::kShutdown:
    case wire::Request::kHello: return true;
    default: return false;
  }
}

wire::Response error_response(const Error& error) {
  wire::Response response;
  wire::to_wire(error, *response.mutable_error());
  return response;
}

Dispatcher::Dispatcher(std::string build_id, unsigned jobs, size_t memory_budget, DispatchHooks hooks)
    : build_id_(std::move(build_id)), service_(memory_budget, jobs), hooks_(std::move(hooks)) {}

wire::Hello Dispatcher::hello() const {
  wire::Hello hello;
  hello.set_protocol_version(wire::PROTOCOL_VERSION_CURRENT);
  hello.set_build_id(build_id_);
  service::for_each_operation([&]<typename Op>() { hello.add_capabilities(std::string(wire::OperationWire<Op>::name)); });
  for (const char* control : {"stats", "reload", "shutdown", "progress"}) hello.add_capabilities(control);
  hello.set_pid(static_cast<uint32_t>(::getpid()));
  hello.set_executable(executable_);
  hello.set_socket_activated(socket_activated_);
  return hello;
}

wire::Response Dispatcher::handle(const wire::Request& request, bool& shutdown) {
  const auto start = std::chrono::steady_clock::now();
  wire::Response response = answer(request, shutdown);
  response.set_server_nanos(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count()));
  return response;
}

template <typename Op>
wire::Response Dispatcher::serve(const wire::Request& request) {
  auto decoded = wire::request_of<Op>(request);
  if (!decoded) return error_response(decoded.error());
  auto answer = service::call<Op>(service_, *decoded);
  if (!answer) return error_response(answer.error());
  return wire::answer_message<Op>(*answer);
}

wire::Response Dispatcher::answer(const wire::Request& request, bool& shutdown) {
  ++stats_.requests;
  try {
    if (hooks_.before_request && !is_control(request)) {
      hooks_.before_request(request);
    }
    std::optional<wire::Response> served;
    service::for_each_operation([&]<typename Op>() {
      if (request.body_case() == wire::OperationWire<Op>::request_case) served = serve<Op>(request);
    });
    if (served) return std::move(*served);
    switch (request.body_case()) {
      case wire::Request::kStats: return stats();
      case wire::Request::kProgress: return progress(request.progress());
      case wire::Request::kReload: {
        service_.kernels().clear();
        wire::Response r;
        r.mutable_reload();
        return r;
      }
      case wire::Request::kShutdown: {
        shutdown = true;
        wire::Response r;
        r.mutable_shutdown();
        return r;
      }
      case wire::Request::kHello:
        return error_response({ErrorCode::kInvalidArgument, "hello is only valid as the first request"});
      default:
        break;
    }
    return error_response({ErrorCode::kInvalidArgument, "empty or unknown request"});
  } catch (const std::exception& e) {
    return error_response({ErrorCode::kInternal, std::string("internal error: ") + e.what()});
  } catch (...) {
    return error_response({ErrorCode::kInternal, "internal error"});
  }
}

wire::Response Dispatcher::stats() {
  const service::KernelCache& kernels = service_.kernels();
  wire::Response response;
  wire::StatsReply* s = response.mutable_stats();
  s->set_kernels(kernels.kernels());
  s->set_files(kernels.files());
  s->set_memory_bytes(kernels.memory_bytes());
  s->set_records_read(kernels.records_read());
  s->set_records_reused(kernels.records_reused());
  s->set_indexes_built(kernels.indexes_built());
  s->set_requests(stats_.requests.load());
  s->set_uptime_seconds(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count()));
  s->set_pid(static_cast<uint32_t>(::getpid()));
  s->set_build_id(build_id_);
  return response;
}

wire::Response Dispatcher::progress(const wire::ProgressRequest& in) {
  auto target = wire::from_wire(in.target());
  if (!target) return error_response(target.error());
  wire::Response r;
  wire::ProgressReply* reply = r.mutable_progress();
  if (auto p = service_.kernels().progress(*target)) {
    reply->set_indexing(true);
    reply->set_stage(p->stage);
    reply->set_done(p->done);
    reply->set_total(p->total);
  }
  return r;
}

}  // namespace kas::daemon
