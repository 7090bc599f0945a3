// The operations answered in this process from the kernel's files, read for
// the command (kas --no-daemon, or no kasd to ask). A module request reads
// only the names its module defines; a question builds the kernel's index,
// which the command's next question about the same kernel reuses.
#pragma once

#include <memory>
#include <string>

#include "core/util/progress.hpp"
#include "service/service.hpp"

namespace kas::service {

class InProcessService final : public Service {
 public:
  // `jobs` threads read the kernel's files; `progress` (may be empty)
  // hears how far an index build is.
  explicit InProcessService(unsigned jobs, ProgressFn progress = {});

  Result<VmlinuxResult> vmlinux(const VmlinuxRequest& request) override;
  Result<ModuleResult> module(const ModuleRequest& request) override;
  Result<CensusResult> census(const CensusRequest& request) override;
  // Answers read from a file that changed since it was indexed fail the
  // question (SymbolIndex::unchanged).
  Result<std::vector<LookupAnswer>> lookup(const LookupRequest& request) override;
  Result<std::vector<ResolveAnswer>> resolve(const ResolveRequest& request) override;
  Result<std::vector<ProbeAnswer>> probe(const ProbeRequest& request) override;

 private:
  [[nodiscard]] Result<std::shared_ptr<const SymbolIndex>> index(const QueryTarget& target);
  template <typename Request>
  [[nodiscard]] auto ask(const Request& request) -> Result<decltype(answer(std::declval<const SymbolIndex&>(), request))>;

  unsigned jobs_;
  ProgressFn progress_;
  std::string indexed_key_;  // target_key of index_
  std::shared_ptr<const SymbolIndex> index_;
};

}  // namespace kas::service
