// The one-letter symbol class that binutils `nm` prints ("T", "t", "d", ...).
//
// kallsyms and the alias rules speak in nm letters (text = T/t), and module
// aliases must carry exactly the letter nm would print, so this reproduces
// BFD's decision (bfd_decode_symclass + the ELF section flag mapping of
// _bfd_elf_make_section_from_shdr) from raw ELF fields, without BFD.
#pragma once

#include <gelf.h>

#include <string_view>

namespace kas {

// What nm needs to know about a symbol's section.
struct SectionClass {
  char letter = '?';  // lowercase class of a local symbol defined there
  bool known = false;  // false: BFD made no section for it (treated as abs)
};

// Lowercase letter for symbols in a section with this header and name.
[[nodiscard]] SectionClass classify_section(const GElf_Shdr& shdr, std::string_view name);

// nm letter for a symbol. `sym.st_shndx` is the raw field (SHN_UNDEF,
// SHN_ABS, SHN_COMMON are recognised there; SHN_XINDEX means "a real section,
// see `section`"); `section` is the class of the section it is defined in.
[[nodiscard]] char nm_type_letter(const GElf_Sym& sym, SectionClass section);

// True for symbols nm hides without --debug-syms (section and file symbols).
[[nodiscard]] bool nm_hides(const GElf_Sym& sym);

// True for letters nm uses for undefined symbols (U, w, v).
[[nodiscard]] constexpr bool nm_is_undefined(char letter) {
  return letter == 'U' || letter == 'w' || letter == 'v';
}

// True for text letters (T, t).
[[nodiscard]] constexpr bool nm_is_text(char letter) { return letter == 'T' || letter == 't'; }

}  // namespace kas
