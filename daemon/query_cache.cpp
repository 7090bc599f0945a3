#include "daemon/query_cache.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>

namespace kas::daemon {

namespace {

bool ready(const std::shared_future<Result<std::shared_ptr<const SymbolIndex>>>& f) {
  return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

}  // namespace

Result<std::shared_ptr<const SymbolIndex>> QueryCache::get(const QueryTarget& target) {
  const std::string key = target_key(target);
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::promise<Result<std::shared_ptr<const SymbolIndex>>> promise;
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
      promise.set_value(SymbolIndex::build(target, jobs_, report));
      {
        std::lock_guard lock(progress_mutex_);
        building_.erase(key);
      }
      // The build's temporaries (a census index, every module's symbol
      // table) are freed by now; give their pages back rather than keep the
      // build's peak as the daemon's size.
      ::malloc_trim(0);
      std::lock_guard lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end() && !future.get()) entries_.erase(it);  // errors are not cached
      evict_locked();
      return future.get();
    }
    auto index = future.get();
    if (!index || !(*index)->changed()) return index;
    invalidate(*index);  // and build anew
  }
  return fail(ErrorCode::kInternal, target.vmlinux + ": files keep changing while being indexed");
}

void QueryCache::invalidate(const std::shared_ptr<const SymbolIndex>& index) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(target_key(index->target()));
  if (it == entries_.end() || !ready(it->second.future)) return;
  const auto& cached = it->second.future.get();
  if (cached && *cached == index) entries_.erase(it);
}

void QueryCache::evict_locked() {
  for (;;) {
    size_t total = 0;
    for (const auto& [key, e] : entries_) {
      if (ready(e.future) && e.future.get()) total += (*e.future.get())->approximate_bytes();
    }
    if (total <= budget_ || entries_.size() <= 1) return;
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second.last_use < b.second.last_use;
    });
    entries_.erase(oldest);
  }
}

std::optional<QueryCache::Progress> QueryCache::progress(const QueryTarget& target) const {
  std::lock_guard lock(progress_mutex_);
  auto it = building_.find(target_key(target));
  if (it == building_.end()) return std::nullopt;
  return it->second;
}

void QueryCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

size_t QueryCache::targets() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

size_t QueryCache::memory_bytes() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [key, e] : entries_) {
    if (ready(e.future) && e.future.get()) n += (*e.future.get())->approximate_bytes();
  }
  return n;
}

}  // namespace kas::daemon
