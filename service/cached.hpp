// The operations answered from kernels kept across requests: what kasd
// runs. A kernel's snapshot is read once for every kbuild request and
// question about it (kernel_cache.hpp); a module request of a parallel make
// reads its own object and nothing else.
#pragma once

#include <cstddef>
#include <optional>

#include "service/kernel_cache.hpp"
#include "service/service.hpp"

namespace kas::service {

class CachedService final : public Service {
 public:
  // Kernels are kept within `memory_budget` bytes and the descriptor budget
  // (KernelCache); `jobs` threads read a kernel's files.
  CachedService(size_t memory_budget, unsigned jobs, std::optional<size_t> descriptor_budget = std::nullopt);

  // Thread-safe.
  Result<VmlinuxResult> vmlinux(const VmlinuxRequest& request) override;
  Result<ModuleResult> module(const ModuleRequest& request) override;
  Result<CensusResult> census(const CensusRequest& request) override;
  // An answer that touched a file changed since indexing is computed again
  // from a fresh index, so no answer mixes old and new.
  Result<std::vector<LookupAnswer>> lookup(const LookupRequest& request) override;
  Result<std::vector<ResolveAnswer>> resolve(const ResolveRequest& request) override;
  Result<std::vector<ProbeAnswer>> probe(const ProbeRequest& request) override;

  // What the daemon reports and clears (stats, progress, reload).
  [[nodiscard]] KernelCache& kernels() { return kernels_; }

 private:
  template <typename Request>
  [[nodiscard]] auto ask(const Request& request) -> Result<decltype(answer(std::declval<const SymbolIndex&>(), request))>;

  unsigned jobs_;
  KernelCache kernels_;
};

}  // namespace kas::service
