// Debug info of the binaries of a SymbolIndex, opened when a question first
// needs it and kept for the next one.
//
// A distribution kernel has ~4,000 modules: keeping all of their DWARF open
// would cost gigabytes of relocated debug data for the few a session asks
// about, and thousands of descriptors, so idle handles are kept within a
// memory budget (DebugInfo::approximate_bytes) and a number of descriptors
// (DebugInfo::descriptors), least recently used binaries closed first.
// The descriptor budget is the process's (every index's handles count), so
// that a request about one kernel makes room by closing its own idle
// handles while other kernels' wait for the daemon's cache to trim them.
// libdw caches per unit and is not thread-safe for one Dwarf, so a handle
// serves one request at a time; a binary gets up to `per_binary` handles,
// so that concurrent questions about vmlinux (most of them) do not wait for
// each other. Locations found are cached per symbol, survive closing, and
// can be seeded when the index is built.
#pragma once

#include <atomic>
#include <condition_variable>
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
  // `paths[i]` is binary i's file. Idle handles are closed beyond
  // `budget_bytes` (this object's) or `budget_descriptors` (the process's).
  DwarfSlots(std::vector<std::string> paths, std::string srctree, uint64_t budget_bytes, size_t budget_descriptors,
             size_t per_binary);
  DwarfSlots(const DwarfSlots&) = delete;
  DwarfSlots& operator=(const DwarfSlots&) = delete;
  ~DwarfSlots();

  using Use = std::function<void(const DebugInfo&, const SourceTree&)>;
  // Runs `use` with a handle on binary i's debug info that no other caller
  // uses meanwhile (opened if needed). Error: why it cannot be opened
  // (remembered: a file without DWARF is not reopened for every question).
  [[nodiscard]] Result<void> with(size_t i, const Use& use) const;

  // The cached location of symbol `id` of binary i: nullopt when not
  // cached yet. Thread-safe, as are store() and seed().
  [[nodiscard]] std::optional<std::optional<SourceLocation>> cached(size_t i, uint32_t id) const;
  void store(size_t i, uint32_t id, std::optional<SourceLocation> location) const;
  void seed(size_t i, LocationCache locations);
  // Gives binary i a handle opened elsewhere (the index build's), with the
  // source tree inferred from it; null: nothing to give.
  void adopt(size_t i, std::unique_ptr<DebugInfo> info, SourceTree tree);

  // The first "changed while being read" a handle found after use
  // (DebugInfo::unchanged): what it read, and answers made from it, are
  // not to be trusted. Thread-safe.
  [[nodiscard]] std::optional<Error> first_change() const;

  // Descriptors the open handles hold (idle and in use).
  [[nodiscard]] size_t descriptors() const { return descriptors_; }
  // Closes the idle handles of files that are gone (DebugInfo::gone):
  // their binaries answer with an error from then on. Returns how many
  // binaries were found gone. Thread-safe.
  size_t release_gone() const;

 private:
  struct Slot {
    std::mutex mutex;  // guards everything below
    std::condition_variable released;
    std::vector<std::unique_ptr<DebugInfo>> idle;
    size_t open = 0;     // idle + in use
    uint64_t bytes = 0;  // of the idle ones
    std::optional<SourceTree> tree;
    std::optional<Error> error;
    LocationCache locations;
    uint64_t last_use = 0;
  };
  [[nodiscard]] bool over_budget() const { return idle_bytes_ > budget_ || all_descriptors_ > budget_descriptors_; }
  void count_descriptors(size_t n, bool opened) const;
  void close_idle_beyond_budget(size_t keep) const;
  // Closes one idle handle of the least recently used other binary; false
  // when there is none.
  bool close_one_idle(size_t keep) const;

  std::vector<std::string> paths_;
  std::string srctree_;
  uint64_t budget_;
  size_t budget_descriptors_;
  size_t per_binary_;
  std::unique_ptr<Slot[]> slots_;
  mutable std::atomic<uint64_t> clock_{0};
  mutable std::atomic<uint64_t> idle_bytes_{0};
  mutable std::atomic<size_t> descriptors_{0};  // of every open handle
  // The same over every DwarfSlots of the process: descriptors are the
  // process's resource, not one index's.
  static inline std::atomic<size_t> all_descriptors_{0};
  mutable std::mutex change_mutex_;
  mutable std::optional<Error> first_change_;
};

}  // namespace kas
