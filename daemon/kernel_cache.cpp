#include "daemon/kernel_cache.hpp"

#include <malloc.h>

#include <algorithm>

namespace kas::daemon {

size_t Kernel::approximate_bytes() const {
  return snapshot_->approximate_bytes() +
         indexes_.sum([](const SymbolIndex& index) { return index.approximate_bytes(); });
}

void Kernel::ensure_located(unsigned jobs) const {
  std::call_once(located_, [&] { snapshot_->locate_candidates(jobs); });
}

Result<KernelCache::KernelPtr> KernelCache::kernel(const KernelFiles& sources, Lto lto, const ProgressFn& progress) {
  const std::string key = sources_key(sources, lto);
  auto build = [&]() -> Result<KernelPtr> {
    auto snapshot = KernelSnapshot::build(
        sources, {.jobs = jobs_, .lto = lto, .records = &records_, .progress = progress});
    if (!snapshot) return std::unexpected(snapshot.error());
    return std::make_shared<const Kernel>(std::move(*snapshot));
  };
  bool fresh = false;
  auto kernel = cache_.get_or_build(key, build, &fresh);
  if (!kernel || fresh || !(*kernel)->snapshot()->sources_changed()) return kernel;
  // An input changed: a new snapshot (unchanged module records are reused).
  auto next = build();
  if (next) cache_.put(key, *next);
  return next;
}

Result<std::shared_ptr<const KernelSnapshot>> KernelCache::snapshot(const KernelFiles& sources, Lto lto, bool locate,
                                                                    const std::string& module_path) {
  auto kernel = this->kernel(sources, lto, {});
  if (!kernel) return std::unexpected(kernel.error());
  KernelPtr current = *kernel;
  if (!module_path.empty() && current->snapshot()->module_changed(module_path)) {
    auto reread = current->snapshot()->with_module_reread(module_path, &records_);
    if (!reread) return std::unexpected(reread.error());
    auto next = std::make_shared<const Kernel>(std::move(*reread));
    cache_.put(sources_key(sources, lto), next);
    current = next;
  }
  if (locate) current->ensure_located(jobs_);
  return current->snapshot();
}

void KernelCache::report(const std::string& key, std::string_view stage, size_t done, size_t total) {
  std::lock_guard lock(progress_mutex_);
  Progress& p = building_[key];
  if (p.stage != stage) {
    p.stage = std::string(stage);
    p.done = 0;
  }
  p.done = std::max(p.done, done);  // workers' reports may arrive out of order
  p.total = total;
}

Result<std::shared_ptr<const SymbolIndex>> KernelCache::index(const QueryTarget& target) {
  const KernelFiles& sources = target.kernel;
  const std::string key = target_key(target);
  auto progress = [&](std::string_view stage, size_t done, size_t total) { report(key, stage, done, total); };
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto kernel = this->kernel(sources, target.alias.lto, progress);
    if (!kernel) {
      std::lock_guard lock(progress_mutex_);
      building_.erase(key);
      return std::unexpected(kernel.error());
    }
    bool built = false;
    auto index = (*kernel)->indexes().get_or_build(key, [&] {
      built = true;
      ++indexes_built_;
      return SymbolIndex::build(target, (*kernel)->snapshot(), jobs_, progress);
    });
    {
      std::lock_guard lock(progress_mutex_);
      building_.erase(key);
    }
    if (built) {
      cache_.trim();  // the kernel grew by its index
      // The build's temporaries (every binary's part) are freed by now;
      // give their pages back rather than keep the build's peak as the
      // daemon's size.
      ::malloc_trim(0);
    }
    if (!index || built || !(*index)->changed()) return index;
    invalidate(target, *index);  // and build anew
  }
  return fail(ErrorCode::kInternal, target.kernel.vmlinux + ": files keep changing while being indexed");
}

void KernelCache::invalidate(const QueryTarget& target, const std::shared_ptr<const SymbolIndex>& index) {
  const std::string key = sources_key(target.kernel, target.alias.lto);
  KernelPtr kernel = cache_.peek(key);
  if (kernel == nullptr) return;
  if (kernel->indexes().peek(target_key(target)) == index) cache_.drop_if(key, kernel);
}

std::optional<KernelCache::Progress> KernelCache::progress(const QueryTarget& target) const {
  std::lock_guard lock(progress_mutex_);
  auto it = building_.find(target_key(target));
  if (it == building_.end()) return std::nullopt;
  return it->second;
}

}  // namespace kas::daemon
