#include "daemon/tree_cache.hpp"

#include <algorithm>

namespace kas::daemon {

std::string TreeCache::key_of(const CensusSources& s, bool lto) {
  std::string key = lto ? "lto\n" : "\n";
  key += "nm=" + s.nm_path + "\ncensus=" + s.census_path + "\n";
  for (const std::string& o : s.modules_orders) key += "order=" + o + "\n";
  for (const std::string& d : s.module_dirs) key += "dir=" + d + "\n";
  return key;
}

Result<std::shared_ptr<const CensusIndex>> TreeCache::get(const CensusSources& sources, bool lto,
                                                          const std::string& module_path) {
  const std::string key = key_of(sources, lto);
  std::promise<Result<std::shared_ptr<const CensusIndex>>> promise;
  Future future;
  bool build = false;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      future = promise.get_future().share();
      entries_[key] = {future, ++clock_};
      build = true;
    } else {
      it->second.last_use = ++clock_;
      future = it->second.future;
    }
  }
  if (build) {
    promise.set_value(CensusIndex::build(sources, jobs_, lto));
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && !future.get()) entries_.erase(it);  // errors are not cached
    evict_locked();
    return future.get();
  }

  auto index = future.get();
  if (!index) return index;
  // Refresh: a changed input means a new tree; a changed module, one file.
  std::shared_ptr<const CensusIndex> current = *index;
  Result<std::shared_ptr<const CensusIndex>> next = current;
  if (current->sources_changed()) {
    next = CensusIndex::build(sources, jobs_, lto);
  } else if (!module_path.empty() && current->module_changed(module_path)) {
    next = current->with_module_reread(module_path);
  } else {
    return current;
  }
  if (!next) return next;
  std::lock_guard lock(mutex_);
  std::promise<Result<std::shared_ptr<const CensusIndex>>> ready;
  ready.set_value(next);
  entries_[key] = {ready.get_future().share(), ++clock_};
  evict_locked();
  return next;
}

void TreeCache::evict_locked() {
  auto ready_bytes = [](const Entry& e) -> size_t {
    if (e.future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return 0;
    const auto& r = e.future.get();
    return r ? (*r)->approximate_bytes() : 0;
  };
  for (;;) {
    size_t total = 0;
    for (const auto& [key, e] : entries_) total += ready_bytes(e);
    if (total <= budget_ || entries_.size() <= 1) return;
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [&](const auto& a, const auto& b) {
      return a.second.last_use < b.second.last_use;
    });
    entries_.erase(oldest);
  }
}

void TreeCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

size_t TreeCache::trees() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

template <typename Fn>
size_t TreeCache::sum_ready(Fn fn) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [key, e] : entries_) {
    if (e.future.wait_for(std::chrono::seconds(0)) == std::future_status::ready && e.future.get()) {
      n += fn(**e.future.get());
    }
  }
  return n;
}

size_t TreeCache::files() const {
  return sum_ready([](const CensusIndex& index) { return index.module_count(); });
}

size_t TreeCache::memory_bytes() const {
  return sum_ready([](const CensusIndex& index) { return index.approximate_bytes(); });
}

}  // namespace kas::daemon
