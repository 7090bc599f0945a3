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

// The relocation types of each machine that its DWARF may hold, most
// frequent first (each of millions of entries scans its machine's list).
// Debian's 6.1 arm64 modules (all 3,685 of 6.1.0-56) have only ABS32
// (83M entries) and ABS64 (8M) in .rela.debug_*.
// The PC-relative and 16-bit ones are the ABI's other data relocations,
// for hand-written DWARF. libdwfl (elfutils 0.188) applies only ABS16/32/64
// on arm64: on a file with PREL* in the sections read, the two paths would
// differ, kas's giving the ABI's value.
constexpr RelocationKind kX86_64Kinds[] = {
    {R_X86_64_32, 4, false},       {R_X86_64_64, 8, false},       {R_X86_64_32S, 4, false},
    {R_X86_64_PC32, 4, true},      {R_X86_64_PC64, 8, true},      {R_X86_64_DTPOFF32, 4, false},
    {R_X86_64_DTPOFF64, 8, false}, {R_X86_64_NONE, 0, false},
};
constexpr RelocationKind kAarch64Kinds[] = {
    {R_AARCH64_ABS32, 4, false},  {R_AARCH64_ABS64, 8, false},  {R_AARCH64_PREL32, 4, true},
    {R_AARCH64_PREL64, 8, true},  {R_AARCH64_ABS16, 2, false},  {R_AARCH64_PREL16, 2, true},
    {R_AARCH64_NONE, 0, false},
};

struct MachineRelocations {
  uint16_t machine;
  std::span<const RelocationKind> kinds;
};
constexpr MachineRelocations kMachines[] = {
    {EM_X86_64, kX86_64Kinds},
    {EM_AARCH64, kAarch64Kinds},
};

const MachineRelocations* relocations_of(unsigned machine) {
  for (const MachineRelocations& m : kMachines) {
    if (m.machine == machine) return &m;
  }
  return nullptr;
}

// The kind of entry `r` if it can be applied to a section of `target_size`
// bytes with `symbols` symbols; nullptr for a type `kinds` lacks, a symbol
// or offset out of bounds.
const RelocationKind* applicable_kind(std::span<const RelocationKind> kinds, const Elf64_Rela& r,
                                      uint64_t target_size, size_t symbols) {
  const auto type = static_cast<uint32_t>(ELF64_R_TYPE(r.r_info));
  for (const RelocationKind& kind : kinds) {
    if (kind.type != type) continue;
    if (kind.bytes == 0) return &kind;
    bool fits = ELF64_R_SYM(r.r_info) < symbols && r.r_offset <= target_size &&
                target_size - r.r_offset >= kind.bytes;
    return fits ? &kind : nullptr;
  }
  return nullptr;
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
    const RelocationKind* kind = applicable_kind(kinds_, r, target_size_, symbols_);
    if (kind == nullptr) {
      ++skipped_;
      continue;
    }
    if (kind->bytes == 0) continue;
    uint64_t value = symbol_value_[ELF64_R_SYM(r.r_info)] + static_cast<uint64_t>(r.r_addend);
    if (kind->pc_relative) value -= target_base_ + r.r_offset;
    // The low bytes of a little-endian value (host and file order, checked).
    std::memcpy(target_ + r.r_offset, &value, kind->bytes);
  }
}

bool relocates_machine(unsigned machine) { return relocations_of(machine) != nullptr; }

std::optional<DebugRelocation> relocate_debug_sections(Elf* elf) {
  GElf_Ehdr ehdr;
  if (gelf_getehdr(elf, &ehdr) == nullptr) {
    return std::nullopt;
  }
  // Entries are read and written in host order: a little-endian host and
  // file (x86-64, and arm64 as Debian builds it).
  const MachineRelocations* machine = relocations_of(ehdr.e_machine);
  if (std::endian::native != std::endian::little || ehdr.e_type != ET_REL || machine == nullptr ||
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
    SectionRelocations section(machine->kinds, static_cast<unsigned char*>(target->d_buf),
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
      if (applicable_kind(machine->kinds, r, target->d_size, nsyms) == nullptr) return std::nullopt;
    }
    section.apply_all();
    layout.eager_bytes += target->d_size;
  }
  return layout;
}

}  // namespace kas
