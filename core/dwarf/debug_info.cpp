#include "core/dwarf/debug_info.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <dwarf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/elf/elf_file.hpp"
#include "core/util/open_input.hpp"

namespace kas {

namespace {

// Never look elsewhere for debug info (build-id directories, debuginfod):
// kasd reads exactly the file it was given.
int no_separate_debuginfo(Dwfl_Module*, void**, const char*, Dwarf_Addr, const char*, const char*, GElf_Word,
                          char**) {
  return -1;
}

const Dwfl_Callbacks kOfflineCallbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = no_separate_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = nullptr,
};

}  // namespace

DebugInfo::~DebugInfo() {
  if (dwfl_ != nullptr) dwfl_end(dwfl_);
  if (own_elf_ != nullptr) {
    dwarf_end(dwarf_);
    elf_end(own_elf_);
  }
  if (own_fd_ >= 0) ::close(own_fd_);
}

std::unique_ptr<DebugInfo> DebugInfo::open_self_relocated(const ElfFile& file, int held) {
  std::unique_ptr<DebugInfo> info(new DebugInfo());
  info->path_ = file.path();
  info->relocatable_ = true;
  info->own_fd_ = ::fcntl(held, F_DUPFD_CLOEXEC, 0);
  if (info->own_fd_ < 0) return nullptr;
  // Private: relocations are written into the mapping, never to the file.
  info->own_elf_ = elf_begin(info->own_fd_, ELF_C_READ_MMAP_PRIVATE, nullptr);
  if (info->own_elf_ == nullptr) return nullptr;
  info->own_relocation_ = relocate_debug_sections(info->own_elf_);
  if (!info->own_relocation_) return nullptr;
  info->dwarf_ = dwarf_begin_elf(info->own_elf_, DWARF_C_READ, nullptr);
  if (info->dwarf_ == nullptr) return nullptr;
  if (info->own_relocation_->debug_info) info->relocate_unit_heads();
  return info;
}

void DebugInfo::relocate_unit_heads() {
  const SectionRelocations& relocations = *own_relocation_->debug_info;
  // A unit header is at most 32 bytes (64-bit DWARF 5 with a type
  // signature and offset); relocating past it is harmless.
  constexpr uint64_t kMaxUnitHeader = 32;
  Dwarf_Off offset = 0;
  Dwarf_Off next = 0;
  size_t header_size = 0;
  for (;;) {
    relocations.apply(offset, offset + kMaxUnitHeader);
    if (dwarf_next_unit(dwarf_, offset, &next, &header_size, nullptr, nullptr, nullptr, nullptr, nullptr,
                        nullptr) != 0) {
      break;
    }
    // The unit's own entry (name, comp_dir, ranges, line table) ends where
    // its first child starts; reading up to there needs only the forms.
    Dwarf_Die cu;
    Dwarf_Die child;
    uint64_t head_end = next;
    if (dwarf_offdie(dwarf_, offset + header_size, &cu) != nullptr && dwarf_child(&cu, &child) == 0) {
      head_end = dwarf_dieoffset(&child);
    }
    relocations.apply(offset + header_size, head_end);
    units_.push_back({offset, next});
    offset = next;
  }
  unit_ready_.assign(units_.size(), false);
}

bool DebugInfo::integrated(Dwarf_Die die, unsigned attr_name, Dwarf_Die& holder) const {
  for (int hops = 0; hops < 16; ++hops) {
    Dwarf_Attribute attr;
    if (dwarf_attr(&die, attr_name, &attr) != nullptr) {
      holder = die;
      return true;
    }
    Dwarf_Attribute ref;
    if (dwarf_attr(&die, DW_AT_abstract_origin, &ref) == nullptr &&
        dwarf_attr(&die, DW_AT_specification, &ref) == nullptr) {
      return false;
    }
    Dwarf_Die next;
    if (dwarf_formref_die(&ref, &next) == nullptr) return false;
    prepare(next);  // a DW_FORM_ref_addr may lead into another unit
    die = next;
  }
  return false;
}

const char* comp_dir_of(Dwarf_Die* cu) {
  Dwarf_Attribute attr;
  const char* dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr));
  return dir == nullptr ? "" : dir;
}

