#include "core/query/questions.hpp"

#include "core/query/symbol_index.hpp"

namespace kas {

std::vector<LookupAnswer> answer(const SymbolIndex& index, const LookupRequest& request) {
  std::vector<LookupAnswer> answers;
  answers.reserve(request.patterns.size());
  for (const std::string& p : request.patterns) answers.push_back(index.lookup(p, request.limit));
  return answers;
}

std::vector<ResolveAnswer> answer(const SymbolIndex& index, const ResolveRequest& request) {
  return index.resolve(request.queries);
}

std::vector<ProbeAnswer> answer(const SymbolIndex& index, const ProbeRequest& request) {
  return index.probe(request.queries, request.kernel_has_aliases);
}

}  // namespace kas
