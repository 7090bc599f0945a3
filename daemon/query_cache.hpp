// The daemon's symbol indexes for kas lookup / resolve / decode, one per
// target, built once and shared by all requests (a SnapshotCache); an index
// whose files changed on disk is rebuilt. While one is built, its progress
// can be asked for (kas draws a bar from it).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/query/symbol_index.hpp"
#include "daemon/snapshot_cache.hpp"

namespace kas::daemon {

class QueryCache {
 public:
  QueryCache(size_t memory_budget_bytes, unsigned jobs) : cache_(memory_budget_bytes), jobs_(jobs) {}

  // The index of `target`, built or rebuilt as needed. Thread-safe.
  [[nodiscard]] Result<std::shared_ptr<const SymbolIndex>> get(const QueryTarget& target);
  // Drops `index` if it is still the one cached (it found a file changed).
  void invalidate(const std::shared_ptr<const SymbolIndex>& index) {
    cache_.drop_if(target_key(index->target()), index);
  }

  // How far the build of `target` is; nullopt when none is under way.
  struct Progress {
    std::string stage;
    size_t done = 0;
    size_t total = 0;
  };
  [[nodiscard]] std::optional<Progress> progress(const QueryTarget& target) const;

  void clear() { cache_.clear(); }
  [[nodiscard]] size_t targets() const { return cache_.size(); }
  [[nodiscard]] size_t memory_bytes() const {
    return cache_.sum([](const SymbolIndex& index) { return index.approximate_bytes(); });
  }

 private:
  [[nodiscard]] Result<std::shared_ptr<const SymbolIndex>> build(const QueryTarget& target, const std::string& key);

  SnapshotCache<SymbolIndex> cache_;
  unsigned jobs_;
  // Builds under way, by key: what they last reported.
  mutable std::mutex progress_mutex_;
  std::map<std::string, Progress> building_;
};

}  // namespace kas::daemon
