// The daemon's census indexes, one per build tree (keyed by its census
// sources), shared by all requests (a SnapshotCache). A changed input
// replaces a tree's index; a rebuilt module is re-read alone.
#pragma once

#include <memory>
#include <string>

#include "core/index/census_index.hpp"
#include "daemon/snapshot_cache.hpp"

namespace kas::daemon {

class TreeCache {
 public:
  TreeCache(size_t memory_budget_bytes, unsigned jobs) : cache_(memory_budget_bytes), jobs_(jobs) {}

  // The index for `sources`, built or refreshed as needed. When
  // `module_path` is one of the tree's modules and changed on disk, only it
  // is re-read. Thread-safe; blocks while the tree is being indexed.
  [[nodiscard]] Result<std::shared_ptr<const CensusIndex>> get(const CensusSources& sources, bool lto,
                                                               const std::string& module_path = {});

  void clear() { cache_.clear(); }
  [[nodiscard]] size_t trees() const { return cache_.size(); }
  [[nodiscard]] size_t files() const {
    return cache_.sum([](const CensusIndex& index) { return index.module_count(); });
  }
  [[nodiscard]] size_t memory_bytes() const {
    return cache_.sum([](const CensusIndex& index) { return index.approximate_bytes(); });
  }

 private:
  static std::string key_of(const CensusSources& sources, bool lto);

  SnapshotCache<CensusIndex> cache_;
  unsigned jobs_;
};

}  // namespace kas::daemon
