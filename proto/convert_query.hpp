// core/query types <-> wire messages (lookup, resolve, decode, probe).
#pragma once

#include "core/query/answers.hpp"
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

}  // namespace kas::wire
