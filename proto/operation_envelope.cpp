#include "proto/operation_envelope.hpp"

#include "proto/operation_wire.hpp"

namespace kas::wire {

template <typename Op>
RequestEnvelope operation_request(const typename Op::Request& request) {
  return RequestEnvelope(request_message<Op>(request));
}

template <typename Op>
Result<typename Op::Answer> operation_answer(const ResponseEnvelope& reply) {
  return answer_of<Op>(reply.message());
}

// The header declares the two without the generated code it would need;
// they exist for exactly the operations operation_wire.hpp maps.
#define KAS_INSTANTIATE(OP, FIELD, CASE)                                                        \
  template RequestEnvelope operation_request<service::OP>(const service::OP::Request& request); \
  template Result<service::OP::Answer> operation_answer<service::OP>(const ResponseEnvelope& reply);
KAS_WIRE_OPERATIONS(KAS_INSTANTIATE)
#undef KAS_INSTANTIATE

namespace {

template <typename Op>
ResponseEnvelope serve(service::Service& service, const Request& request) {
  auto decoded = request_of<Op>(request);
  if (!decoded) return ResponseEnvelope::failure(decoded.error());
  auto answer = service::call<Op>(service, *decoded);
  if (!answer) return ResponseEnvelope::failure(answer.error());
  return ResponseEnvelope(answer_message<Op>(*answer));
}

}  // namespace

std::optional<ResponseEnvelope> serve_operation(service::Service& service, const RequestEnvelope& request) {
  std::optional<ResponseEnvelope> served;
  service::for_each_operation([&]<typename Op>() {
    if (request.message().body_case() == OperationWire<Op>::request_case)
      served = serve<Op>(service, request.message());
  });
  return served;
}

std::vector<std::string> operation_names() {
  std::vector<std::string> names;
  service::for_each_operation([&]<typename Op>() { names.emplace_back(OperationWire<Op>::name); });
  return names;
}

}  // namespace kas::wire
