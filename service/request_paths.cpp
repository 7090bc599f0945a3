#include "service/request_paths.hpp"

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

KernelFiles absolute(KernelFiles files) {
  files.vmlinux = absolute_path(files.vmlinux);
  files.census_path = absolute_path(files.census_path);
  for (std::string& p : files.modules_orders) p = absolute_path(p);
  for (std::string& p : files.module_dirs) p = absolute_path(p);
  return files;
}

}  // namespace

QueryTarget with_absolute_paths(QueryTarget target) {
  target.kernel = absolute(std::move(target.kernel));
  target.srctree = absolute_path(target.srctree);
  return target;
}

VmlinuxRequest with_absolute_paths(VmlinuxRequest request) {
  request.census = absolute(std::move(request.census));
  request.elf_path = absolute_path(request.elf_path);
  request.srctree = absolute_path(request.srctree);
  return request;
}

ModuleRequest with_absolute_paths(ModuleRequest request) {
  request.census = absolute(std::move(request.census));
  request.input = absolute_path(request.input);
  request.srctree = absolute_path(request.srctree);
  return request;
}

CensusRequest with_absolute_paths(CensusRequest request) {
  request.sources = absolute(std::move(request.sources));
  return request;
}

LookupRequest with_absolute_paths(LookupRequest request) {
  request.target = with_absolute_paths(std::move(request.target));
  return request;
}

ResolveRequest with_absolute_paths(ResolveRequest request) {
  request.target = with_absolute_paths(std::move(request.target));
  return request;
}

ProbeRequest with_absolute_paths(ProbeRequest request) {
  request.target = with_absolute_paths(std::move(request.target));
  return request;
}

}  // namespace kas::service
