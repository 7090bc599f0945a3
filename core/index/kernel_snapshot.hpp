// One kernel as kas knows it at one moment: vmlinux's names and every
// module's record, with the census over them. Immutable once built: a
// rebuilt module makes a new snapshot sharing every other record, so
// readers share one without locks.
//
// Every census question is answered here, by the same code whether the
// snapshot was built for one request (in-process kas: only the names that
// request needs are counted) or kept by the daemon for many: the whole
// census (kas vmlinux, kas census), and the part of it one module's aliases
// depend on (kas module, kas lookup).
#pragma once

#include <functional>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/census/census.hpp"
#include "core/elf/vmlinux_listing.hpp"
#include "core/index/binary_record.hpp"
#include "core/index/kernel_files.hpp"
#include "core/index/lto_detect.hpp"
#include "core/index/module_census.hpp"
#include "core/index/record_cache.hpp"
#include "core/util/file_stamp.hpp"
#include "core/util/progress.hpp"
#include "core/util/result.hpp"

namespace kas {

struct SnapshotOptions {
  unsigned jobs = 1;
  Lto lto = Lto::kDetect;  // census keys without these LTO suffixes (kDetect: see lto_detect.hpp)
  // Count only the keys this gives for the kernel's LTO kind (one module
  // request's, which depend on that kind: known once the kernel's files are
  // read); empty: every name.
  std::function<NameSet(Lto)> wanted = {};
  // Module files of this module name are not read: the object a module
  // request writes replaces them.
  std::string skip_module = {};
  // Reuse records of unchanged files (the daemon's); null: read every file.
  RecordCache* records = nullptr;
  ProgressFn progress = {};  // may be empty
};

class KernelSnapshot {
 public:
  // Reads the sources (modules in parallel). Errors: the sources' (a census
  // file combined with module lists, an unreadable listing, modules.order
  // or module, the first in list order).
  [[nodiscard]] static Result<std::shared_ptr<const KernelSnapshot>> build(const KernelFiles& sources,
                                                                           const SnapshotOptions& options);

  // The census of symbol names (only the wanted ones, when built so).
  [[nodiscard]] const Census& census() const { return total_; }
  // census() plus every module's source files (kas census --units).
  [[nodiscard]] Census census_with_units() const;
  [[nodiscard]] size_t module_count() const { return modules_.size(); }
  [[nodiscard]] std::span<const std::shared_ptr<const BinaryRecord>> modules() const { return modules_; }
  [[nodiscard]] const KernelFiles& sources() const { return sources_; }
  // The LTO suffixes the census keys were counted without (never kDetect),
  // and why ("CONFIG_LTO_CLANG_THIN=y in ./include/config/auto.conf").
  [[nodiscard]] Lto lto() const { return lto_; }
  [[nodiscard]] const std::string& lto_reason() const { return lto_reason_; }
  // vmlinux's listing when it is an ELF file read as a record (a query
  // target's vmlinux); null otherwise.
  [[nodiscard]] const BinaryRecord* vmlinux_record() const { return vmlinux_record_.get(); }
  [[nodiscard]] const VmlinuxListing* vmlinux_listing() const { return listing_.get(); }
  [[nodiscard]] size_t approximate_bytes() const { return bytes_; }
  // Descriptors it keeps open: a text listing's, whose mapping it reads.
  [[nodiscard]] size_t descriptors() const { return listing_ != nullptr && vmlinux_record_ == nullptr ? 1 : 0; }
  // True when the text listing it keeps mapped was deleted or replaced
  // (its path names another file): the mapping pins the old file.
  [[nodiscard]] bool listing_gone() const;

  // What a module request for the names `wanted` needs: their counts without
  // the modules named `skip_module` (the requester replaces them), the other
  // modules' source files, and, when `requester` is one of this snapshot's
  // module files and unchanged, its candidates located at indexing time.
  [[nodiscard]] RestrictedCensus restricted(const NameSet& wanted, const std::string& skip_module,
                                            const std::string& requester = {}) const;

  // True when an input file (nm listing, census file, modules.order)
  // changed on disk since the snapshot was built.
  [[nodiscard]] bool sources_changed() const { return changed_source().has_value(); }
  // The first such file, if any.
  [[nodiscard]] std::optional<std::string> changed_source() const;
  // True when `module_path` is one of the snapshot's modules and changed.
  [[nodiscard]] bool module_changed(const std::string& module_path) const;
  // A new snapshot with `module_path` read again (and the new record given
  // to `records`, when not null, for other snapshots). Error: the file's.
  [[nodiscard]] Result<std::shared_ptr<const KernelSnapshot>> with_module_reread(
      const std::string& module_path, RecordCache* records = nullptr) const;

  // Locates every module's alias candidates, as `select` picks them
  // (BinaryRecord::located), the largest files first; those already
  // located are skipped.
  void locate_candidates(unsigned jobs, const BinaryRecord::CandidateSelector& select,
                         const ProgressFn& progress = {}) const;

  KernelSnapshot() = default;

 private:
  void index_modules();
  void set_lto(LtoDecision decision);

  KernelFiles sources_;
  Lto lto_ = Lto::kNone;
  std::string lto_reason_;
  bool from_census_file_ = false;
  std::vector<std::pair<std::string, FileStamp>> input_stamps_;
  std::shared_ptr<const VmlinuxListing> listing_;  // shared with the snapshots made from this one
  std::shared_ptr<const BinaryRecord> vmlinux_record_;
  std::vector<std::shared_ptr<const BinaryRecord>> modules_;
  std::vector<std::string> skipped_;  // module files not read (skip_module)
  // modules_ indexes by module name and by path: a request finds its own
  // without a pass over ~4,000 modules.
  std::unordered_map<std::string, std::vector<size_t>> by_name_;
  std::unordered_map<std::string, size_t> by_path_;
  Census total_;                      // symbol names only
  // Source-file keys: every module's (module_unit_keys) or a census file's.
  std::shared_ptr<const Census> units_ = std::make_shared<const Census>();
  size_t bytes_ = 0;
};

}  // namespace kas
