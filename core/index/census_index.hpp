// A whole build's census kept between requests (the daemon's): the counts,
// plus what each module file contributed and the file's stamp, so that
//  - a module request can leave out the module it replaces (same name), as
//    census_for_names() does when it reads the files itself, and
//  - a rebuilt module is re-read alone and the census adjusted, instead of
//    re-reading every module.
// Immutable once built: an update makes a new index (copy-on-write, the
// unchanged modules shared), so readers share a snapshot without locks.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/index/census.hpp"
#include "core/index/census_sources.hpp"
#include "core/util/progress.hpp"
#include "core/util/result.hpp"

namespace kas {

// Identity of a file's contents as far as a rebuild goes.
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  std::string build_id;  // module files: a copy that kept size and mtime still differs
  bool operator==(const FileStamp&) const = default;
};
// Stamp of `path`; a default stamp when it cannot be stat'ed.
[[nodiscard]] FileStamp stamp_of(const std::string& path);
// The same plus the build-id of an ELF file (none for most module .o files).
[[nodiscard]] FileStamp elf_stamp_of(const std::string& path);

class CensusIndex {
 public:
  // Reads every source (modules in parallel). Errors as census_for_build.
  // `progress` (may be empty) hears of each module read and located.
  [[nodiscard]] static Result<std::shared_ptr<const CensusIndex>> build(const CensusSources& sources, unsigned jobs,
                                                                         bool lto, const ProgressFn& progress = {});

  [[nodiscard]] const Census& census() const { return total_; }
  // census() plus every module's source files (census_for_build's `units`).
  [[nodiscard]] Census census_with_units() const;
  [[nodiscard]] size_t module_count() const { return modules_.size(); }
  [[nodiscard]] size_t approximate_bytes() const { return bytes_; }

  // True when an input file (nm listing, census file, modules.order) or the
  // module file `module_path` (when it is one of ours) has changed.
  [[nodiscard]] bool sources_changed() const;
  [[nodiscard]] bool module_changed(const std::string& module_path) const;

  // A new index with `module_path` re-read. Error: the file's.
  [[nodiscard]] Result<std::shared_ptr<const CensusIndex>> with_module_reread(const std::string& module_path) const;

  // The same answer census_for_names() gives for these sources; when
  // `requester` is one of the tree's module files, also its symbols located
  // at indexing time.
  [[nodiscard]] RestrictedCensus restricted(const NameSet& wanted, const std::string& skip_module,
                                            const std::string& requester = {}) const;
  // Number of module symbols located at indexing time.
  [[nodiscard]] size_t located_symbols() const;
  // Those locations by module file path (modules whose DWARF could not be
  // read are absent).
  [[nodiscard]] std::unordered_map<std::string, std::shared_ptr<const PlacedSymbols>> located_by_path() const;

 private:
  struct Module {
    std::string path;
    std::string name;                // module name (uio, fpga_mgr)
    FileStamp stamp;
    std::vector<std::string> names;  // census keys of its defined symbols
    std::vector<std::string> units;  // module_unit_keys
    // Its text symbols that the census makes duplicated, located; null when
    // its DWARF could not be read (a request then reports why).
    std::shared_ptr<const PlacedSymbols> located;
  };
  // Locates `module`'s alias symbols and completes its stamp with the
  // build-id, from one open of the file.
  static void locate_duplicates(Module& module, const Census& total, bool lto);

  CensusSources sources_;
  bool lto_ = false;
  bool from_census_file_ = false;
  std::vector<std::pair<std::string, FileStamp>> input_stamps_;
  // Shared with the indexes made from this one by with_module_reread(): a
  // rebuilt module replaces its own entry and copies no other.
  std::vector<std::shared_ptr<const Module>> modules_;
  Census total_;  // symbol names only
  // Source-file keys: every module's (module_unit_keys) or a census file's.
  std::shared_ptr<const Census> units_ = std::make_shared<const Census>();
  size_t bytes_ = 0;
};

}  // namespace kas
