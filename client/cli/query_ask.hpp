// The answers of kas lookup / resolve / decode about the options' kernel:
// from its index, through kasd (one round trip per command: a whole trace is
// one request) or built in this process, or, for --live without debug info,
// from /proc/kallsyms alone (said on stderr).
#pragma once

#include <string>
#include <vector>

#include "client/cli/query_options.hpp"
#include "service/vocabulary.hpp"

namespace kas::cli {

// One answer per pattern, at most `limit` definitions each (0: all).
[[nodiscard]] Result<std::vector<LookupAnswer>> lookup_all(const QueryOptions& o,
                                                           const std::vector<std::string>& patterns, size_t limit);

// One answer per query; --live addresses are runtime addresses, translated
// first.
[[nodiscard]] Result<std::vector<ResolveAnswer>> resolve_all(const QueryOptions& o, std::vector<FrameQuery> queries);

// One answer per query (kas probe). `kernel_has_aliases`: whether the
// target kernel's kallsyms lists aliases; nullopt: as its config says
// (CONFIG_KALLSYMS_ALIAS_SRCLINE=y).
[[nodiscard]] Result<std::vector<ProbeAnswer>> probe_all(const QueryOptions& o, const std::vector<FrameQuery>& queries,
                                                         std::optional<bool> kernel_has_aliases);

}  // namespace kas::cli
