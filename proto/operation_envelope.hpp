// The operation table (service/service.hpp) over envelopes: what kas's stub
// and kasd's dispatch are written with, generic over the operations and
// blind to the wire messages (operation_wire.hpp maps those).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "proto/request_envelope.hpp"
#include "proto/response_envelope.hpp"
#include "service/service.hpp"

namespace kas::wire {

// kas: Op's request, to send. Defined for every operation of the table
// (operation_envelope.cpp instantiates them).
template <typename Op>
[[nodiscard]] RequestEnvelope operation_request(const typename Op::Request& request);

// kas: the answer, or the Error, `reply` carries; kInternal for a reply
// of another kind.
template <typename Op>
[[nodiscard]] Result<typename Op::Answer> operation_answer(const ResponseEnvelope& reply);

// kasd: `request` answered by `service` when it is an operation's: the
// answer, or an Error (a request that does not decode, the operation's
// failure). nullopt when it is no operation's (RequestKind::kOther covers
// both). Exceptions are the caller's.
[[nodiscard]] std::optional<ResponseEnvelope> serve_operation(service::Service& service,
                                                              const RequestEnvelope& request);

// The operations' names in table order, as Hello lists them.
[[nodiscard]] std::vector<std::string> operation_names();

}  // namespace kas::wire
