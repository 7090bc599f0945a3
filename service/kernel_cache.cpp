#include "service/kernel_cache.hpp"

#include <malloc.h>

#include <algorithm>
#include <string>

#include "core/alias/module_aliases.hpp"
#include "core/util/descriptor_budget.hpp"

namespace kas::service {

namespace {

// Descriptors a request may open while it runs (vmlinux and its DWARF, a
// module per worker), below which kasd declines it rather than fail it
// halfway with EMFILE.
size_t request_descriptors(unsigned jobs) { return 8 + 3 * static_cast<size_t>(jobs); }

}  // namespace

size_t Kernel::approximate_bytes() const {
  return snapshot_->approximate_bytes() +
         indexes_.sum([](const SymbolIndex& index) { return index.approximate_bytes(); });
}

size_t Kernel::descriptors() const {
  return snapshot_->descriptors() + indexes_.sum([](const SymbolIndex& index) { return index.descriptors(); });
}

bool Kernel::release_gone() const {
  for (const auto& [key, index] : indexes_.built()) {
    if (index->release_gone()) indexes_.drop_if(key, index);
  }
  return snapshot_->listing_gone();
}

KernelCache::KernelCache(size_t memory_budget_bytes, unsigned jobs, std::optional<size_t> descriptor_budget)
    : cache_(memory_budget_bytes, descriptor_budget.value_or(cached_descriptor_budget())), jobs_(jobs) {}

void KernelCache::trim() {
  for (const auto& [key, kernel] : cache_.built()) {
    if (kernel->release_gone()) cache_.drop_if(key, kernel);
  }
  cache_.trim();
}

Result<void> KernelCache::make_room() {
  trim();
  const size_t needed = request_descriptors(jobs_);
  auto free = free_descriptors();
  if (!free || *free >= needed) return {};
  // Cached kernels are what can be given back; in-flight requests keep
  // theirs until they finish.
  cache_.clear();
  free = free_descriptors();
  if (!free || *free >= needed) return {};
  return fail(ErrorCode::kExhausted, "kasd is out of descriptors (" + std::to_string(*free) + " free, a request needs " +
                                         std::to_string(needed) + ")");
}

void Kernel::ensure_located(unsigned jobs) const {
  std::call_once(located_, [&] { snapshot_->locate_candidates(jobs, alias_candidates); });
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
  if (auto room = make_room(); !room) return std::unexpected(room.error());
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
  if (auto room = make_room(); !room) return std::unexpected(room.error());
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

}  // namespace kas::service
