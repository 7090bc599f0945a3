#include "client/link/remote.hpp"

#include <cstdio>
#include <cstdlib>

#include "client/render/progress_display.hpp"
#include "proto/operation_envelope.hpp"
#include "service/request_paths.hpp"

namespace kas::cli {

namespace {

template <typename Op>
Result<typename Op::Answer> exchange(const DaemonOptions& daemon, const typename Op::Request& request) {
  const typename Op::Request sent = service::with_absolute_paths(request);
  const service::PathSpellings spellings = service::path_spellings(request);
  std::optional<WaitIndicator> wait;
  if constexpr (requires { sent.target; }) {
    wait.emplace([&] { return remote_progress(daemon, sent.target); });
  }
  auto response = call_daemon(daemon, wire::operation_request<Op>(sent));
  wait.reset();
  if (!response) return fail(ErrorCode::kUnavailable, response.error().message);
  if (std::getenv("KAS_TIMING") != nullptr) {
    std::fprintf(stderr, "kas: server %.3f ms\n", static_cast<double>(response->server_nanos()) / 1e6);
  }
  auto answer = wire::operation_answer<Op>(*response);
  if (!answer) answer.error().message = service::as_given(std::move(answer.error().message), spellings);
  return answer;
}

}  // namespace

Result<VmlinuxResult> RemoteService::vmlinux(const VmlinuxRequest& r) {
  return exchange<service::VmlinuxOperation>(daemon_, r);
}
Result<ModuleResult> RemoteService::module(const ModuleRequest& r) {
  return exchange<service::ModuleOperation>(daemon_, r);
}
Result<CensusResult> RemoteService::census(const CensusRequest& r) {
  return exchange<service::CensusOperation>(daemon_, r);
}
Result<std::vector<LookupAnswer>> RemoteService::lookup(const LookupRequest& r) {
  return exchange<service::LookupOperation>(daemon_, r);
}
Result<std::vector<ResolveAnswer>> RemoteService::resolve(const ResolveRequest& r) {
  return exchange<service::ResolveOperation>(daemon_, r);
}
Result<std::vector<ProbeAnswer>> RemoteService::probe(const ProbeRequest& r) {
  return exchange<service::ProbeOperation>(daemon_, r);
}

std::optional<std::string> remote_progress(const DaemonOptions& daemon, const QueryTarget& target) {
  auto fd = connect_existing(socket_path_of(daemon));
  if (!fd) return std::nullopt;
  if (!wire::write_request(fd->get(), wire::RequestEnvelope::progress(target))) return std::nullopt;
  auto response = wire::read_response(fd->get());
  if (!response) return std::nullopt;
  auto p = response->progress();
  if (!p || !p->indexing) return std::nullopt;
  return progress_bar(p->stage, p->done, p->total);
}

}  // namespace kas::cli
