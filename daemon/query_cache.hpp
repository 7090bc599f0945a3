// The daemon's symbol indexes for kas lookup / resolve / decode, one per
// target, built once and shared by all requests (as TreeCache does for
// census indexes): identical concurrent requests wait for one build; an
// index whose files changed on disk is rebuilt; past the memory budget the
// least recently used target is dropped.
#pragma once

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/query/symbol_index.hpp"

namespace kas::daemon {

class QueryCache {
 public:
  QueryCache(size_t memory_budget_bytes, unsigned jobs) : budget_(memory_budget_bytes), jobs_(jobs) {}

  // The index of `target`, built or rebuilt as needed. Thread-safe.
  [[nodiscard]] Result<std::shared_ptr<const SymbolIndex>> get(const QueryTarget& target);
  // Drops `index` if it is still the one cached (it found a file changed).
  void invalidate(const std::shared_ptr<const SymbolIndex>& index);

  // How far the build of `target` is; nullopt when none is under way.
  struct Progress {
    std::string stage;
    size_t done = 0;
    size_t total = 0;
  };
  [[nodiscard]] std::optional<Progress> progress(const QueryTarget& target) const;

  void clear();
  [[nodiscard]] size_t targets() const;
  [[nodiscard]] size_t memory_bytes() const;

 private:
  using Future = std::shared_future<Result<std::shared_ptr<const SymbolIndex>>>;
  struct Entry {
    Future future;
    uint64_t last_use = 0;
  };
  void evict_locked();

  // Builds under way, by key: what they last reported.
  mutable std::mutex progress_mutex_;
  std::map<std::string, Progress> building_;

  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  uint64_t clock_ = 0;
  size_t budget_;
  unsigned jobs_;
};

}  // namespace kas::daemon
