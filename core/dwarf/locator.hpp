// Where a symbol is defined: the source location its alias is named after.
//
// The location is DW_AT_decl_file/DW_AT_decl_line of the entry that defines
// the symbol, following DW_AT_abstract_origin / DW_AT_specification to the
// entry that carries them. A function is defined by the subprogram (not an
// inlined instance) whose address ranges intersect the symbol's extent
// [value, value + size): its DW_AT_low_pc need not be the symbol's value
// (arm64's patchable function entries and BTI landing pads put the symbol
// 8-12 bytes before it; a ".cold" part starts one of the ranges). Of several,
// the one starting closest to the symbol wins. When none does (identical
// code folding leaves a function's own entry without ranges: radeon's
// atom_op_nop), the unit's rangeless, non-declaration subprogram of the
// symbol's name (up to a GCC suffix such as ".isra.0") defines it. A
// variable is defined by the
// entry whose location is the symbol's address. The line-table row at the
// entry address is not used for C: it lands in inlined helpers and moves
// with the compiler. Assembly has no defining entry (or one without
// DW_AT_decl_*): there the first row inside the symbol's own extent is the
// location, never a row of the code before it. Lookups are batched so each
// unit's entries are walked once, and only units that hold a queried symbol
// are read at all.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dwarf/debug_info.hpp"
#include "core/dwarf/source_tree.hpp"

namespace kas {

struct SourceLocation {
  std::string file;  // defining file, relative to the source tree
  uint32_t line = 0;
  std::string unit;  // the compilation unit's primary source, same form
  bool from_line_table = false;  // assembly: no defining DWARF entry
  // The entry found at the symbol's address (a concrete subprogram or
  // variable; 0 from the line table): where an address inside the function
  // starts its search for inlined calls (address_source).
  uint64_t die_offset = 0;
};

struct LocateQuery {
  uint64_t address = 0;   // in DWARF terms (see DebugInfo::section_address)
  bool function = true;   // a subprogram or the line table; false: a variable
  uint64_t size = 0;      // st_size; 0 (unknown) counts as one byte
  // The symbol's name, for a function no subprogram's ranges cover (see
  // above); must outlive the locate() call. Empty: not known.
  std::string_view name;
};

// Whether a symbol is sought as a function (subprogram, or the line table
// for assembly) or as a variable. Its ELF type decides, not its nm letter:
// the letter follows the section's flags, and a link that makes a data
// section executable (Linux 7.x's x86 vmlinux puts .text..relocate_kernel
// in .data) turns every variable there into `t` for nm, kallsyms and
// tracers. Only a symbol without a type (an assembly label) goes by the
// letter.
[[nodiscard]] bool sought_as_function(uint8_t elf_type, char nm_type);

// Locates every query; an element is nullopt when DWARF has no location for
// it (no alias is made then). Thread-compatible: one Locator per thread.
[[nodiscard]] std::vector<std::optional<SourceLocation>> locate(const DebugInfo& info, const SourceTree& tree,
                                                                std::span<const LocateQuery> queries);

}  // namespace kas
