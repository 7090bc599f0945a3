#include "daemon/query_cache.hpp"

#include <malloc.h>

#include <algorithm>

namespace kas::daemon {

Result<std::shared_ptr<const SymbolIndex>> QueryCache::get(const QueryTarget& target) {
  const std::string key = target_key(target);
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = false;
    auto index = cache_.get_or_build(key, [&] { return build(target, key); }, &fresh);
    if (!index || fresh || !(*index)->changed()) return index;
    invalidate(*index);  // and build anew
  }
  return fail(ErrorCode::kInternal, target.vmlinux + ": files keep changing while being indexed");
}

Result<std::shared_ptr<const SymbolIndex>> QueryCache::build(const QueryTarget& target, const std::string& key) {
  {
    std::lock_guard lock(progress_mutex_);
    building_[key] = {"starting", 0, 0};
  }
  auto report = [&](std::string_view stage, size_t done, size_t total) {
    std::lock_guard lock(progress_mutex_);
    Progress& p = building_[key];
    if (p.stage != stage) {
      p.stage = std::string(stage);
      p.done = 0;
    }
    p.done = std::max(p.done, done);  // workers' reports may arrive out of order
    p.total = total;
  };
  auto built = SymbolIndex::build(target, jobs_, report);
  {
    std::lock_guard lock(progress_mutex_);
    building_.erase(key);
  }
  // The build's temporaries (a census index, every module's symbol table)
  // are freed by now; give their pages back rather than keep the build's
  // peak as the daemon's size.
  ::malloc_trim(0);
  return built;
}

std::optional<QueryCache::Progress> QueryCache::progress(const QueryTarget& target) const {
  std::lock_guard lock(progress_mutex_);
  auto it = building_.find(target_key(target));
  if (it == building_.end()) return std::nullopt;
  return it->second;
}

}  // namespace kas::daemon
