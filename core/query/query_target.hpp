// What `kas lookup / resolve / decode` ask about: one kernel's files (found
// by find_kernel_files with KernelNeeds::kDebugInfo, or given one by one)
// and what only a question adds: where the sources are and how aliases are
// named.
#pragma once

#include <string>

#include "core/alias/policy.hpp"
#include "core/index/kernel_files.hpp"

namespace kas {

struct QueryTarget {
  KernelFiles kernel;   // vmlinux must be an ELF file with DWARF; no census file
  std::string srctree;  // "" = infer from DWARF
  AliasOptions alias;
};

// A key identifying the target (the daemon caches one index per key).
[[nodiscard]] std::string target_key(const QueryTarget& target);

}  // namespace kas
