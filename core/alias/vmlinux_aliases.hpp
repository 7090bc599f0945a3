// The aliases of vmlinux's symbols: which lines of its nm listing get one
// and which, given the census. The one decision `kas vmlinux` writes into
// the kallsyms input and `kas lookup` shows.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/alias/policy.hpp"
#include "core/census/census.hpp"
#include "core/dwarf/debug_info.hpp"
#include "core/dwarf/source_tree.hpp"
#include "core/elf/elf_file.hpp"
#include "core/elf/nm_listing.hpp"
#include "core/elf/symtab.hpp"
#include "core/util/result.hpp"

namespace kas {

// vmlinux (or vmlinux.o) opened for locating: its symbols (for their sizes,
// which an nm listing lacks), its DWARF and the source tree inferred from it.
struct VmlinuxDebug {
  ElfFile object;
  SymbolTable symbols;  // views into `object`
  std::unique_ptr<DebugInfo> info;
  SourceTree tree;
  // Errors: the file's (not found, not ELF, no .symtab, no DWARF).
  // `symbols`, when given, are the file's already read (kept alive by the
  // caller): its .symtab is not parsed again.
  [[nodiscard]] static Result<VmlinuxDebug> open(const std::string& path, const std::string& srctree,
                                                 const SymbolTable* symbols = nullptr);
};

// What kas vmlinux -v reports of its decisions (counted here, carried as
// one value to the user).
struct AliasCounts {
  size_t eligible = 0;
  size_t aliases = 0;
  size_t unlocated = 0;        // eligible but DWARF had no location
  size_t from_line_table = 0;  // located by line table (assembly)
  size_t disambiguated = 0;    // needed more than NAME@FILE_LINE
  size_t shortened = 0;        // cut to fit KSYM_NAME_LEN (assign_aliases)
};

struct VmlinuxDecision {
  std::vector<std::string> alias_of_line;  // per listing line, "" for none
  AliasCounts counts;
  std::vector<std::string> unlocated_names;  // their listing lines, ADDR TYPE NAME
  std::vector<std::string> too_long_names;  // no alias: the name alone is too long for one
};

// A relocatable object (vmlinux.o, for kbuild's debug-less kallsyms links)
// is located through the map from the listing's addresses to its sections;
// a linked vmlinux by the addresses themselves. Errors: that map's.
[[nodiscard]] Result<VmlinuxDecision> decide_vmlinux_aliases(std::span<const NmLine> lines, const Census& census,
                                                             const AliasOptions& options, const VmlinuxDebug& debug);

}  // namespace kas
