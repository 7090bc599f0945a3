#include "service/in_process.hpp"

#include "core/query/symbol_index.hpp"

namespace kas::service {

InProcessService::InProcessService(unsigned jobs, ProgressFn progress)
    : jobs_(std::max(1u, jobs)), progress_(std::move(progress)) {}

Result<VmlinuxResult> InProcessService::vmlinux(const VmlinuxRequest& request) {
  VmlinuxRequest r = request;
  r.jobs = jobs_;
  return alias_vmlinux(r);
}

Result<ModuleResult> InProcessService::module(const ModuleRequest& request) {
  ModuleRequest r = request;
  r.jobs = jobs_;
  return alias_module(r);
}

Result<CensusResult> InProcessService::census(const CensusRequest& request) {
  CensusRequest r = request;
  r.jobs = jobs_;
  return build_census(r);
}

Result<std::shared_ptr<const SymbolIndex>> InProcessService::index(const QueryTarget& target) {
  const std::string key = target_key(target);
  if (index_ != nullptr && key == indexed_key_) return index_;
  auto built = SymbolIndex::build(target, jobs_, progress_);
  if (!built) return std::unexpected(built.error());
  indexed_key_ = key;
  index_ = *built;
  return index_;
}

template <typename Request>
auto InProcessService::ask(const Request& request)
    -> Result<decltype(answer(std::declval<const SymbolIndex&>(), request))> {
  auto index = this->index(request.target);
  if (!index) return std::unexpected(index.error());
  auto answers = answer(**index, request);
  if (auto same = (*index)->unchanged(); !same) return std::unexpected(same.error());
  return answers;
}

Result<std::vector<LookupAnswer>> InProcessService::lookup(const LookupRequest& request) { return ask(request); }
Result<std::vector<ResolveAnswer>> InProcessService::resolve(const ResolveRequest& request) { return ask(request); }
Result<std::vector<ProbeAnswer>> InProcessService::probe(const ProbeRequest& request) { return ask(request); }

}  // namespace kas::service
