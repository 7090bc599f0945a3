// Where a census comes from, and building it — for a whole build (vmlinux)
// or restricted to the names one module defines (module requests only need
// those counts, which lets them skip the other ~500,000 names).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/dwarf/symbol_locations.hpp"
#include "core/index/census.hpp"
#include "core/index/nm_listing.hpp"
#include "core/util/result.hpp"

namespace kas {

struct CensusSources {
  std::string nm_path;                      // vmlinux nm listing (mksysmap output, System.map, /proc/kallsyms)
  std::vector<std::string> modules_orders;  // kbuild modules.order files
  std::vector<std::string> module_dirs;     // directories searched for *.ko
  std::string census_path;                  // a complete census (symbfreq); excludes module sources
};

// Paths of the module objects named by `sources` (modules.order entries,
// then directory scans), in that order.
[[nodiscard]] Result<std::vector<std::string>> collect_module_files(const CensusSources& sources);

// Error kInvalidArgument when a census file is combined with module sources.
[[nodiscard]] Result<void> check_census_sources(const CensusSources& sources);

// The census key of a module's source file: "*/" + its base name (the '/'
// keeps keys apart from symbol names). A module's symbol table names its
// sources by base name only (STT_FILE), and kbuild may compile one file
// into modules of other directories (hns3's hns3_common/hclge_comm_cmd.c
// into hns3pf/hclge.ko and hns3vf/hclgevf.ko), so the base name is all two
// modules can be compared by without reading DWARF. A file name shared by
// chance only makes an alias longer (module-qualified), never wrong.
[[nodiscard]] std::string unit_key(std::string_view source_file);
// unit_key of each STT_FILE symbol of a module (its source files).
struct SymbolTable;
[[nodiscard]] std::vector<std::string> module_unit_keys(const SymbolTable& table);

// Census over an already parsed vmlinux listing plus the module sources (or
// the census file). `modules` receives the number of module files read.
// With `units`, the census also counts each module's source files
// (module_unit_keys), for module requests that read the census from a file.
[[nodiscard]] Result<Census> census_for_build(const CensusSources& sources, std::span<const NmLine> vmlinux,
                                              unsigned jobs, bool lto, size_t* modules = nullptr, bool units = false);

// Counts, over all sources, only the names in `wanted` (LTO-stripped when
// `lto`). Module files whose module name is `skip_module` are not read: the
// module being processed replaces them. `included` reports whether the
// sources already counted that module (a listed module of that name, or a
// census file that holds every wanted name).
// How many modules hold a source file (module_unit_keys): a table shared
// between requests (the daemon keeps one per tree) less the files of the
// module a request replaces, so that no request copies the whole table.
class UnitHolders {
 public:
  UnitHolders() : all_(std::make_shared<const Census>()) {}
  explicit UnitHolders(std::shared_ptr<const Census> all, Census less = {})
      : all_(std::move(all)), less_(std::move(less)) {}
  [[nodiscard]] uint32_t count(std::string_view unit) const {
    uint32_t n = all_->count(unit);
    uint32_t minus = less_.count(unit);
    return n > minus ? n - minus : 0;
  }

 private:
  std::shared_ptr<const Census> all_;
  Census less_;
};

struct RestrictedCensus {
  Census counts;
  // Source files of the other modules, with the number of modules holding
  // each: a file compiled into several modules defines the same names at the
  // same lines in each, so their aliases need the module.
  UnitHolders other_units;
  bool included = false;
  // `counts` and `other_units` include the module itself (a census file
  // that counted it); module lists leave it out instead.
  bool self_counted = false;
  size_t modules = 0;
  // The requesting file's duplicated symbols, located when the tree was
  // indexed (the daemon's); null: locate them from its DWARF.
  std::shared_ptr<const PlacedSymbols> located;
};
// The part of a complete census (a census file: `names` and its source-file
// keys `units`) that a module request for `wanted` needs.
[[nodiscard]] RestrictedCensus restrict_complete_census(const Census& names, std::shared_ptr<const Census> units,
                                                        const NameSet& wanted);

[[nodiscard]] Result<RestrictedCensus> census_for_names(const CensusSources& sources,
                                                        const NameSet& wanted,
                                                        const std::string& skip_module, unsigned jobs, bool lto);

}  // namespace kas