uint64_t DebugInfo::approximate_bytes() const {
  if (own_relocation_) return own_relocation_->eager_bytes + ready_bytes_ + units_.size() * 64;
  return libdwfl_bytes_;
}

void DebugInfo::prepare(const Dwarf_Die& die) const {
  if (units_.empty()) return;  // everything was relocated when opened
  uint64_t offset = dwarf_dieoffset(const_cast<Dwarf_Die*>(&die));
  auto it = std::upper_bound(units_.begin(), units_.end(), offset,
                             [](uint64_t o, const UnitSpan& u) { return o < u.start; });
  if (it == units_.begin()) return;
  --it;
  size_t k = static_cast<size_t>(it - units_.begin());
  if (offset >= it->end || unit_ready_[k]) return;
  own_relocation_->debug_info->apply(it->start, it->end);
  unit_ready_[k] = true;
  ready_bytes_ += it->end - it->start;
}

Result<std::unique_ptr<DebugInfo>> DebugInfo::open(const std::string& path, Relocation relocation) {
  // Validate with plain libelf first: its errors are clearer than libdwfl's.
  auto file = ElfFile::open(path);
  if (!file) return std::unexpected(file.error());
  return open(*file, relocation);
}

Result<std::unique_ptr<DebugInfo>> DebugInfo::open(const ElfFile& file, Relocation relocation) {
  const std::string& path = file.path();
  if (!file.has_debug_info()) {
    return fail(ErrorCode::kNoDebugInfo,
                path + ": no debug info (.debug_info); build with CONFIG_DEBUG_INFO");
  }

  // libelf and libdwfl read through descriptors of their own, made from one
  // checked to be `file` still: else the DWARF could be another build's.
  auto opened = open_regular_input(path);
  if (!opened) return std::unexpected(opened.error());
  Fd held = std::move(opened->fd);
  if (auto same = check_unchanged(held.get(), file.stamp(), path); !same) return std::unexpected(same.error());

  if (relocation == Relocation::kAuto && file.is_relocatable() && relocates_machine(file.header().e_machine)) {
    if (auto own = open_self_relocated(file, held.get())) {
      own->held_ = std::move(held);
      own->opened_ = file.stamp();
      return own;
    }
  }

  std::unique_ptr<DebugInfo> info(new DebugInfo());
  info->path_ = path;
  info->relocatable_ = file.is_relocatable();
  info->dwfl_ = dwfl_begin(&kOfflineCallbacks);
  if (info->dwfl_ == nullptr) {
    return fail(ErrorCode::kInternal, path + ": dwfl_begin: " + dwfl_errmsg(-1));
  }
  int fd = ::fcntl(held.get(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return fail(errno_code(errno), path + ": cannot open: " + std::strerror(errno));
  info->held_ = std::move(held);
  info->opened_ = file.stamp();
  // libdwfl takes ownership of fd.
  dwfl_report_begin(info->dwfl_);
  info->module_ = dwfl_report_offline(info->dwfl_, path.c_str(), path.c_str(), fd);
  if (info->module_ == nullptr) {
    return fail(ErrorCode::kBadElf, path + ": cannot load: " + dwfl_errmsg(-1));
  }
  dwfl_report_end(info->dwfl_, nullptr, nullptr);

  info->dwarf_ = dwfl_module_getdwarf(info->module_, &info->bias_);
  if (info->dwarf_ == nullptr) {
    return fail(ErrorCode::kBadDwarf, path + ": cannot read DWARF: " + dwfl_errmsg(-1));
  }
  Dwarf_Addr elf_bias = 0;
  info->elf_ = dwfl_module_getelf(info->module_, &elf_bias);
  if (info->elf_ == nullptr) {
    return fail(ErrorCode::kBadElf, path + ": cannot read ELF: " + dwfl_errmsg(-1));
  }
  if (info->relocatable_) info->libdwfl_bytes_ = static_cast<uint64_t>(file.image().size());
  return info;
}

std::optional<uint64_t> DebugInfo::section_address(size_t index) const {
  if (own_elf_ != nullptr) {
    const auto& layout = own_relocation_->section_address;
    return index < layout.size() ? layout[index] : std::nullopt;
  }
  Elf_Scn* scn = elf_getscn(elf_, index);
  GElf_Shdr shdr;
  if (scn == nullptr || gelf_getshdr(scn, &shdr) == nullptr) return std::nullopt;
  if ((shdr.sh_flags & SHF_ALLOC) == 0) return std::nullopt;
  // DWARF addresses are module addresses minus the bias.
  return shdr.sh_addr;
}

bool DebugInfo::unit_at(uint64_t address, Dwarf_Die& cu) const {
  if (!find_unit(address, cu)) return false;
  prepare(cu);
  return true;
}

bool DebugInfo::unit_within(uint64_t begin, uint64_t end, Dwarf_Die& cu) const {
  if (unit_at(begin, cu)) return true;
  if (end <= begin + 1) return false;
  build_unit_ranges();
  auto it = std::upper_bound(unit_ranges_.begin(), unit_ranges_.end(), begin,
                             [](uint64_t a, const UnitRange& r) { return a < r.start; });
  if (it == unit_ranges_.end() || it->start >= end) return false;
  if (dwarf_offdie(dwarf_, it->cu_offset, &cu) == nullptr) return false;
  prepare(cu);
  return true;
}

bool DebugInfo::find_unit(uint64_t address, Dwarf_Die& cu) const {
  if (dwarf_addrdie(dwarf_, address, &cu) != nullptr) return true;
  build_unit_ranges();
  auto it = std::upper_bound(unit_ranges_.begin(), unit_ranges_.end(), address,
                             [](uint64_t a, const UnitRange& r) { return a < r.start; });
  while (it != unit_ranges_.begin()) {
    --it;
    if (address >= it->start && address < it->end) {
      return dwarf_offdie(dwarf_, it->cu_offset, &cu) != nullptr;
    }
    // Ranges may nest or overlap (sorted by start only): keep looking back
    // a few entries, but give up past a range that starts too far below.
    if (address - it->start > (uint64_t{1} << 32)) break;
  }
  return false;
}

void DebugInfo::build_unit_ranges() const {
  if (unit_ranges_built_) return;
  unit_ranges_built_ = true;
  Dwarf_CU* unit = nullptr;
  Dwarf_Die cu;
  uint8_t unit_type = 0;
  while (dwarf_get_units(dwarf_, unit, &unit, nullptr, &unit_type, &cu, nullptr) == 0) {
    if (unit_type != DW_UT_compile && unit_type != DW_UT_partial) continue;
    Dwarf_Addr base = 0;
    Dwarf_Addr start = 0;
    Dwarf_Addr end = 0;
    ptrdiff_t it = 0;
    while ((it = dwarf_ranges(&cu, it, &base, &start, &end)) > 0) {
      if (end > start) unit_ranges_.push_back({start, end, dwarf_dieoffset(&cu)});
    }
  }
  std::sort(unit_ranges_.begin(), unit_ranges_.end(),
            [](const UnitRange& a, const UnitRange& b) { return a.start < b.start; });
}

std::vector<UnitPaths> DebugInfo::unit_paths(bool include_dirs) const {
  std::vector<UnitPaths> units;
  Dwarf_CU* unit = nullptr;
  Dwarf_Die cu;
  uint8_t unit_type = 0;
  while (dwarf_get_units(dwarf_, unit, &unit, nullptr, &unit_type, &cu, nullptr) == 0) {
    if (unit_type != DW_UT_compile && unit_type != DW_UT_partial) continue;
    const char* name = dwarf_diename(&cu);
    if (name == nullptr) continue;
    UnitPaths paths{name, comp_dir_of(&cu), {}};
    const char* const* dirs = nullptr;
    size_t ndirs = 0;
    Dwarf_Files* files = nullptr;
    size_t nfiles = 0;
    if (include_dirs && dwarf_getsrcfiles(&cu, &files, &nfiles) == 0 &&
        dwarf_getsrcdirs(files, &dirs, &ndirs) == 0) {
      for (size_t i = 1; i < ndirs; ++i) {
        if (dirs[i] != nullptr) paths.include_dirs.emplace_back(dirs[i]);
      }
    }
    units.push_back(std::move(paths));
  }
  return units;
}

}  // namespace kas
