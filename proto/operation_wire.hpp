// Each Service operation's wire messages (service/service.hpp), and the
// generic conversions operation_envelope.cpp serves kasd's dispatch and
// kas's stub with: an operation is mapped here once, by the `body` field its
// request and its reply take, and needs no code of its own on either side.
#pragma once

#include <string>

#include "proto/convert.hpp"
#include "proto/convert_query.hpp"
#include "service/service.hpp"
#include "kas.pb.h"

namespace kas::wire {

template <typename Op>
struct OperationWire;

// The operation table's wire side, one line per operation: its Service
// operation, the oneof member of Request and Response (they share the
// name) and that member's case. An X-macro, so that operation_envelope.cpp
// instantiates its templates for exactly these.
#define KAS_WIRE_OPERATIONS(X)           \
  X(VmlinuxOperation, vmlinux, kVmlinux) \
  X(ModuleOperation, module, kModule)    \
  X(CensusOperation, census, kCensus)    \
  X(LookupOperation, lookup, kLookup)    \
  X(ResolveOperation, resolve, kResolve) \
  X(ProbeOperation, probe, kProbe)

#define KAS_OPERATION_WIRE(OP, FIELD, CASE)                             \
  template <>                                                           \
  struct OperationWire<service::OP> {                                   \
    static constexpr std::string_view name = #FIELD;                    \
    static constexpr Request::BodyCase request_case = Request::CASE;    \
    static constexpr Response::BodyCase response_case = Response::CASE; \
    static const auto& request(const Request& r) { return r.FIELD(); }  \
    static auto* request(Request& r) { return r.mutable_##FIELD(); }    \
    static const auto& answer(const Response& r) { return r.FIELD(); }  \
    static auto* answer(Response& r) { return r.mutable_##FIELD(); }    \
  };

KAS_WIRE_OPERATIONS(KAS_OPERATION_WIRE)

#undef KAS_OPERATION_WIRE

template <typename Op>
[[nodiscard]] Request request_message(const typename Op::Request& request) {
  Request message;
  to_wire(request, *OperationWire<Op>::request(message));
  return message;
}

// The request `message` carries (its body must be Op's). Errors
// kInvalidArgument: paths with NUL bytes, a bad separator.
template <typename Op>
[[nodiscard]] Result<typename Op::Request> request_of(const Request& message) {
  return from_wire(OperationWire<Op>::request(message));
}

template <typename Op>
[[nodiscard]] Response answer_message(const typename Op::Answer& answer) {
  Response message;
  to_wire(answer, *OperationWire<Op>::answer(message));
  return message;
}

// The answer, or the Error, `message` carries; kInternal for a reply of
// another kind.
template <typename Op>
[[nodiscard]] Result<typename Op::Answer> answer_of(const Response& message) {
  if (message.has_error()) return std::unexpected(from_wire(message.error()));
  if (message.body_case() != OperationWire<Op>::response_case) {
    return fail(ErrorCode::kInternal, std::string("kasd's reply to a ") + std::string(OperationWire<Op>::name) +
                                          " request is of another kind");
  }
  return from_wire(OperationWire<Op>::answer(message));
}

}  // namespace kas::wire
