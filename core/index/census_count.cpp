#include "core/index/census_count.hpp"

#include "core/elf/kallsyms_names.hpp"
#include "core/elf/nm_type.hpp"

namespace kas {

bool counts_for_vmlinux(const NmLine& line) {
  // Lines of loaded modules (/proc/kallsyms "[mod]") are not vmlinux's:
  // modules are counted from their files.
  return !nm_is_undefined(line.type) && line.module.empty() && !kallsyms_ignores(line.name);
}

void count_vmlinux(Census& census, std::span<const NmLine> lines, Lto lto, const NameSet* wanted) {
  for (const NmLine& line : lines) {
    if (counts_for_vmlinux(line)) count_name(census, line.name, lto, wanted);
  }
}

}  // namespace kas
