// The questions of kas lookup / resolve / decode / probe, each about one
// kernel (QueryTarget), and how an index answers them: the same function
// for an index built for one command and for the daemon's.
#pragma once

#include <string>
#include <vector>

#include "core/query/answers.hpp"
#include "core/query/query_target.hpp"

namespace kas {

class SymbolIndex;

// kas lookup: one answer per pattern, in order.
struct LookupRequest {
  QueryTarget target;
  std::vector<std::string> patterns;
  size_t limit = 0;  // definitions per pattern; 0: all
};

// kas resolve / decode: a whole trace is one request.
struct ResolveRequest {
  QueryTarget target;
  std::vector<FrameQuery> queries;
};

// kas probe: where a kprobe on each query's function goes.
struct ProbeRequest {
  QueryTarget target;
  std::vector<FrameQuery> queries;
  // The target kernel lists its aliases in kallsyms (the client decides,
  // from the kernel's config or the running kernel's /proc/kallsyms).
  bool kernel_has_aliases = false;
};

[[nodiscard]] std::vector<LookupAnswer> answer(const SymbolIndex& index, const LookupRequest& request);
[[nodiscard]] std::vector<ResolveAnswer> answer(const SymbolIndex& index, const ResolveRequest& request);
[[nodiscard]] std::vector<ProbeAnswer> answer(const SymbolIndex& index, const ProbeRequest& request);

}  // namespace kas
