// core/query types <-> wire messages (lookup, resolve, decode, probe).
#pragma once

#include <vector>

#include "core/query/answers.hpp"
#include "core/query/questions.hpp"
#include "core/query/query_target.hpp"
#include "kas.pb.h"

namespace kas::wire {

void to_wire(const kas::QueryTarget& in, wire::QueryTarget& out);
[[nodiscard]] Result<kas::QueryTarget> from_wire(const wire::QueryTarget& in);

void to_wire(const kas::LookupAnswer& in, wire::LookupMatches& out);
[[nodiscard]] kas::LookupAnswer from_wire(const wire::LookupMatches& in);

void to_wire(const kas::FrameQuery& in, wire::FrameQuery& out);
[[nodiscard]] kas::FrameQuery from_wire(const wire::FrameQuery& in);

void to_wire(const kas::ResolveAnswer& in, wire::ResolveAnswer& out);
[[nodiscard]] kas::ResolveAnswer from_wire(const wire::ResolveAnswer& in);

void to_wire(const kas::ProbeAnswer& in, wire::ProbeAnswer& out);
[[nodiscard]] kas::ProbeAnswer from_wire(const wire::ProbeAnswer& in);

void to_wire(const kas::LookupRequest& in, wire::LookupRequest& out);
[[nodiscard]] Result<kas::LookupRequest> from_wire(const wire::LookupRequest& in);
void to_wire(const std::vector<kas::LookupAnswer>& in, wire::LookupReply& out);
[[nodiscard]] std::vector<kas::LookupAnswer> from_wire(const wire::LookupReply& in);

void to_wire(const kas::ResolveRequest& in, wire::ResolveRequest& out);
[[nodiscard]] Result<kas::ResolveRequest> from_wire(const wire::ResolveRequest& in);
void to_wire(const std::vector<kas::ResolveAnswer>& in, wire::ResolveReply& out);
[[nodiscard]] std::vector<kas::ResolveAnswer> from_wire(const wire::ResolveReply& in);

void to_wire(const kas::ProbeRequest& in, wire::ProbeRequest& out);
[[nodiscard]] Result<kas::ProbeRequest> from_wire(const wire::ProbeRequest& in);
void to_wire(const std::vector<kas::ProbeAnswer>& in, wire::ProbeReply& out);
[[nodiscard]] std::vector<kas::ProbeAnswer> from_wire(const wire::ProbeReply& in);

}  // namespace kas::wire
