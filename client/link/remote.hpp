// kas's stub of the Service (service/service.hpp): each request, its paths
// made absolute (kasd has its own working directory), to kasd, and its
// answer back. kUnavailable when no daemon could be used (none reachable or
// startable, one that kept dying, one out of room): FallbackService then
// runs the request in process. A failure of the request itself is kasd's
// Error.
#pragma once

#include <optional>
#include <string>

#include "client/link/connection.hpp"
#include "service/service.hpp"

namespace kas::cli {

class RemoteService final : public service::Service {
 public:
  explicit RemoteService(DaemonOptions daemon) : daemon_(std::move(daemon)) {}

  Result<VmlinuxResult> vmlinux(const VmlinuxRequest& request) override;
  Result<ModuleResult> module(const ModuleRequest& request) override;
  Result<CensusResult> census(const CensusRequest& request) override;
  // While kasd builds the target's index, a bar on a terminal
  // (client/render/progress_display.hpp).
  Result<std::vector<LookupAnswer>> lookup(const LookupRequest& request) override;
  Result<std::vector<ResolveAnswer>> resolve(const ResolveRequest& request) override;
  Result<std::vector<ProbeAnswer>> probe(const ProbeRequest& request) override;

 private:
  DaemonOptions daemon_;
};

// How far the daemon is in indexing `target`, as a progress_bar() line;
// nullopt when it is not indexing it or cannot be asked (never starts one).
[[nodiscard]] std::optional<std::string> remote_progress(const DaemonOptions& daemon, const QueryTarget& target);

}  // namespace kas::cli
