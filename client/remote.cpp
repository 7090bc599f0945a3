#include "client/remote.hpp"

#include <cstdio>
#include <cstdlib>

#include "core/util/file.hpp"
#include "core/util/path.hpp"
#include "proto/convert.hpp"
#include "client/progress_display.hpp"
#include "proto/convert_query.hpp"
#include "proto/framing.hpp"

namespace kas::cli {

std::string absolute_path(const std::string& p) {
  if (p.empty() || p == "-") return p;
  if (path::is_absolute(p)) return path::normalize(p);
  return path::join(path::real_path("."), p);
}

namespace {

kas::KernelFiles absolute(kas::KernelFiles s) {
  s.vmlinux = absolute_path(s.vmlinux);
  s.census_path = absolute_path(s.census_path);
  for (std::string& p : s.modules_orders) p = absolute_path(p);
  for (std::string& p : s.module_dirs) p = absolute_path(p);
  return s;
}

// The daemon's reply, which must be of the `expected` kind; nullopt when no
// daemon could answer (the caller runs in-process).
std::optional<Result<wire::Response>> exchange(const DaemonOptions& daemon, const wire::Request& request,
                                               wire::Response::BodyCase expected) {
  auto response = call_daemon(daemon, request);
  if (!response) {
    std::fprintf(stderr, "kas: warning: no kasd (%s); running in-process\n", response.error().message.c_str());
    return std::nullopt;
  }
  if (std::getenv("KAS_TIMING") != nullptr) {
    std::fprintf(stderr, "kas: server %.3f ms\n", static_cast<double>(response->server_nanos()) / 1e6);
  }
  if (response->has_error()) return Result<wire::Response>(std::unexpected(wire::from_wire(response->error())));
  if (response->body_case() != expected) return Result<wire::Response>(fail(ErrorCode::kInternal, "unexpected reply"));
  return Result<wire::Response>(std::move(*response));
}

}  // namespace

std::optional<Result<VmlinuxResult>> remote_vmlinux(const DaemonOptions& daemon, const VmlinuxRequest& in) {
  VmlinuxRequest request = in;
  request.census = absolute(request.census);
  request.elf_path = absolute_path(request.elf_path);
  request.srctree = absolute_path(request.srctree);
  wire::Request message;
  wire::to_wire(request, *message.mutable_vmlinux());
  auto response = exchange(daemon, message, wire::Response::kVmlinux);
  if (!response) return std::nullopt;
  if (!*response) return Result<VmlinuxResult>(std::unexpected(response->error()));
  return Result<VmlinuxResult>(wire::from_wire((*response)->vmlinux()));
}

std::optional<Result<ModuleResult>> remote_module(const DaemonOptions& daemon, const ModuleRequest& in) {
  ModuleRequest request = in;
  request.census = absolute(request.census);
  request.input = absolute_path(request.input);
  request.output = absolute_path(request.output);
  request.srctree = absolute_path(request.srctree);
  request.system_map = absolute_path(request.system_map);
  // A directory is named relative to this process, as the resolver would
  // read it here (find_kernel_files); a release name stays as it is.
  if (request.kernel.find('/') != std::string::npos || is_directory(request.kernel)) {
    request.kernel = absolute_path(request.kernel);
  }
  wire::Request message;
  wire::to_wire(request, *message.mutable_module());
  auto response = exchange(daemon, message, wire::Response::kModule);
  if (!response) return std::nullopt;
  if (!*response) return Result<ModuleResult>(std::unexpected(response->error()));
  ModuleResult result = wire::from_wire((*response)->module());
  // Report paths as the user wrote them.
  result.output_path = module_output_path(in);
  return Result<ModuleResult>(std::move(result));
}

std::optional<Result<std::string>> remote_census(const DaemonOptions& daemon, const KernelFiles& sources, Lto lto,
                                                 bool units) {
  wire::Request message;
  wire::to_wire(absolute(sources), *message.mutable_census()->mutable_census());
  message.mutable_census()->set_lto(wire::to_wire(lto));
  message.mutable_census()->set_units(units);
  auto response = exchange(daemon, message, wire::Response::kCensus);
  if (!response) return std::nullopt;
  if (!*response) return Result<std::string>(std::unexpected(response->error()));
  return Result<std::string>((*response)->census().symbfreq());
}

namespace {

wire::QueryTarget absolute(const QueryTarget& in) {
  QueryTarget t = in;
  t.kernel = absolute(t.kernel);
  t.srctree = absolute_path(t.srctree);
  wire::QueryTarget out;
  wire::to_wire(t, out);
  return out;
}

}  // namespace

std::optional<Result<std::vector<LookupAnswer>>> remote_lookup(const DaemonOptions& daemon, const QueryTarget& target,
                                                               const std::vector<std::string>& patterns,
                                                               size_t limit) {
  wire::Request message;
  wire::LookupRequest* request = message.mutable_lookup();
  *request->mutable_target() = absolute(target);
  for (const std::string& p : patterns) request->add_patterns(p);
  request->set_limit(limit);
  auto response = exchange(daemon, message, wire::Response::kLookup);
  if (!response) return std::nullopt;
  if (!*response) return Result<std::vector<LookupAnswer>>(std::unexpected(response->error()));
  std::vector<LookupAnswer> answers;
  for (const wire::LookupMatches& m : (*response)->lookup().matches()) answers.push_back(wire::from_wire(m));
  return Result<std::vector<LookupAnswer>>(std::move(answers));
}

std::optional<Result<std::vector<ResolveAnswer>>> remote_resolve(const DaemonOptions& daemon,
                                                                 const QueryTarget& target,
                                                                 const std::vector<FrameQuery>& queries) {
  wire::Request message;
  wire::ResolveRequest* request = message.mutable_resolve();
  *request->mutable_target() = absolute(target);
  for (const FrameQuery& q : queries) wire::to_wire(q, *request->add_queries());
  auto response = exchange(daemon, message, wire::Response::kResolve);
  if (!response) return std::nullopt;
  if (!*response) return Result<std::vector<ResolveAnswer>>(std::unexpected(response->error()));
  std::vector<ResolveAnswer> answers;
  for (const wire::ResolveAnswer& a : (*response)->resolve().answers()) answers.push_back(wire::from_wire(a));
  return Result<std::vector<ResolveAnswer>>(std::move(answers));
}

std::optional<Result<std::vector<ProbeAnswer>>> remote_probe(const DaemonOptions& daemon, const QueryTarget& target,
                                                             const std::vector<FrameQuery>& queries,
                                                             bool kernel_has_aliases) {
  wire::Request message;
  wire::ProbeRequest* request = message.mutable_probe();
  *request->mutable_target() = absolute(target);
  for (const FrameQuery& q : queries) wire::to_wire(q, *request->add_queries());
  request->set_kernel_has_aliases(kernel_has_aliases);
  auto response = exchange(daemon, message, wire::Response::kProbe);
  if (!response) return std::nullopt;
  if (!*response) return Result<std::vector<ProbeAnswer>>(std::unexpected(response->error()));
  std::vector<ProbeAnswer> answers;
  for (const wire::ProbeAnswer& a : (*response)->probe().answers()) answers.push_back(wire::from_wire(a));
  return Result<std::vector<ProbeAnswer>>(std::move(answers));
}

std::optional<std::string> remote_progress(const DaemonOptions& daemon, const QueryTarget& target) {
  auto fd = connect_existing(socket_path_of(daemon));
  if (!fd) return std::nullopt;
  wire::Request message;
  *message.mutable_progress()->mutable_target() = absolute(target);
  wire::Response response;
  if (!wire::write_frame(fd->get(), message) || !wire::read_frame(fd->get(), response)) return std::nullopt;
  if (!response.has_progress() || !response.progress().indexing()) return std::nullopt;
  const wire::ProgressReply& p = response.progress();
  return progress_bar(p.stage(), p.done(), p.total());
}

}  // namespace kas::cli
