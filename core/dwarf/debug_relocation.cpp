#include "core/dwarf/debug_relocation.hpp"

#include <gelf.h>

#include <bit>
#include <cstring>
#include <string_view>

namespace kas {

namespace {

// The debug sections a source lookup reads (units, names, line tables, unit
// and subprogram ranges). Location lists are not among them: a variable is
// matched only by a single-expression DW_AT_location, which lives in
// .debug_info. .debug_frame and the like are never read, so never relocated.
bool read_by_lookups(std::string_view name) {
  for (std::string_view wanted : {".debug_info", ".debug_line", ".debug_aranges", ".debug_ranges",
                                  ".debug_rnglists", ".debug_str_offsets", ".debug_addr", ".debug_types"}) {
    if (name == wanted) return true;
  }
  return false;
}

struct Width {
  size_t bytes = 0;
  bool pc_relative = false;
};

// x86-64 relocation types that occur in DWARF; 0 bytes: unsupported.
Width x86_64_width(uint32_t type) {
  switch (type) {
    case R_X86_64_64: return {8, false};
    case R_X86_64_32:
    case R_X86_64_32S: return {4, false};
    case R_X86_64_PC32: return {4, true};
    case R_X86_64_PC64: return {8, true};
    case R_X86_64_DTPOFF32: return {4, false};
    case R_X86_64_DTPOFF64: return {8, false};
    default: return {};
  }
}

}  // namespace

uint64_t SectionRelocations::offset_of(size_t k) const {
  uint64_t offset = 0;
  std::memcpy(&offset, relas_ + k * sizeof(Elf64_Rela), sizeof offset);
  return offset;
}

void SectionRelocations::apply(uint64_t begin, uint64_t end) const {
  if (all_applied_) return;
  size_t lo = 0;
  size_t hi = count_;
  while (lo < hi) {  // first entry at or past `begin`
    size_t mid = lo + (hi - lo) / 2;
    if (offset_of(mid) < begin) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  size_t last = lo;
  uint64_t previous = lo > 0 ? offset_of(lo - 1) : 0;
  bool ordered = previous <= begin || lo == 0;
  while (last < count_ && offset_of(last) < end) {
    ordered = ordered && offset_of(last) >= previous;
    previous = offset_of(last);
    ++last;
  }
  if (!ordered) {
    // The search above assumed order: apply everything instead.
    apply_all();
    return;
  }
  apply_entries(lo, last);
}

void SectionRelocations::apply_all() const {
  if (all_applied_) return;
  apply_entries(0, count_);
  all_applied_ = true;
}

void SectionRelocations::apply_entries(size_t first, size_t last) const {
  for (size_t k = first; k < last; ++k) {
    Elf64_Rela r;
    std::memcpy(&r, relas_ + k * sizeof r, sizeof r);  // file order is host order (checked)
    const auto type = static_cast<uint32_t>(ELF64_R_TYPE(r.r_info));
    if (type == R_X86_64_NONE) continue;
    Width width = x86_64_width(type);
    if (width.bytes == 0 || ELF64_R_SYM(r.r_info) >= symbols_ || r.r_offset > target_size_ ||
        target_size_ - r.r_offset < width.bytes) {
      ++skipped_;
      continue;
    }
    uint64_t value = symbol_value_[ELF64_R_SYM(r.r_info)] + static_cast<uint64_t>(r.r_addend);
    if (width.pc_relative) value -= target_base_ + r.r_offset;
    std::memcpy(target_ + r.r_offset, &value, width.bytes);
  }
}

std::optional<DebugRelocation> relocate_debug_sections(Elf* elf) {
  GElf_Ehdr ehdr;
  if (gelf_getehdr(elf, &ehdr) == nullptr) {
    return std::nullopt;
  }
  // Entries are read and written in host order: an x86-64 host and file.
  if (std::endian::native != std::endian::little || ehdr.e_type != ET_REL || ehdr.e_machine != EM_X86_64 ||
      ehdr.e_ident[EI_CLASS] != ELFCLASS64 || ehdr.e_ident[EI_DATA] != ELFDATA2LSB) {
    return std::nullopt;
  }
  size_t count = 0;
  size_t shstrndx = 0;
  if (elf_getshdrnum(elf, &count) != 0 || elf_getshdrstrndx(elf, &shstrndx) != 0) {
    return std::nullopt;
  }

  DebugRelocation layout;
  layout.section_address.resize(count);
  std::vector<GElf_Shdr> shdrs(count);
  uint64_t cursor = 0;
  size_t symtab = 0;
  for (size_t i = 1; i < count; ++i) {
    if (gelf_getshdr(elf_getscn(elf, i), &shdrs[i]) == nullptr) {
      return std::nullopt;
    }
    const GElf_Shdr& s = shdrs[i];
    if (s.sh_type == SHT_SYMTAB) symtab = i;
    if ((s.sh_flags & SHF_ALLOC) == 0) continue;
    uint64_t align = s.sh_addralign > 1 ? s.sh_addralign : 1;
    cursor = (cursor + align - 1) / align * align;
    layout.section_address[i] = cursor;
    // Empty sections still get a distinct address: a symbol may sit there.
    cursor += s.sh_size > 0 ? s.sh_size : 1;
  }
  if (symtab == 0) {
    return std::nullopt;
  }
  Elf_Data* syms = elf_getdata(elf_getscn(elf, symtab), nullptr);
  Elf_Data* shndx_data = nullptr;
  for (size_t i = 1; i < count; ++i) {
    if (shdrs[i].sh_type == SHT_SYMTAB_SHNDX && shdrs[i].sh_link == symtab) {
      shndx_data = elf_getdata(elf_getscn(elf, i), nullptr);
    }
  }
  if (syms == nullptr) {
    return std::nullopt;
  }
  const size_t nsyms = shdrs[symtab].sh_entsize == 0 ? 0 : shdrs[symtab].sh_size / shdrs[symtab].sh_entsize;
  // S of every symbol, resolved once: a large module has millions of debug
  // relocations against a few hundred section symbols.
  std::vector<uint64_t>& symbol_value = layout.symbol_value;
  symbol_value.resize(nsyms);
  for (size_t k = 0; k < nsyms; ++k) {
    GElf_Sym sym;
    Elf32_Word xindex = 0;
    if (gelf_getsymshndx(syms, shndx_data, static_cast<int>(k), &sym, &xindex) == nullptr) {
      return std::nullopt;
    }
    size_t sec = sym.st_shndx == SHN_XINDEX ? xindex : sym.st_shndx;
    symbol_value[k] = sym.st_value;
    if (sym.st_shndx != SHN_ABS && sym.st_shndx != SHN_UNDEF && sym.st_shndx != SHN_COMMON && sec < count) {
      symbol_value[k] += layout.section_address[sec].value_or(0);
    }
  }

  for (size_t i = 1; i < count; ++i) {
    const GElf_Shdr& rs = shdrs[i];
    if (rs.sh_type == SHT_REL) {
      const char* target_name = rs.sh_info < count ? elf_strptr(elf, shstrndx, shdrs[rs.sh_info].sh_name) : nullptr;
      if (target_name != nullptr && read_by_lookups(target_name)) {
        return std::nullopt;
      }
      continue;
    }
    if (rs.sh_type != SHT_RELA || rs.sh_link != symtab || rs.sh_info == 0 || rs.sh_info >= count) continue;
    const GElf_Shdr& ts = shdrs[rs.sh_info];
    const char* target_name = elf_strptr(elf, shstrndx, ts.sh_name);
    if (target_name == nullptr || !read_by_lookups(target_name)) continue;
    if ((ts.sh_flags & SHF_COMPRESSED) != 0 || ts.sh_type == SHT_NOBITS) {
      return std::nullopt;
    }
    Elf_Data* target = elf_getdata(elf_getscn(elf, rs.sh_info), nullptr);
    // Raw: the file bytes in the mapping, not a converted copy (file and
    // host byte order agree, checked above); a large module has 140 MB of
    // .rela.debug_info, which libelf would copy whole.
    Elf_Data* relas = elf_rawdata(elf_getscn(elf, i), nullptr);
    if (target == nullptr || relas == nullptr || target->d_buf == nullptr) {
      return std::nullopt;
    }
    if (rs.sh_entsize != sizeof(Elf64_Rela) || relas->d_size % sizeof(Elf64_Rela) != 0) {
      return std::nullopt;
    }
    const auto* raw = static_cast<const unsigned char*>(relas->d_buf);
    const size_t n = relas->d_size / sizeof(Elf64_Rela);
    SectionRelocations section(static_cast<unsigned char*>(target->d_buf),
                               layout.section_address[rs.sh_info].value_or(0), target->d_size, raw, n,
                               layout.symbol_value.data(), nsyms);
    if (std::string_view(target_name) == ".debug_info" && !layout.debug_info) {
      layout.debug_info = section;  // applied per unit, checked as it goes
      continue;
    }
    // Check every entry now, so that a type we do not handle sends the file
    // to libdwfl instead of being skipped.
    for (size_t k = 0; k < n; ++k) {
      Elf64_Rela r;
      std::memcpy(&r, raw + k * sizeof r, sizeof r);  // file order is host order (checked above)
      uint32_t type = static_cast<uint32_t>(ELF64_R_TYPE(r.r_info));
      Width width = x86_64_width(type);
      if (type != R_X86_64_NONE &&
          (width.bytes == 0 || ELF64_R_SYM(r.r_info) >= nsyms || r.r_offset > target->d_size ||
           target->d_size - r.r_offset < width.bytes)) {
        return std::nullopt;
      }
    }
    section.apply_all();
    layout.eager_bytes += target->d_size;
  }
  return layout;
}

}  // namespace kas
