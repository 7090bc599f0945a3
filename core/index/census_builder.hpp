// Builds a Census from its sources: vmlinux's nm listing and module objects.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/alias/lto.hpp"
#include "core/elf/symtab.hpp"
#include "core/index/census.hpp"
#include "core/index/nm_listing.hpp"
#include "core/util/result.hpp"

namespace kas {

struct CensusOptions {
  unsigned jobs = 1;
  bool lto = false;  // count names with LTO's numeric suffixes removed
};

// Whether an nm line counts as a vmlinux definition (not U/w/v, not a
// /proc/kallsyms line of a loaded module).
[[nodiscard]] bool counts_for_vmlinux(const NmLine& line);

// Counts every defined vmlinux symbol of an nm listing (U/w/v lines and
// /proc/kallsyms lines of loaded modules do not count).
void add_nm_listing(Census& census, std::span<const NmLine> lines, const CensusOptions& options);

// Reads the symbol table of each object in parallel and hands it to
// visit(worker, index, table) on worker `worker` (< jobs). Error: the first
// failing file in list order, so the message does not depend on scheduling.
[[nodiscard]] Result<void> for_each_symbol_table(
    std::span<const std::string> paths, unsigned jobs,
    const std::function<void(unsigned worker, size_t index, const SymbolTable& table)>& visit);

}  // namespace kas
