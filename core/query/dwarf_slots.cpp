#include "core/query/dwarf_slots.hpp"

namespace kas {

DwarfSlots::DwarfSlots(std::vector<std::string> paths, std::string srctree, size_t max_open)
    : paths_(std::move(paths)), srctree_(std::move(srctree)), max_open_(max_open),
      slots_(new Slot[paths_.size()]) {}

Result<void> DwarfSlots::with(size_t i, const Use& use) const {
  Slot& slot = slots_[i];
  bool opened = false;
  {
    std::lock_guard lock(slot.mutex);
    slot.last_use = ++clock_;
    if (slot.error) return std::unexpected(*slot.error);
    if (!slot.info) {
      auto info = DebugInfo::open(paths_[i]);
      if (!info) {
        slot.error = info.error();
        return std::unexpected(info.error());
      }
      slot.info = std::move(*info);
      if (!slot.tree) {
        // As the engine infers it for the same file (kas vmlinux reads unit
        // names; kas module also include directories, for out-of-tree
        // modules), so that paths here match the aliases' paths.
        slot.tree.emplace(srctree_);
        slot.tree->infer_from(slot.info->unit_paths(slot.info->relocatable() && srctree_.empty()));
      }
      ++open_;
      opened = true;
    }
    use(*slot.info, *slot.tree, slot.locations);
  }
  if (opened && open_ > max_open_) close_oldest(i);
  return {};
}

void DwarfSlots::close_oldest(size_t keep) const {
  // Several passes would be needed only when the oldest are busy; one
  // try per call keeps a request from waiting on another's binary.
  size_t oldest = paths_.size();
  uint64_t oldest_use = UINT64_MAX;
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (i == keep) continue;
    Slot& slot = slots_[i];
    uint64_t use = slot.last_use;
    if (use != 0 && use < oldest_use) {
      std::unique_lock lock(slot.mutex, std::try_to_lock);
      if (!lock.owns_lock() || !slot.info) continue;
      oldest = i;
      oldest_use = use;
    }
  }
  if (oldest == paths_.size()) return;
  Slot& slot = slots_[oldest];
  std::unique_lock lock(slot.mutex, std::try_to_lock);
  if (!lock.owns_lock() || !slot.info) return;
  slot.info.reset();
  --open_;
}

}  // namespace kas
