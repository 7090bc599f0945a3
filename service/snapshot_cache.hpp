// Immutable values (the daemon's kernels) built once per key and shared by
// every request.
//
// Identical concurrent requests trigger one build: the first caller
// creates a shared future and builds outside the lock; the others wait on
// it. Errors are not cached. A build whose request is cancelled
// (core/util/request_context.hpp) is forgotten, and a caller that was
// waiting on it builds anew: one client going away fails no other. Past the memory budget (the values'
// approximate_bytes()) or the descriptor budget (their descriptors(): open
// files, which run out long before memory with many small kernels) the
// least recently used key is dropped. Thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <exception>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "core/util/request_context.hpp"
#include "core/util/result.hpp"

namespace kas::service {

template <typename Index>
class SnapshotCache {
 public:
  using Ptr = std::shared_ptr<const Index>;
  using Built = Result<Ptr>;

  explicit SnapshotCache(size_t budget_bytes, size_t budget_descriptors = std::numeric_limits<size_t>::max())
      : budget_(budget_bytes), budget_descriptors_(budget_descriptors) {}

  // The index cached for `key`, or the one `build()` makes, once, for all
  // callers asking meanwhile; `fresh` tells whether this call built it.
  [[nodiscard]] Built get_or_build(const std::string& key, const std::function<Built()>& build, bool* fresh = nullptr) {
    for (;;) {
      std::promise<Built> promise;
      Future future;
      bool building = false;
      {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(key);
        if (it == entries_.end()) {
          future = promise.get_future().share();
          entries_[key] = {future, ++clock_, &promise};
          building = true;
        } else {
          it->second.last_use = ++clock_;
          future = it->second.future;
        }
      }
      if (fresh != nullptr) *fresh = building;
      if (!building) {
        try {
          return future.get();
        } catch (const Cancelled&) {
          check_cancelled();  // ours too: give up; else build it ourselves
          continue;
        }
      }
      try {
        promise.set_value(built_or_error(build));
      } catch (const Cancelled&) {
        // Out of the map before the waiters wake, so that they retry.
        {
          std::lock_guard lock(mutex_);
          auto it = entries_.find(key);
          if (it != entries_.end() && it->second.builder == &promise) entries_.erase(it);
        }
        promise.set_exception(std::current_exception());
        throw;
      }
      std::lock_guard lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end() && !future.get()) entries_.erase(it);  // errors are not cached
      evict_locked();
      return future.get();
    }
  }

  // Evicts past the budget now (a cached value grew: a kernel got a lookup
  // index).
  void trim() {
    std::lock_guard lock(mutex_);
    evict_locked();
  }

  // Makes `index` the one cached for `key` (a refreshed index).
  void put(const std::string& key, Ptr index) {
    std::lock_guard lock(mutex_);
    std::promise<Built> ready;
    ready.set_value(std::move(index));
    entries_[key] = {ready.get_future().share(), ++clock_};
    evict_locked();
  }

  // Drops `key`'s entry if it still holds `index` (found stale).
  void drop_if(const std::string& key, const Ptr& index) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || !is_ready(it->second.future)) return;
    const Built& cached = it->second.future.get();
    if (cached && *cached == index) entries_.erase(it);
  }

  // The value cached for `key` if it is built; null otherwise.
  [[nodiscard]] Ptr peek(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || !is_ready(it->second.future) || !it->second.future.get()) return nullptr;
    return *it->second.future.get();
  }

  // Every built value with its key (to be checked outside the lock).
  [[nodiscard]] std::vector<std::pair<std::string, Ptr>> built() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, Ptr>> out;
    for (const auto& [key, e] : entries_) {
      if (is_ready(e.future) && e.future.get()) out.emplace_back(key, *e.future.get());
    }
    return out;
  }

  void clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }

  [[nodiscard]] size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

  // Sum of fn(index) over the built indexes.
  template <typename Fn>
  [[nodiscard]] size_t sum(Fn fn) const {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto& [key, e] : entries_) {
      if (is_ready(e.future) && e.future.get()) n += fn(**e.future.get());
    }
    return n;
  }

 private:
  using Future = std::shared_future<Built>;
  struct Entry {
    Future future;
    uint64_t last_use = 0;
    const void* builder = nullptr;  // the promise of the call building it (identity only)
  };

  // An exception (bad_alloc on a large kernel) is an error like any other:
  // a promise left unset would poison the entry for every later caller.
  static Built built_or_error(const std::function<Built()>& build) {
    try {
      return build();
    } catch (const Cancelled&) {
      throw;  // for get_or_build: not an error to keep
    } catch (const std::bad_alloc&) {
      return fail(ErrorCode::kExhausted, "out of memory while indexing");
    } catch (const std::exception& e) {
      return fail(ErrorCode::kInternal, std::string("internal error while indexing: ") + e.what());
    }
  }

  static bool is_ready(const Future& f) { return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }

  void evict_locked() {
    for (;;) {
      size_t bytes = 0;
      size_t descriptors = 0;
      for (const auto& [key, e] : entries_) {
        if (is_ready(e.future) && e.future.get()) {
          bytes += (*e.future.get())->approximate_bytes();
          descriptors += (*e.future.get())->descriptors();
        }
      }
      if ((bytes <= budget_ && descriptors <= budget_descriptors_) || entries_.size() <= 1) return;
      auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return a.second.last_use < b.second.last_use;
      });
      entries_.erase(oldest);
    }
  }

  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  uint64_t clock_ = 0;
  size_t budget_;
  size_t budget_descriptors_;
};

}  // namespace kas::service
