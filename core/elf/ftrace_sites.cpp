// Reading the ftrace call-site records of vmlinux and of modules (see the
// header for what the kernel does with them).
#include "core/elf/ftrace_sites.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace kas {

namespace {

Elf_Scn* section_at(const ElfFile& file, size_t index, GElf_Shdr& shdr) {
  Elf_Scn* scn = elf_getscn(file.elf(), index);
  if (scn == nullptr || gelf_getshdr(scn, &shdr) == nullptr) return nullptr;
  return scn;
}

// Every (offset, addend, symbol) of the RELA sections applying to section
// `target` (0: any, as vmlinux's .rela.dyn applies to the whole image).
template <typename Fn>
Result<void> each_rela(const ElfFile& file, size_t target, Fn&& fn) {
  for (size_t i = 1; i < file.section_count(); ++i) {
    GElf_Shdr shdr{};
    Elf_Scn* scn = section_at(file, i, shdr);
    if (scn == nullptr || shdr.sh_type != SHT_RELA || (target != 0 && shdr.sh_info != target)) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) return fail(ErrorCode::kBadElf, file.describe_error("cannot read relocations"));
    const size_t count = shdr.sh_entsize == 0 ? 0 : shdr.sh_size / shdr.sh_entsize;
    for (size_t r = 0; r < count; ++r) {
      GElf_Rela rela{};
      if (gelf_getrela(data, static_cast<int>(r), &rela) == nullptr) break;
      fn(rela, shdr.sh_link);
    }
  }
  return {};
}

// The values of vmlinux symbols named in `names` (0 when absent).
Result<std::vector<uint64_t>> symbol_values(const ElfFile& file, const std::vector<std::string_view>& names) {
  std::vector<uint64_t> values(names.size(), 0);
  for (size_t i = 1; i < file.section_count(); ++i) {
    GElf_Shdr shdr{};
    Elf_Scn* scn = section_at(file, i, shdr);
    if (scn == nullptr || shdr.sh_type != SHT_SYMTAB) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) return fail(ErrorCode::kBadElf, file.describe_error("cannot read .symtab"));
    const size_t count = shdr.sh_entsize == 0 ? 0 : shdr.sh_size / shdr.sh_entsize;
    for (size_t s = 1; s < count; ++s) {
      GElf_Sym sym{};
      if (gelf_getsym(data, static_cast<int>(s), &sym) == nullptr) break;
      const char* name = elf_strptr(file.elf(), shdr.sh_link, sym.st_name);
      if (name == nullptr || name[0] != '_') continue;
      auto it = std::find(names.begin(), names.end(), std::string_view(name));
      if (it != names.end()) values[static_cast<size_t>(it - names.begin())] = sym.st_value;
    }
  }
  return values;
}

// The address-sized words of [start, stop) in a linked file, with RELA
// addends where the link left the words to boot (arm64).
Result<std::vector<uint64_t>> linked_words(const ElfFile& file, uint64_t start, uint64_t stop) {
  std::vector<uint64_t> out;
  const size_t word = gelf_getclass(file.elf()) == ELFCLASS64 ? 8 : 4;
  const bool big = file.header().e_ident[EI_DATA] == ELFDATA2MSB;
  for (size_t i = 1; i < file.section_count(); ++i) {
    GElf_Shdr shdr{};
    if (section_at(file, i, shdr) == nullptr || shdr.sh_type != SHT_PROGBITS || start < shdr.sh_addr ||
        stop > shdr.sh_addr + shdr.sh_size) {
      continue;
    }
    const std::span<const unsigned char> image = file.image();
    const uint64_t offset = shdr.sh_offset + (start - shdr.sh_addr);
    if (offset + (stop - start) > image.size()) return fail(ErrorCode::kBadElf, file.path() + ": a table past the file's end");
    for (uint64_t at = 0; at + word <= stop - start; at += word) {
      uint64_t value = 0;
      for (size_t b = 0; b < word; ++b) value |= uint64_t{image[offset + at + b]} << (8 * (big ? word - 1 - b : b));
      if (value != 0) out.push_back(value);
    }
    break;
  }
  if (out.empty()) {
    auto applied = each_rela(file, 0, [&](const GElf_Rela& rela, size_t) {
      if (rela.r_offset >= start && rela.r_offset < stop && rela.r_addend != 0) {
        out.push_back(static_cast<uint64_t>(rela.r_addend));
      }
    });
    if (!applied) return std::unexpected(applied.error());
  }
  return out;
}

