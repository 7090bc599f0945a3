// The daemon's census indexes, one per build tree (keyed by its census
// sources), shared by all requests.
//
// Identical concurrent requests trigger one indexing: the first creates a
// shared future and builds outside the lock; the others wait on it. A
// finished index is an immutable snapshot (shared_ptr<const CensusIndex>);
// a changed input replaces it, a rebuilt module is re-read alone. Past the
// memory budget the least recently used tree is dropped.
#pragma once

#include <chrono>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/index/census_index.hpp"

namespace kas::daemon {

class TreeCache {
 public:
  TreeCache(size_t memory_budget_bytes, unsigned jobs) : budget_(memory_budget_bytes), jobs_(jobs) {}

  // The index for `sources`, built or refreshed as needed. When
  // `module_path` is one of the tree's modules and changed on disk, only it
  // is re-read. Thread-safe; blocks while the tree is being indexed.
  [[nodiscard]] Result<std::shared_ptr<const CensusIndex>> get(const CensusSources& sources, bool lto,
                                                               const std::string& module_path = {});

  void clear();
  [[nodiscard]] size_t trees() const;
  [[nodiscard]] size_t files() const;
  [[nodiscard]] size_t memory_bytes() const;

 private:
  using Future = std::shared_future<Result<std::shared_ptr<const CensusIndex>>>;
  struct Entry {
    Future future;
    uint64_t last_use = 0;
  };
  static std::string key_of(const CensusSources& sources, bool lto);
  void evict_locked();
  template <typename Fn>
  size_t sum_ready(Fn fn) const;

  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  uint64_t clock_ = 0;
  size_t budget_;
  unsigned jobs_;
};

}  // namespace kas::daemon
