// Data-parallel loops over a list of independent items (files, CUs).
//
// Items are handed out one at a time from an atomic counter (dynamic
// scheduling): module sizes differ a thousandfold, so static chunks would
// leave a core idle behind one large module. Each worker receives its own
// index so it can fill per-worker partial results that the caller merges on
// one thread afterwards; results therefore never depend on scheduling.
//
// Each item begins with check_cancelled(), on every thread, with the
// caller's request context (core/util/request_context.hpp): a daemon request
// nobody waits for any more stops at the next file or unit.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/util/request_context.hpp"

namespace kas {

// Number of workers to use when the user did not say: all cores.
[[nodiscard]] inline unsigned default_jobs() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

// Calls fn(item_index, worker_index) for every item in [0, count) on up to
// `jobs` threads (worker_index < jobs). fn must not throw for bad input (use
// Result values); an exception escaping fn is a bug and is rethrown here after
// all workers stopped (Cancelled among them).
template <typename Fn>
void parallel_for(size_t count, unsigned jobs, Fn&& fn) {
  jobs = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(std::max<size_t>(count, 1))));
  if (jobs == 1) {
    for (size_t i = 0; i < count; ++i) {
      check_cancelled();
      fn(i, 0u);
    }
    return;
  }
  std::atomic<size_t> next{0};
  std::exception_ptr first_exception;
  std::mutex exception_mutex;
  const RequestContext context = current_request();
  auto work = [&](unsigned worker) {
    RequestScope scope(context);
    try {
      for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
        check_cancelled();
        fn(i, worker);
      }
    } catch (...) {
      std::lock_guard lock(exception_mutex);
      if (!first_exception) first_exception = std::current_exception();
      next.store(count);
    }
  };
  std::vector<std::jthread> threads;
  threads.reserve(jobs - 1);
  for (unsigned w = 1; w < jobs; ++w) threads.emplace_back(work, w);
  work(0);
  threads.clear();  // joins
  if (first_exception) std::rethrow_exception(first_exception);
}

}  // namespace kas
