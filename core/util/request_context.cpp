#include "core/util/request_context.hpp"

namespace kas {

namespace {

thread_local RequestContext current;

}  // namespace

const char* Cancelled::what() const noexcept {
  return "the request was cancelled: its client went away or it ran past its time limit";
}

const RequestContext& current_request() { return current; }

void check_cancelled() {
  if (current.cancelled != nullptr && current.cancelled->load(std::memory_order_relaxed)) throw Cancelled();
}

MemoryReservation reservation_for_request() { return MemoryReservation(current.budget); }

RequestScope::RequestScope(const RequestContext& context) : saved_(current) { current = context; }

RequestScope::~RequestScope() { current = saved_; }

}  // namespace kas
