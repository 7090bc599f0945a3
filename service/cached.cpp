#include "service/cached.hpp"

namespace kas::service {

CachedService::CachedService(size_t memory_budget, unsigned jobs, std::optional<size_t> descriptor_budget)
    : jobs_(std::max(1u, jobs)), kernels_(memory_budget, jobs_, descriptor_budget) {}

Result<VmlinuxResult> CachedService::vmlinux(const VmlinuxRequest& request) {
  VmlinuxRequest r = request;
  r.jobs = jobs_;
  auto snapshot = kernels_.snapshot(r.census, r.alias.lto, /*locate=*/false);
  if (!snapshot) return std::unexpected(snapshot.error());
  return alias_vmlinux(r, **snapshot);
}

Result<ModuleResult> CachedService::module(const ModuleRequest& request) {
  ModuleRequest r = request;
  r.jobs = jobs_;
  auto object = ModuleObject::open(r.input);
  if (!object) return std::unexpected(object.error());
  // The module may be one of the tree's (a kbuild rebuild): its stamp is
  // checked, and only it is read again when it changed.
  auto snapshot = kernels_.snapshot(r.census, r.alias.lto, /*locate=*/true, r.input);
  if (!snapshot) return std::unexpected(snapshot.error());
  const KernelSnapshot& kernel = **snapshot;
  return decide_module(r, *object, kernel.restricted(object->census_keys(kernel.lto()), object->name(), r.input));
}

Result<CensusResult> CachedService::census(const CensusRequest& request) {
  if (auto r = check_countable(request.sources); !r) return std::unexpected(r.error());
  auto snapshot = kernels_.snapshot(request.sources, request.lto, /*locate=*/false);
  if (!snapshot) return std::unexpected(snapshot.error());
  return census_of(request, **snapshot);
}

template <typename Request>
auto CachedService::ask(const Request& request)
    -> Result<decltype(answer(std::declval<const SymbolIndex&>(), request))> {
  for (int attempt = 0;; ++attempt) {
    auto index = kernels_.index(request.target);
    if (!index) return std::unexpected(index.error());
    auto answers = answer(**index, request);
    if (!(*index)->changed() || attempt == 1) return answers;
    kernels_.invalidate(request.target, *index);
  }
}

Result<std::vector<LookupAnswer>> CachedService::lookup(const LookupRequest& request) { return ask(request); }
Result<std::vector<ResolveAnswer>> CachedService::resolve(const ResolveRequest& request) { return ask(request); }
Result<std::vector<ProbeAnswer>> CachedService::probe(const ProbeRequest& request) { return ask(request); }

}  // namespace kas::service
