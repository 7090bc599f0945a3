#include "service/request_paths.hpp"

#include <algorithm>

#include "core/index/kernel_name.hpp"
#include "core/util/file.hpp"
#include "core/util/path.hpp"

namespace kas::service {

Result<KernelFiles> module_census_sources(KernelFiles census, const std::string& kernel,
                                          const std::string& system_map) {
  if (!census.census_path.empty() && !census.vmlinux.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "--census is the complete census (vmlinux was counted into it); do not combine it with --nm");
  }
  if (kernel.empty()) return census;
  if (!census.census_path.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--kernel and --census are two censuses; give one");
  }
  auto found = find_kernel_files({.kind = KernelName::Kind::kInstalled, .where = kernel, .system_map = system_map},
                                 KernelNeeds::kNames);
  if (!found) return std::unexpected(found.error());
  if (census.vmlinux.empty()) census.vmlinux = found->vmlinux;
  census.module_dirs.insert(census.module_dirs.end(), found->module_dirs.begin(), found->module_dirs.end());
  return census;
}

std::string absolute_path(const std::string& p) {
  if (p.empty() || p == "-") return p;
  if (path::is_absolute(p)) return path::normalize(p);
  return path::join(path::real_path("."), p);
}

namespace {

// Every path of a request, once: what with_absolute_paths rewrites and
// path_spellings reports.
template <typename F>
void for_each_path(KernelFiles& files, F&& f) {
  f(files.vmlinux);
  f(files.census_path);
  for (std::string& p : files.modules_orders) f(p);
  for (std::string& p : files.module_dirs) f(p);
}
template <typename F>
void for_each_path(QueryTarget& target, F&& f) {
  for_each_path(target.kernel, f);
  f(target.srctree);
}
template <typename F>
void for_each_path(VmlinuxRequest& request, F&& f) {
  for_each_path(request.census, f);
  f(request.elf_path);
  f(request.srctree);
}
template <typename F>
void for_each_path(ModuleRequest& request, F&& f) {
  for_each_path(request.census, f);
  f(request.input);
  f(request.srctree);
}
template <typename F>
void for_each_path(CensusRequest& request, F&& f) {
  for_each_path(request.sources, f);
}
template <typename Request, typename F>
  requires requires(Request r) { r.target; }
void for_each_path(Request& request, F&& f) {
  for_each_path(request.target, f);
}

template <typename Request>
Request absolute(Request request) {
  for_each_path(request, [](std::string& p) { p = absolute_path(p); });
  return request;
}

template <typename Request>
PathSpellings spellings(Request request) {
  PathSpellings out;
  for_each_path(request, [&](std::string& p) {
    std::string sent = absolute_path(p);
    if (sent != p) out.emplace_back(std::move(sent), p);
  });
  // The longest first, so that a path is not taken for its directory.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return out;
}

}  // namespace

QueryTarget with_absolute_paths(QueryTarget target) { return absolute(std::move(target)); }
VmlinuxRequest with_absolute_paths(VmlinuxRequest request) { return absolute(std::move(request)); }
ModuleRequest with_absolute_paths(ModuleRequest request) { return absolute(std::move(request)); }
CensusRequest with_absolute_paths(CensusRequest request) { return absolute(std::move(request)); }
LookupRequest with_absolute_paths(LookupRequest request) { return absolute(std::move(request)); }
ResolveRequest with_absolute_paths(ResolveRequest request) { return absolute(std::move(request)); }
ProbeRequest with_absolute_paths(ProbeRequest request) { return absolute(std::move(request)); }

PathSpellings path_spellings(const VmlinuxRequest& request) { return spellings(request); }
PathSpellings path_spellings(const ModuleRequest& request) { return spellings(request); }
PathSpellings path_spellings(const CensusRequest& request) { return spellings(request); }
PathSpellings path_spellings(const LookupRequest& request) { return spellings(request); }
PathSpellings path_spellings(const ResolveRequest& request) { return spellings(request); }
PathSpellings path_spellings(const ProbeRequest& request) { return spellings(request); }

std::string as_given(std::string text, const PathSpellings& spellings) {
  for (const auto& [sent, given] : spellings) {
    for (size_t at = text.find(sent); at != std::string::npos; at = text.find(sent, at + given.size())) {
      text.replace(at, sent.size(), given);
    }
  }
  return text;
}

}  // namespace kas::service
