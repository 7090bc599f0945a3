// What a daemon request carries into the core code that answers it,
// without every function between the two passing it on: the memory budget
// its large buffers are reserved from, and whether it is still wanted.
//
// The daemon installs a RequestScope on the worker thread that runs a
// request; parallel_for (core/util/parallel.hpp) installs the same context
// on the threads it starts. Code with nothing installed (kas in-process,
// tests) sees no budget and is never cancelled.
//
// Cancellation is cooperative: a request whose client went away, or that
// ran past its time limit, has its flag set, and the long loops call
// check_cancelled() at natural points (each module, unit or decompressed
// megabyte), which unwinds the request by throwing Cancelled. An exception,
// not an Error value: the loops that check sit deep under functions that
// cannot otherwise fail, and the answer is for no one; every cache on the
// way (daemon/snapshot_cache.hpp) keeps nothing of a cancelled build.
#pragma once

#include <atomic>
#include <exception>

#include "core/util/memory_budget.hpp"

namespace kas {

struct RequestContext {
  MemoryBudget* budget = nullptr;               // null: no budget
  const std::atomic<bool>* cancelled = nullptr;  // null: never cancelled
};

// Thrown by check_cancelled(). Nothing but the daemon's dispatch and its
// caches should catch it.
class Cancelled : public std::exception {
 public:
  [[nodiscard]] const char* what() const noexcept override;
};

// The context installed on this thread; an empty one when none is.
[[nodiscard]] const RequestContext& current_request();

// Throws Cancelled when this thread's request has been cancelled.
void check_cancelled();

// A reservation of zero bytes from this thread's request budget (none: a
// reservation never refused), to grow as its buffer grows.
[[nodiscard]] MemoryReservation reservation_for_request();

// Installs `context` on this thread for its lifetime, restoring the one
// before on destruction. Not movable.
class RequestScope {
 public:
  explicit RequestScope(const RequestContext& context);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  RequestContext saved_;
};

}  // namespace kas
