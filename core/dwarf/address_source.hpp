// What source an instruction address comes from, inlined calls included:
// the answer `addr2line -f -i` gives, read from the same DWARF kas already
// holds open.
//
// The innermost frame's file:line is the line-table row at the address; each
// enclosing frame's is the call site (DW_AT_call_file/line) of the inlined
// instance it contains, up to the out-of-line function. The DIE chain is
// found by descending the unit's own nesting (subprogram, inlined
// subroutine, lexical block entries whose ranges hold the address) rather
// than with dwarf_getscopes(), which continues into the abstract
// definition's scopes instead of the concrete caller.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/dwarf/debug_info.hpp"
#include "core/dwarf/source_tree.hpp"

namespace kas {

struct SourceFrame {
  std::string function;  // "" when DWARF names none
  std::string file;      // relative to the source tree (see SourceTree)
  uint32_t line = 0;     // 0 when unknown
};

// Frames at `address` (DWARF terms: DebugInfo::section_address), innermost
// first; the last is the out-of-line function. Empty when no unit covers
// the address. `function_die`, when known (SourceLocation::die_offset of
// the symbol holding the address), saves walking the unit's top level: a
// large unit has thousands of entries. Not thread-safe for one DebugInfo
// (libdw caches per unit).
[[nodiscard]] std::vector<SourceFrame> source_at(const DebugInfo& info, const SourceTree& tree, uint64_t address,
                                                 uint64_t function_die = 0);

}  // namespace kas