// vmlinux: the link addresses between the two boundary symbols, which
// vmlinux.lds puts around every object's __mcount_loc; a program linked
// without the kernel's script keeps the section itself.
Result<FtraceSites> linked_sites(const ElfFile& file) {
  FtraceSites out;
  uint64_t start = 0;
  uint64_t stop = 0;
  for (size_t i = 1; i < file.section_count(); ++i) {
    GElf_Shdr shdr{};
    if (section_at(file, i, shdr) != nullptr && shdr.sh_type == SHT_PROGBITS &&
        (file.section_name(i) == "__mcount_loc" || file.section_name(i) == "__patchable_function_entries")) {
      start = shdr.sh_addr;
      stop = shdr.sh_addr + shdr.sh_size;
    }
  }
  if (stop <= start) {
    auto bounds = symbol_values(file, {"__start_mcount_loc", "__stop_mcount_loc"});
    if (!bounds) return std::unexpected(bounds.error());
    start = (*bounds)[0];
    stop = (*bounds)[1];
  }
  if (start == 0 || stop <= start) return out;
  auto words = linked_words(file, start, stop);
  if (!words) return std::unexpected(words.error());
  out.recorded = true;
  for (uint64_t address : *words) out.sites.emplace_back(0, address);
  return out;
}

// A module: each relocation of its record section names a symbol (usually
// a section symbol) plus an addend.
Result<FtraceSites> module_sites(const ElfFile& file) {
  FtraceSites out;
  for (size_t i = 1; i < file.section_count(); ++i) {
    const std::string_view name = file.section_name(i);
    if (name != "__mcount_loc" && name != "__patchable_function_entries") continue;
    out.recorded = true;
    Result<void> read = each_rela(file, i, [&](const GElf_Rela& rela, size_t symtab) {
      GElf_Shdr shdr{};
      Elf_Scn* scn = section_at(file, symtab, shdr);
      Elf_Data* data = scn == nullptr ? nullptr : elf_getdata(scn, nullptr);
      GElf_Sym sym{};
      if (data == nullptr || gelf_getsym(data, static_cast<int>(GELF_R_SYM(rela.r_info)), &sym) == nullptr) return;
      if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) return;
      out.sites.emplace_back(sym.st_shndx, sym.st_value + static_cast<uint64_t>(rela.r_addend));
    });
    if (!read) return std::unexpected(read.error());
  }
  return out;
}

}  // namespace

bool FtraceSites::any_in(uint32_t section, uint64_t start, uint64_t size) const {
  const uint64_t from = start >= before ? start - before : 0;
  auto it = std::lower_bound(sites.begin(), sites.end(), std::make_pair(section, from));
  return it != sites.end() && it->first == section && it->second - from < std::max<uint64_t>(size, 1) + (start - from);
}

bool KprobeBlacklist::holds(uint32_t section, uint64_t value) const {
  if (section != 0) return std::binary_search(sections.begin(), sections.end(), section);
  for (const auto& [start, end] : areas) {
    if (value >= start && value < end) return true;
  }
  return std::binary_search(functions.begin(), functions.end(), value);
}

Result<KprobeBlacklist> read_kprobe_blacklist(const ElfFile& file) {
  KprobeBlacklist out;
  if (file.is_relocatable()) {
    for (size_t i = 1; i < file.section_count(); ++i) {
      const std::string_view name = file.section_name(i);
      if (name == ".kprobes.text" || name == ".noinstr.text") out.sections.push_back(static_cast<uint32_t>(i));
    }
    return out;
  }
  static const std::vector<std::string_view> kBounds = {
      "__kprobes_text_start",  "__kprobes_text_end",     "__noinstr_text_start",     "__noinstr_text_end",
      "__entry_text_start",    "__entry_text_end",       "__irqentry_text_start",    "__irqentry_text_end",
      "__hyp_text_start",      "__hyp_text_end",         "__hyp_idmap_text_start",   "__hyp_idmap_text_end",
      "__start_kprobe_blacklist", "__stop_kprobe_blacklist"};
  auto values = symbol_values(file, kBounds);
  if (!values) return std::unexpected(values.error());
  const bool arm64 = file.header().e_machine == EM_AARCH64;
  for (size_t k = 0; k + 1 < kBounds.size() - 2; k += 2) {
    // The irqentry and hyp areas are arm64's alone (x86 probes irqentry text).
    if (!arm64 && k >= 6) continue;
    if ((*values)[k] != 0 && (*values)[k + 1] > (*values)[k]) out.areas.emplace_back((*values)[k], (*values)[k + 1]);
  }
  const uint64_t start = (*values)[kBounds.size() - 2];
  const uint64_t stop = (*values)[kBounds.size() - 1];
  if (start != 0 && stop > start) {
    auto words = linked_words(file, start, stop);
    if (!words) return std::unexpected(words.error());
    out.functions = std::move(*words);
    std::sort(out.functions.begin(), out.functions.end());
  }
  return out;
}

Result<FtraceSites> read_ftrace_sites(const ElfFile& file) {
  auto sites = file.is_relocatable() ? module_sites(file) : linked_sites(file);
  if (!sites) return sites;
  if (file.header().e_machine == EM_AARCH64) sites->before = 8;
  std::sort(sites->sites.begin(), sites->sites.end());
  return sites;
}

}  // namespace kas
