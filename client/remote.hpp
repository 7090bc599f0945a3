// Engine calls through the daemon. Each returns nullopt when no daemon could
// be used (after printing a one-line warning): the caller then runs the
// same request in-process. A failure of the request itself is an Error.
#pragma once

#include <optional>

#include "client/connection.hpp"
#include "core/engine/engine.hpp"
#include "core/query/answers.hpp"
#include "core/query/query_target.hpp"

namespace kas::cli {

[[nodiscard]] std::optional<Result<VmlinuxResult>> remote_vmlinux(const DaemonOptions& daemon,
                                                                  const VmlinuxRequest& request);
[[nodiscard]] std::optional<Result<ModuleResult>> remote_module(const DaemonOptions& daemon,
                                                                const ModuleRequest& request);
[[nodiscard]] std::optional<Result<std::string>> remote_census(const DaemonOptions& daemon, const KernelFiles& sources,
                                                               Lto lto, bool units);

// One LookupAnswer per pattern, in order.
[[nodiscard]] std::optional<Result<std::vector<LookupAnswer>>> remote_lookup(const DaemonOptions& daemon,
                                                                            const QueryTarget& target,
                                                                            const std::vector<std::string>& patterns,
                                                                            size_t limit);
[[nodiscard]] std::optional<Result<std::vector<ResolveAnswer>>> remote_resolve(const DaemonOptions& daemon,
                                                                              const QueryTarget& target,
                                                                              const std::vector<FrameQuery>& queries);
// One ProbeAnswer per query, in order.
[[nodiscard]] std::optional<Result<std::vector<ProbeAnswer>>> remote_probe(const DaemonOptions& daemon,
                                                                          const QueryTarget& target,
                                                                          const std::vector<FrameQuery>& queries,
                                                                          bool kernel_has_aliases);

// How far the daemon is in indexing `target`, as a progress_bar() line;
// nullopt when it is not indexing it or cannot be asked (never starts one).
[[nodiscard]] std::optional<std::string> remote_progress(const DaemonOptions& daemon, const QueryTarget& target);

// Paths made absolute against our cwd: the daemon has its own.
[[nodiscard]] std::string absolute_path(const std::string& p);

}  // namespace kas::cli
