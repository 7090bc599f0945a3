// lookup / resolve / probe: the index of the target from the cache, the answers
// computed from it. An answer that touched a file changed since indexing
// is computed again from a fresh index, so no answer mixes old and new.
#include "daemon/dispatch.hpp"
#include "proto/convert_query.hpp"

namespace kas::daemon {

namespace {

// Runs `answer(index)` against a current index of `target`.
template <typename Fn>
Result<wire::Response> with_index(KernelCache& cache, const QueryTarget& target, Fn answer) {
  for (int attempt = 0;; ++attempt) {
    auto index = cache.index(target);
    if (!index) return std::unexpected(index.error());
    wire::Response response = answer(**index);
    if (!(*index)->changed() || attempt == 1) return response;
    cache.invalidate(target, *index);
  }
}

template <typename Repeated>
std::vector<FrameQuery> queries_of(const Repeated& in) {
  std::vector<FrameQuery> queries;
  queries.reserve(static_cast<size_t>(in.size()));
  for (const wire::FrameQuery& q : in) queries.push_back(wire::from_wire(q));
  return queries;
}

}  // namespace

wire::Response Dispatcher::lookup(const wire::LookupRequest& in, KernelCache& kernels) {
  auto target = wire::from_wire(in.target());
  if (!target) return error_response(target.error());
  auto response = with_index(kernels, *target, [&](const SymbolIndex& index) {
    wire::Response r;
    wire::LookupReply* reply = r.mutable_lookup();
    for (const std::string& pattern : in.patterns()) {
      wire::to_wire(index.lookup(pattern, in.limit()), *reply->add_matches());
    }
    return r;
  });
  return response ? *response : error_response(response.error());
}

wire::Response Dispatcher::resolve(const wire::ResolveRequest& in, KernelCache& kernels) {
  auto target = wire::from_wire(in.target());
  if (!target) return error_response(target.error());
  const std::vector<FrameQuery> queries = queries_of(in.queries());
  auto response = with_index(kernels, *target, [&](const SymbolIndex& index) {
    wire::Response r;
    wire::ResolveReply* reply = r.mutable_resolve();
    for (const ResolveAnswer& a : index.resolve(queries)) wire::to_wire(a, *reply->add_answers());
    return r;
  });
  return response ? *response : error_response(response.error());
}

wire::Response Dispatcher::probe(const wire::ProbeRequest& in, KernelCache& kernels) {
  auto target = wire::from_wire(in.target());
  if (!target) return error_response(target.error());
  const std::vector<FrameQuery> queries = queries_of(in.queries());
  auto response = with_index(kernels, *target, [&](const SymbolIndex& index) {
    wire::Response r;
    wire::ProbeReply* reply = r.mutable_probe();
    for (const ProbeAnswer& a : index.probe(queries, in.kernel_has_aliases())) wire::to_wire(a, *reply->add_answers());
    return r;
  });
  return response ? *response : error_response(response.error());
}

wire::Response Dispatcher::progress(const wire::ProgressRequest& in, KernelCache& kernels) {
  auto target = wire::from_wire(in.target());
  if (!target) return error_response(target.error());
  wire::Response r;
  wire::ProgressReply* reply = r.mutable_progress();
  if (auto p = kernels.progress(*target)) {
    reply->set_indexing(true);
    reply->set_stage(p->stage);
    reply->set_done(p->done);
    reply->set_total(p->total);
  }
  return r;
}

}  // namespace kas::daemon
