#include "daemon/dispatch.hpp"

#include <unistd.h>

#include <exception>

#include "core/index/module_list.hpp"
#include "proto/convert.hpp"

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
    : build_id_(std::move(build_id)),
      jobs_(jobs),
      kernels_(memory_budget, jobs),
      hooks_(std::move(hooks)) {}

wire::Hello Dispatcher::hello() const {
  wire::Hello hello;
  hello.set_protocol_version(wire::PROTOCOL_VERSION_CURRENT);
  hello.set_build_id(build_id_);
  for (const char* cap : {"vmlinux", "module", "census", "stats", "reload", "shutdown", "lookup", "resolve",
                           "probe", "progress"}) hello.add_capabilities(cap);
  hello.set_pid(static_cast<uint32_t>(::getpid()));
  hello.set_executable(executable_);
  hello.set_socket_activated(socket_activated_);
  return hello;
}

wire::Response Dispatcher::handle(const wire::Request& request, bool& shutdown) {
  const auto start = std::chrono::steady_clock::now();
  wire::Response response = answer(request, shutdown, kernels_);
  response.set_server_nanos(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count()));
  return response;
}

wire::Response Dispatcher::answer(const wire::Request& request, bool& shutdown, KernelCache& kernels) {
  ++stats_.requests;
  try {
    // A module request holds its output's directory from here, before any
    // wait (the test delay too) or read: kas::ModuleRequest::output_dir.
    Result<ModuleRequest> module_request;
    if (request.body_case() == wire::Request::kModule) {
      module_request = wire::from_wire(request.module(), jobs_);
      if (module_request) module_request->output_dir = open_module_output(*module_request);
    }
    if (hooks_.before_request && !is_control(request)) {
      hooks_.before_request(request);
    }
    switch (request.body_case()) {
      case wire::Request::kVmlinux: return vmlinux(request.vmlinux(), kernels);
      case wire::Request::kModule: return module(std::move(module_request), kernels);
      case wire::Request::kCensus: return census(request.census(), kernels);
      case wire::Request::kStats: return stats();
      case wire::Request::kLookup: return lookup(request.lookup(), kernels);
      case wire::Request::kResolve: return resolve(request.resolve(), kernels);
      case wire::Request::kProbe: return probe(request.probe(), kernels);
      case wire::Request::kProgress: return progress(request.progress(), kernels);
      case wire::Request::kReload: {
        kernels_.clear();
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
      case wire::Request::BODY_NOT_SET:
        break;
    }
    return error_response({ErrorCode::kInvalidArgument, "empty or unknown request"});
  } catch (const std::exception& e) {
    return error_response({ErrorCode::kInternal, std::string("internal error: ") + e.what()});
  } catch (...) {
    return error_response({ErrorCode::kInternal, "internal error"});
  }
}

wire::Response Dispatcher::vmlinux(const wire::VmlinuxRequest& in, KernelCache& kernels) {
  auto request = wire::from_wire(in, jobs_);
  if (!request) return error_response(request.error());
  auto snapshot = kernels.snapshot(request->census, request->alias.lto, /*locate=*/false);
  if (!snapshot) return error_response(snapshot.error());
  auto result = alias_vmlinux(*request, **snapshot);
  if (!result) return error_response(result.error());
  wire::Response response;
  wire::to_wire(*result, *response.mutable_vmlinux());
  return response;
}

wire::Response Dispatcher::module(Result<ModuleRequest> request, KernelCache& kernels) {
  if (!request) return error_response(request.error());
  auto sources = module_census_sources(*request);
  if (!sources) return error_response(sources.error());
  // The tree is fetched when the engine asks for the census, as the
  // in-process engine reads its sources then: same order, same errors. The
  // module may be one of the tree's (a kbuild rebuild): its stamp is checked,
  // and only it is re-read when it changed.
  auto result = alias_module(*request, [&](const ModuleKeys& keys, const std::string& skip) -> Result<RestrictedCensus> {
    auto snapshot = kernels.snapshot(*sources, request->alias.lto, /*locate=*/true, request->input);
    if (!snapshot) return std::unexpected(snapshot.error());
    return (*snapshot)->restricted(keys.under((*snapshot)->lto()), skip, request->input);
  });
  if (!result) return error_response(result.error());
  wire::Response response;
  wire::to_wire(*result, *response.mutable_module());
  return response;
}

wire::Response Dispatcher::census(const wire::CensusRequest& in, KernelCache& kernels) {
  kas::KernelFiles sources = wire::from_wire(in.census());
  if (auto r = wire::check_paths(sources); !r) return error_response(r.error());
  auto snapshot = kernels.snapshot(sources, wire::from_wire(in.lto()), /*locate=*/false);
  if (!snapshot) return error_response(snapshot.error());
  const CensusResult census = census_of(**snapshot, in.units());
  wire::Response response;
  response.mutable_census()->set_symbfreq(census.census.to_symbfreq());
  response.mutable_census()->set_modules(census.modules);
  return response;
}

wire::Response Dispatcher::stats() {
  wire::Response response;
  wire::StatsReply* s = response.mutable_stats();
  s->set_trees(kernels_.kernels());
  s->set_files(kernels_.files());
  s->set_memory_bytes(kernels_.memory_bytes());
  s->set_records_read(kernels_.records_read());
  s->set_records_reused(kernels_.records_reused());
  s->set_indexes_built(kernels_.indexes_built());
  s->set_requests(stats_.requests.load());
  s->set_uptime_seconds(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count()));
  s->set_pid(static_cast<uint32_t>(::getpid()));
  s->set_build_id(build_id_);
  return response;
}

}  // namespace kas::daemon
