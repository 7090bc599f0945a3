// The seam between the programs and the core: every operation kas can ask
// for, declared once as a request type, an answer type and a method of
// Service. Three implementations answer them alike:
//   InProcessService  (in_process.hpp)   a snapshot of the kernel per command;
//   CachedService     (cached.hpp)       the kernels kept across requests: kasd's;
//   RemoteService     (client/link)      kas's stub: the request to kasd and back.
// The daemon's dispatch and kas's stub are generic over `Operations`
// (proto/operation_wire.hpp maps each to its wire messages), so a new
// operation is a request/answer pair, a method and a wire message, not
// glue on both sides.
//
// Requests reach a Service settled (request_paths.hpp: absolute paths, an
// installed kernel's files found), and answers write nothing: kas writes
// every output (module_output.hpp says why).
#pragma once

#include <tuple>
#include <vector>

#include "core/engine/engine.hpp"
#include "core/engine/engine_module.hpp"
#include "core/query/questions.hpp"
#include "core/util/result.hpp"

namespace kas::service {

class Service {
 public:
  Service() = default;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;
  virtual ~Service() = default;

  // kas vmlinux: vmlinux's nm listing with alias lines added.
  [[nodiscard]] virtual Result<VmlinuxResult> vmlinux(const VmlinuxRequest& request) = 0;
  // kas module: a module object's aliases (module_output.hpp writes them).
  [[nodiscard]] virtual Result<ModuleResult> module(const ModuleRequest& request) = 0;
  // kas census.
  [[nodiscard]] virtual Result<CensusResult> census(const CensusRequest& request) = 0;
  // kas lookup; kas resolve and decode; kas probe.
  [[nodiscard]] virtual Result<std::vector<LookupAnswer>> lookup(const LookupRequest& request) = 0;
  [[nodiscard]] virtual Result<std::vector<ResolveAnswer>> resolve(const ResolveRequest& request) = 0;
  [[nodiscard]] virtual Result<std::vector<ProbeAnswer>> probe(const ProbeRequest& request) = 0;
};

template <typename Req, typename Ans, Result<Ans> (Service::*Method)(const Req&)>
struct Operation {
  using Request = Req;
  using Answer = Ans;
  static constexpr auto method = Method;
};

using VmlinuxOperation = Operation<VmlinuxRequest, VmlinuxResult, &Service::vmlinux>;
using ModuleOperation = Operation<ModuleRequest, ModuleResult, &Service::module>;
using CensusOperation = Operation<CensusRequest, CensusResult, &Service::census>;
using LookupOperation = Operation<LookupRequest, std::vector<LookupAnswer>, &Service::lookup>;
using ResolveOperation = Operation<ResolveRequest, std::vector<ResolveAnswer>, &Service::resolve>;
using ProbeOperation = Operation<ProbeRequest, std::vector<ProbeAnswer>, &Service::probe>;

using Operations = std::tuple<VmlinuxOperation, ModuleOperation, CensusOperation, LookupOperation, ResolveOperation,
                              ProbeOperation>;

// Calls `f.template operator()<Op>()` for each operation, in table order.
template <typename F>
void for_each_operation(F&& f) {
  [&]<typename... Op>(std::tuple<Op...>*) { (f.template operator()<Op>(), ...); }(static_cast<Operations*>(nullptr));
}

template <typename Op>
[[nodiscard]] Result<typename Op::Answer> call(Service& service, const typename Op::Request& request) {
  return (service.*Op::method)(request);
}

// A Service whose every method is one template, Impl::run<Op>: the stub and
// the fallback, which do the same for every operation.
template <typename Impl>
class GenericService : public Service {
 public:
  Result<VmlinuxResult> vmlinux(const VmlinuxRequest& r) override { return self().template run<VmlinuxOperation>(r); }
  Result<ModuleResult> module(const ModuleRequest& r) override { return self().template run<ModuleOperation>(r); }
  Result<CensusResult> census(const CensusRequest& r) override { return self().template run<CensusOperation>(r); }
  Result<std::vector<LookupAnswer>> lookup(const LookupRequest& r) override {
    return self().template run<LookupOperation>(r);
  }
  Result<std::vector<ResolveAnswer>> resolve(const ResolveRequest& r) override {
    return self().template run<ResolveOperation>(r);
  }
  Result<std::vector<ProbeAnswer>> probe(const ProbeRequest& r) override {
    return self().template run<ProbeOperation>(r);
  }

 private:
  Impl& self() { return static_cast<Impl&>(*this); }
};

}  // namespace kas::service
