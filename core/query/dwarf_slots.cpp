#include "core/query/dwarf_slots.hpp"

namespace kas {

DwarfSlots::DwarfSlots(std::vector<std::string> paths, std::string srctree, uint64_t budget_bytes,
                       size_t budget_descriptors, size_t per_binary)
    : paths_(std::move(paths)), srctree_(std::move(srctree)), budget_(budget_bytes),
      budget_descriptors_(budget_descriptors), per_binary_(per_binary == 0 ? 1 : per_binary),
      slots_(new Slot[paths_.size()]) {}

DwarfSlots::~DwarfSlots() { all_descriptors_ -= descriptors_; }

void DwarfSlots::count_descriptors(size_t n, bool opened) const {
  if (opened) {
    descriptors_ += n;
    all_descriptors_ += n;
  } else {
    descriptors_ -= n;
    all_descriptors_ -= n;
  }
}

Result<void> DwarfSlots::with(size_t i, const Use& use) const {
  Slot& slot = slots_[i];
  std::unique_ptr<DebugInfo> info;
  const SourceTree* tree = nullptr;
  {
    std::unique_lock lock(slot.mutex);
    slot.last_use = ++clock_;
    slot.released.wait(lock, [&] { return slot.error || !slot.idle.empty() || slot.open < per_binary_; });
    if (slot.error) return std::unexpected(*slot.error);
    if (!slot.idle.empty()) {
      info = std::move(slot.idle.back());
      slot.idle.pop_back();
      const uint64_t bytes = info->approximate_bytes();
      slot.bytes -= bytes;
      idle_bytes_ -= bytes;
    } else {
      ++slot.open;
      lock.unlock();
      // Room first (a handle holds two descriptors): the budget is what
      // keeps the process clear of EMFILE.
      for (int closed = 0; closed < 64 && all_descriptors_ + 2 > budget_descriptors_; ++closed) {
        if (!close_one_idle(i)) break;
      }
      auto opened = DebugInfo::open(paths_[i]);
      lock.lock();
      if (!opened) {
        --slot.open;
        // Out of descriptors or memory is not this file's fault: the next
        // question tries again.
        if (opened.error().code != ErrorCode::kExhausted) slot.error = opened.error();
        slot.released.notify_all();
        return std::unexpected(opened.error());
      }
      info = std::move(*opened);
      count_descriptors(info->descriptors(), true);
      if (!slot.tree) {
        // As the engine infers it for the same file (kas vmlinux reads unit
        // names; kas module also include directories, for out-of-tree
        // modules), so that paths here match the aliases' paths.
        slot.tree.emplace(srctree_);
        const DebugInfo& handle = *info;
        if (handle.relocatable()) {
          slot.tree->infer_from(handle.unit_paths(), [&] { return handle.unit_paths(/*include_dirs=*/true); });
        } else {
          slot.tree->infer_from(handle.unit_paths());
        }
      }
    }
    tree = &*slot.tree;  // set once, never changed after: safe to read unlocked
  }
  use(*info, *tree);
  if (auto same = info->unchanged(); !same) {
    // Rewritten under us: what `use` read (and cached) is not to be
    // trusted, nor this handle again. The index sees the new stamp and is
    // rebuilt; until then this binary answers with the error.
    {
      std::lock_guard lock(change_mutex_);
      if (!first_change_) first_change_ = same.error();
    }
    std::lock_guard lock(slot.mutex);
    --slot.open;
    count_descriptors(info->descriptors(), false);
    slot.error = same.error();
    slot.locations.clear();
    slot.released.notify_all();
    return std::unexpected(same.error());
  }
  {
    std::lock_guard lock(slot.mutex);
    const uint64_t bytes = info->approximate_bytes();
    slot.bytes += bytes;
    idle_bytes_ += bytes;
    slot.idle.push_back(std::move(info));
  }
  slot.released.notify_one();
  if (over_budget()) close_idle_beyond_budget(i);
  return {};
}

std::optional<Error> DwarfSlots::first_change() const {
  std::lock_guard lock(change_mutex_);
  return first_change_;
}

std::optional<std::optional<SourceLocation>> DwarfSlots::cached(size_t i, uint32_t id) const {
  Slot& slot = slots_[i];
  std::lock_guard lock(slot.mutex);
  auto it = slot.locations.find(id);
  if (it == slot.locations.end()) return std::nullopt;
  return it->second;
}

void DwarfSlots::store(size_t i, uint32_t id, std::optional<SourceLocation> location) const {
  Slot& slot = slots_[i];
  std::lock_guard lock(slot.mutex);
  slot.locations.emplace(id, std::move(location));
}

void DwarfSlots::adopt(size_t i, std::unique_ptr<DebugInfo> info, SourceTree tree) {
  if (info == nullptr) return;
  Slot& slot = slots_[i];
  {
    std::lock_guard lock(slot.mutex);
    if (!slot.tree) slot.tree.emplace(std::move(tree));
    const uint64_t bytes = info->approximate_bytes();
    slot.bytes += bytes;
    idle_bytes_ += bytes;
    count_descriptors(info->descriptors(), true);
    ++slot.open;
    slot.idle.push_back(std::move(info));
  }
  if (over_budget()) close_idle_beyond_budget(i);
}

void DwarfSlots::seed(size_t i, LocationCache locations) {
  Slot& slot = slots_[i];
  std::lock_guard lock(slot.mutex);
  slot.locations.merge(locations);
}

void DwarfSlots::close_idle_beyond_budget(size_t keep) const {
  // Bounded: a request never spends long here, and handles in use are
  // counted when they come back.
  for (int closed = 0; closed < 64 && over_budget(); ++closed) {
    if (!close_one_idle(keep)) return;
  }
}

size_t DwarfSlots::release_gone() const {
  size_t gone = 0;
  for (size_t i = 0; i < paths_.size(); ++i) {
    Slot& slot = slots_[i];
    std::vector<std::unique_ptr<DebugInfo>> closing;
    {
      std::lock_guard lock(slot.mutex);
      if (slot.idle.empty()) continue;
      for (auto it = slot.idle.begin(); it != slot.idle.end();) {
        if (!(*it)->gone()) {
          ++it;
          continue;
        }
        const uint64_t bytes = (*it)->approximate_bytes();
        slot.bytes -= bytes;
        idle_bytes_ -= bytes;
        count_descriptors((*it)->descriptors(), false);
        --slot.open;
        closing.push_back(std::move(*it));
        it = slot.idle.erase(it);
      }
      if (closing.empty()) continue;
      // What was read from it is not to be answered from again either: the
      // index is rebuilt from what is on disk now.
      slot.error = Error{ErrorCode::kIo, paths_[i] + ": deleted or replaced since it was indexed"};
      slot.locations.clear();
      ++gone;
    }
    slot.released.notify_all();
  }  // `closing` is released outside the lock
  return gone;
}

bool DwarfSlots::close_one_idle(size_t keep) const {
  size_t oldest = paths_.size();
  uint64_t oldest_use = UINT64_MAX;
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (i == keep) continue;
    Slot& slot = slots_[i];
    std::unique_lock lock(slot.mutex, std::try_to_lock);
    if (!lock.owns_lock() || slot.idle.empty()) continue;
    if (slot.last_use < oldest_use) {
      oldest = i;
      oldest_use = slot.last_use;
    }
  }
  if (oldest == paths_.size()) return false;
  std::unique_ptr<DebugInfo> closing;
  {
    Slot& slot = slots_[oldest];
    std::lock_guard lock(slot.mutex);
    if (slot.idle.empty()) return true;  // taken meanwhile: try again
    closing = std::move(slot.idle.back());
    slot.idle.pop_back();
    const uint64_t bytes = closing->approximate_bytes();
    slot.bytes -= bytes;
    idle_bytes_ -= bytes;
    count_descriptors(closing->descriptors(), false);
    --slot.open;
  }
  slots_[oldest].released.notify_all();
  return true;  // `closing` is released here, outside the lock
}

}  // namespace kas
