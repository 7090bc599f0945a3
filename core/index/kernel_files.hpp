// One kernel's files, however it was named (kernel_name.hpp finds them for
// a build tree, an installed release, the running kernel): vmlinux's
// symbol names, the modules, or a complete census file. The alias commands
// count a census over them; the query commands index them, which needs
// vmlinux as an ELF file with DWARF.
#pragma once

#include <string>
#include <vector>

#include "core/census/lto.hpp"
#include "core/util/result.hpp"

namespace kas {

struct KernelFiles {
  // vmlinux's names: an nm listing (mksysmap output, System.map,
  // /proc/kallsyms) or an ELF file (vmlinux, vmlinux.o), which the query
  // commands require.
  std::string vmlinux;
  std::vector<std::string> modules_orders;  // kbuild modules.order files
  std::vector<std::string> module_dirs;     // directories searched for *.ko
  std::string census_path;                  // a complete census (symbfreq); excludes module sources
};

// Paths of the module objects named by `files` (modules.order entries,
// then directory scans), in that order.
[[nodiscard]] Result<std::vector<std::string>> collect_module_files(const KernelFiles& files);

// Error kInvalidArgument when a census file is combined with module sources.
[[nodiscard]] Result<void> check_census_sources(const KernelFiles& files);

// A key naming the files a census is counted over (the daemon caches one
// snapshot per key).
[[nodiscard]] std::string sources_key(const KernelFiles& files, Lto lto);

}  // namespace kas
