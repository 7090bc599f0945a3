#include "core/elf/symtab.hpp"

#include "core/elf/kallsyms_names.hpp"
#include "core/elf/nm_type.hpp"

namespace kas {

Result<SymbolTable> read_symbols(const ElfFile& file) {
  Elf* elf = file.elf();
  SymbolTable table;
  Elf_Scn* symtab_scn = nullptr;
  Elf_Data* shndx_data = nullptr;
  GElf_Shdr symtab_shdr{};
  std::vector<SectionClass> classes(file.section_count());

  for (size_t i = 1; i < file.section_count(); ++i) {
    Elf_Scn* scn = elf_getscn(elf, i);
    GElf_Shdr shdr;
    if (scn == nullptr || gelf_getshdr(scn, &shdr) == nullptr) {
      return fail(ErrorCode::kBadElf, file.describe_error("unreadable section header " + std::to_string(i)));
    }
    classes[i] = classify_section(shdr, file.section_name(i));
    if (shdr.sh_type == SHT_SYMTAB && symtab_scn == nullptr) {
      symtab_scn = scn;
      symtab_shdr = shdr;
      table.symtab_section = i;
    }
  }
  if (symtab_scn == nullptr) {
    return fail(ErrorCode::kBadElf, file.path() + ": no symbol table (.symtab); was it stripped?");
  }
  // Extended section indices live in a SHT_SYMTAB_SHNDX section linked to
  // the symbol table; needed only past 65,280 sections but cheap to honour.
  for (size_t i = 1; i < file.section_count(); ++i) {
    GElf_Shdr shdr;
    if (file.section_header(i, shdr) && shdr.sh_type == SHT_SYMTAB_SHNDX && shdr.sh_link == table.symtab_section) {
      shndx_data = elf_getdata(elf_getscn(elf, i), nullptr);
    }
  }

  Elf_Data* data = elf_getdata(symtab_scn, nullptr);
  if (data == nullptr) {
    return fail(ErrorCode::kBadElf, file.describe_error("cannot read .symtab"));
  }
  if (symtab_shdr.sh_entsize == 0) {
    return fail(ErrorCode::kBadElf, file.path() + ": .symtab has entry size 0");
  }
  size_t count = symtab_shdr.sh_size / symtab_shdr.sh_entsize;
  table.first_global = symtab_shdr.sh_info;
  const uint16_t machine = file.header().e_machine;
  table.symbols.reserve(count > 0 ? count - 1 : 0);

  for (size_t i = 1; i < count; ++i) {
    GElf_Sym sym;
    Elf32_Word xindex = 0;
    if (gelf_getsymshndx(data, shndx_data, static_cast<int>(i), &sym, &xindex) == nullptr) {
      return fail(ErrorCode::kBadElf, file.describe_error("cannot read symbol " + std::to_string(i)));
    }
    const char* name = elf_strptr(elf, symtab_shdr.sh_link, sym.st_name);
    if (name == nullptr) {
      return fail(ErrorCode::kBadElf, file.path() + ": symbol " + std::to_string(i) + " has a name outside .strtab");
    }
    bool extended = sym.st_shndx == SHN_XINDEX;
    unsigned shndx = extended ? xindex : sym.st_shndx;
    SectionClass section_class;
    if (shndx != SHN_UNDEF && (extended || shndx < SHN_LORESERVE) && shndx < classes.size()) {
      section_class = classes[shndx];
    }
    ElfSymbol out;
    out.name = name;
    out.value = sym.st_value;
    out.size = sym.st_size;
    out.index = static_cast<uint32_t>(i);
    out.section = shndx;
    out.in_section = shndx != SHN_UNDEF && (extended || shndx < SHN_LORESERVE);
    out.bind = static_cast<uint8_t>(GELF_ST_BIND(sym.st_info));
    out.type = static_cast<uint8_t>(GELF_ST_TYPE(sym.st_info));
    out.nm_type = nm_type_letter(sym, section_class);
    // The target's nm (the one kbuild's mksysmap runs) hides its mapping
    // symbols; a host nm for all targets would list them.
    out.nm_visible = !nm_hides(sym) && !is_mapping_symbol(out.name, machine);
    table.symbols.push_back(out);
  }
  return table;
}

}  // namespace kas
