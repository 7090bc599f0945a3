// Debug info of the binaries of a SymbolIndex, opened when a question first
// needs it and kept for the next one.
//
// A distribution kernel has ~4,000 modules: keeping all of their DWARF open
// would cost gigabytes of mappings for the few a session asks about, so at
// most `max_open` stay open (least recently used closed first; vmlinux is
// reopened like any other, in ~10 ms). libdw caches per unit and is not
// thread-safe for one Dwarf, so each binary's debug info is used by one
// request at a time; requests about different binaries run in parallel.
// Locations found are cached per symbol and survive closing.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/dwarf/debug_info.hpp"
#include "core/dwarf/locator.hpp"
#include "core/dwarf/source_tree.hpp"
#include "core/util/result.hpp"

namespace kas {

// Symbol (entry id) -> its location; nullopt: DWARF has none.
using LocationCache = std::unordered_map<uint32_t, std::optional<SourceLocation>>;

class DwarfSlots {
 public:
  // `paths[i]` is binary i's file.
  DwarfSlots(std::vector<std::string> paths, std::string srctree, size_t max_open);

  using Use = std::function<void(const DebugInfo&, const SourceTree&, LocationCache&)>;
  // Runs `use` with binary i's debug info, opened if needed, and no other
  // caller using it. Error: why it cannot be opened (remembered: a file
  // without DWARF is not reopened for every question).
  [[nodiscard]] Result<void> with(size_t i, const Use& use) const;

 private:
  struct Slot {
    std::mutex mutex;
    std::unique_ptr<DebugInfo> info;
    std::optional<SourceTree> tree;
    std::optional<Error> error;
    LocationCache locations;
    std::atomic<uint64_t> last_use{0};
  };
  void close_oldest(size_t keep) const;

  std::vector<std::string> paths_;
  std::string srctree_;
  size_t max_open_;
  std::unique_ptr<Slot[]> slots_;
  mutable std::atomic<uint64_t> clock_{0};
  mutable std::atomic<size_t> open_{0};
};

}  // namespace kas
