#include "core/elf/nm_type.hpp"

#include <cctype>

namespace kas {

namespace {

// BFD section flags derived from an ELF section header; only the ones nm's
// decode_section_type looks at.
struct BfdFlags {
  bool has_contents = false;
  bool readonly = false;
  bool code = false;
  bool data = false;
  bool debugging = false;
};

// PE-style names BFD classifies by name first (coff_section_type); matched
// when the name is exactly the key or continues with '$'.
char section_type_by_name(std::string_view name) {
  struct Entry {
    std::string_view prefix;
    char letter;
  };
  static constexpr Entry kTable[] = {{".drectve", 'i'}, {".edata", 'e'}, {".idata", 'i'}, {".pdata", 'p'}};
  for (const Entry& e : kTable) {
    if (name.starts_with(e.prefix) && (name.size() == e.prefix.size() || name[e.prefix.size()] == '$')) {
      return e.letter;
    }
  }
  return '?';
}

}  // namespace

SectionClass classify_section(const GElf_Shdr& shdr, std::string_view name) {
  // BFD makes no section for symbol/string tables and for relocation
  // sections; symbols "in" them are shown as absolute.
  switch (shdr.sh_type) {
    case SHT_NULL:
    case SHT_SYMTAB:
    case SHT_STRTAB:
    case SHT_REL:
    case SHT_RELA:
    case SHT_SYMTAB_SHNDX:
      return {};
    default:
      break;
  }
  if (char c = section_type_by_name(name); c != '?') return {c, true};

  BfdFlags f;
  f.has_contents = shdr.sh_type != SHT_NOBITS;
  bool alloc = (shdr.sh_flags & SHF_ALLOC) != 0;
  bool load = alloc && shdr.sh_type != SHT_NOBITS;
  f.readonly = (shdr.sh_flags & SHF_WRITE) == 0;
  f.code = (shdr.sh_flags & SHF_EXECINSTR) != 0;
  f.data = !f.code && load;
  if (!alloc) {
    f.debugging = name.starts_with(".debug") || name.starts_with(".gnu.debuglto_.debug_") ||
                  name.starts_with(".gnu.linkonce.wi.") || name.starts_with(".zdebug") ||
                  name.starts_with(".line") || name.starts_with(".stab");
  }

  char c = '?';
  if (f.code) {
    c = 't';
  } else if (f.data) {
    c = f.readonly ? 'r' : 'd';
  } else if (!f.has_contents) {
    c = 'b';
  } else if (f.debugging) {
    c = 'N';
  } else if (f.readonly) {
    c = 'n';
  }
  return {c, true};
}

bool nm_hides(const GElf_Sym& sym) {
  unsigned type = GELF_ST_TYPE(sym.st_info);
  return type == STT_SECTION || type == STT_FILE;
}

char nm_type_letter(const GElf_Sym& sym, SectionClass section) {
  unsigned shndx = sym.st_shndx;
  unsigned bind = GELF_ST_BIND(sym.st_info);
  unsigned type = GELF_ST_TYPE(sym.st_info);
  bool object = type == STT_OBJECT || type == STT_COMMON;

  if (shndx == SHN_COMMON) return 'C';
  if (shndx == SHN_UNDEF) {
    if (bind == STB_WEAK) return object ? 'v' : 'w';
    return 'U';
  }
  if (type == STT_GNU_IFUNC) return 'i';
  if (bind == STB_WEAK) return object ? 'V' : 'W';
  if (bind == STB_GNU_UNIQUE) return 'u';
  if (bind != STB_GLOBAL && bind != STB_LOCAL) return '?';

  char c;
  if (shndx == SHN_ABS || !section.known) {
    c = 'a';
  } else {
    c = section.letter;
  }
  if (bind == STB_GLOBAL) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return c;
}

}  // namespace kas
