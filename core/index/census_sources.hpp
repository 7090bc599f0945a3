// Where a census comes from: vmlinux's names (an nm listing or an ELF file),
// the modules (kbuild modules.order files, directories of .ko files), or a
// complete census file.
#pragma once

#include <string>
#include <vector>

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

// A key naming the sources (the daemon caches one snapshot per key).
[[nodiscard]] std::string sources_key(const CensusSources& sources, bool lto);

}  // namespace kas
