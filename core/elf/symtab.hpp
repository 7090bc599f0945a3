// The symbols of one ELF file, read from .symtab only.
//
// Reading symbols never touches DWARF: a census over 4,000 modules reads
// their symbol tables (~40 MB) and nothing of their debug info (~5 GB).
// Names are views into the file's mapped .strtab, valid while the ElfFile
// lives; callers that keep names copy (or intern) them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/elf/elf_file.hpp"
#include "core/util/result.hpp"

namespace kas {

struct ElfSymbol {
  std::string_view name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint32_t index = 0;    // index in .symtab
  uint32_t section = 0;  // st_shndx after SHN_XINDEX resolution (SHN_* kept)
  bool in_section = false;  // `section` is a real section index, not SHN_*
  uint8_t bind = 0;      // STB_*
  uint8_t type = 0;      // STT_*
  char nm_type = '?';    // as binutils nm prints it
  bool nm_visible = false;  // the target's nm lists it without --debug-syms

  [[nodiscard]] bool defined() const { return nm_visible && nm_type != 'U' && nm_type != 'w' && nm_type != 'v'; }
};

struct SymbolTable {
  std::vector<ElfSymbol> symbols;  // .symtab order, null symbol excluded
  size_t symtab_section = 0;       // index of the SHT_SYMTAB section
  size_t first_global = 0;         // sh_info: index of the first non-local
};

// Reads every symbol of `file`'s .symtab. Errors: kBadElf (no .symtab,
// unreadable data, a name outside .strtab), naming the file.
[[nodiscard]] Result<SymbolTable> read_symbols(const ElfFile& file);

}  // namespace kas
