// The daemon's kernels: one snapshot per kernel (keyed by its census
// sources), shared by every request about it, and the lookup indexes made
// over it. A changed input replaces a kernel's snapshot; a rebuilt module
// replaces one record. Records are shared across snapshots (RecordCache),
// so the kbuild requests of a tree and the questions about it read each
// file once. Past the memory budget or the descriptor budget
// (descriptor_budget.hpp) the least recently used kernel goes; a kernel
// holding a file deleted or replaced on disk goes at the next request.
// Thread-safe.
#pragma once

#include <atomic>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/index/kernel_snapshot.hpp"
#include "core/index/record_cache.hpp"
#include "core/query/query_target.hpp"
#include "core/query/symbol_index.hpp"
#include "service/snapshot_cache.hpp"

namespace kas::service {

// A cached kernel: its snapshot and the lookup indexes built over it (one
// per alias options and source tree, usually one).
class Kernel {
 public:
  explicit Kernel(std::shared_ptr<const KernelSnapshot> snapshot)
      : snapshot_(std::move(snapshot)), indexes_(std::numeric_limits<size_t>::max()) {}
  [[nodiscard]] const std::shared_ptr<const KernelSnapshot>& snapshot() const { return snapshot_; }
  [[nodiscard]] size_t approximate_bytes() const;
  // Descriptors its snapshot and indexes keep open.
  [[nodiscard]] size_t descriptors() const;
  // Closes what it holds of files deleted or replaced on disk: an index
  // holding such a file goes (the next question builds another over the
  // same snapshot). True when the snapshot's own listing is gone: then the
  // whole kernel must go.
  [[nodiscard]] bool release_gone() const;

  // Its lookup indexes by target key, each built once for all callers
  // meanwhile; they go with the kernel, so no budget of their own.
  [[nodiscard]] SnapshotCache<SymbolIndex>& indexes() const { return indexes_; }
  // Candidates located once for kbuild requests (module requests then read
  // no DWARF); a kernel first built for a question is located on demand.
  void ensure_located(unsigned jobs) const;

 private:
  std::shared_ptr<const KernelSnapshot> snapshot_;
  mutable SnapshotCache<SymbolIndex> indexes_;
  mutable std::once_flag located_;
};

class KernelCache {
 public:
  // Descriptors: within cached_descriptor_budget() (read now) unless given.
  KernelCache(size_t memory_budget_bytes, unsigned jobs, std::optional<size_t> descriptor_budget = std::nullopt);

  // The snapshot of `sources` for kas vmlinux/module/census, built or
  // refreshed as needed. When `module_path` is one of its modules and
  // changed on disk, only it is read again. With `locate` (module
  // requests), every module's alias candidates are located once, in
  // parallel, so that the requests of a parallel make read no DWARF; the
  // kallsyms passes (vmlinux) and census requests do not wait for that.
  // Blocks while it is being built.
  [[nodiscard]] Result<std::shared_ptr<const KernelSnapshot>> snapshot(const KernelFiles& sources, Lto lto,
                                                                       bool locate,
                                                                       const std::string& module_path = {});
  // The lookup index of `target`, over the snapshot of its sources.
  [[nodiscard]] Result<std::shared_ptr<const SymbolIndex>> index(const QueryTarget& target);
  // Drops `target`'s kernel if `index` was made over it (it found a file
  // changed): the next question reads the kernel anew.
  void invalidate(const QueryTarget& target, const std::shared_ptr<const SymbolIndex>& index);

  // How far building `target`'s index is; nullopt when none is under way.
  struct Progress {
    std::string stage;
    size_t done = 0;
    size_t total = 0;
  };
  [[nodiscard]] std::optional<Progress> progress(const QueryTarget& target) const;

  void clear() { cache_.clear(); }
  // Releases what the kernels hold of deleted or replaced files
  // (Kernel::release_gone), then drops the least recently used past the
  // budgets. Every request does it first.
  void trim();
  [[nodiscard]] size_t kernels() const { return cache_.size(); }
  [[nodiscard]] size_t descriptors() const {
    return cache_.sum([](const Kernel& k) { return k.descriptors(); });
  }
  [[nodiscard]] size_t files() const {
    return cache_.sum([](const Kernel& k) { return k.snapshot()->module_count(); });
  }
  [[nodiscard]] size_t memory_bytes() const {
    return cache_.sum([](const Kernel& k) { return k.approximate_bytes(); });
  }
  // Binary files read, and reads saved by a record another snapshot had.
  [[nodiscard]] uint64_t records_read() const { return records_.reads(); }
  [[nodiscard]] uint64_t records_reused() const { return records_.reuses(); }
  [[nodiscard]] uint64_t indexes_built() const { return indexes_built_; }

 private:
  using KernelPtr = std::shared_ptr<const Kernel>;
  [[nodiscard]] Result<KernelPtr> kernel(const KernelFiles& sources, Lto lto, const ProgressFn& progress);
  // trim(), then fails with kExhausted when the process has too few
  // descriptors left to serve a request (kas then runs it itself).
  [[nodiscard]] Result<void> make_room();
  void report(const std::string& key, std::string_view stage, size_t done, size_t total);

  SnapshotCache<Kernel> cache_;
  RecordCache records_;
  unsigned jobs_;
  std::atomic<uint64_t> indexes_built_{0};
  // Index builds under way, by target key: what they last reported.
  mutable std::mutex progress_mutex_;
  std::map<std::string, Progress> building_;
};

}  // namespace kas::service
