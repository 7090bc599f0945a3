// The DWARF of one binary.
//
// Relocatable objects (modules, vmlinux.o) carry .rela.debug_* sections that
// must be applied before any string or line-table offset is meaningful, and
// their sections need distinct addresses: .text, .text.unlikely and
// .init.text all start at 0 in the file, so a symbol is located by (its
// section, its offset) mapped to a layout, never by a bare offset. On x86-64
// and arm64 kas applies the few relocations lookups need itself
// (debug_relocation); elsewhere, and for executables, libdwfl's offline mode
// does it all.
// Nothing is read until first used; units are found through .debug_aranges
// and, failing that, a table of unit ranges built once on demand.
#pragma once

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dwarf/debug_relocation.hpp"
#include "core/dwarf/source_tree.hpp"
#include "core/elf/elf_file.hpp"
#include "core/util/fd.hpp"
#include "core/util/file_stamp.hpp"
#include "core/util/result.hpp"

namespace kas {

// DW_AT_comp_dir of a unit's DIE, "" when absent.
[[nodiscard]] const char* comp_dir_of(Dwarf_Die* cu);

class DebugInfo {
 public:
  // Who applies a relocatable object's debug relocations: kas where it can
  // (x86-64, arm64), else libdwfl; or libdwfl always (the tests' reference).
  enum class Relocation { kAuto, kLibdwfl };

  // Opens `path`. Errors: kNotFound/kIo, kBadElf, kNoDebugInfo (no DWARF:
  // the message says so and names the file), kBadDwarf.
  [[nodiscard]] static Result<std::unique_ptr<DebugInfo>> open(const std::string& path,
                                                               Relocation relocation = Relocation::kAuto);
  // The same for a file already open (checked here, read again by libdwfl).
  [[nodiscard]] static Result<std::unique_ptr<DebugInfo>> open(const ElfFile& file,
                                                               Relocation relocation = Relocation::kAuto);

  DebugInfo(const DebugInfo&) = delete;
  DebugInfo& operator=(const DebugInfo&) = delete;
  ~DebugInfo();

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] Dwarf* dwarf() const { return dwarf_; }
  [[nodiscard]] bool relocatable() const { return relocatable_; }
  // The debug relocations were applied by kas, not libdwfl.
  [[nodiscard]] bool self_relocated() const { return own_elf_ != nullptr; }

  // Address in DWARF terms of offset 0 of section `index`: sh_addr for
  // executables, libdwfl's layout for relocatable objects. nullopt for a
  // section that is not allocated (no code or data lives there).
  [[nodiscard]] std::optional<uint64_t> section_address(size_t index) const;

  // The compilation unit whose code covers `address`; false when none does.
  // The unit is ready to read (see prepare).
  [[nodiscard]] bool unit_at(uint64_t address, Dwarf_Die& cu) const;
  // The unit covering `begin`, else the one whose code starts first inside
  // [begin, end): a symbol's first bytes (arm64's patchable entry NOPs) may
  // lie outside every unit's ranges when its function has a section of its
  // own. Prepared like unit_at's.
  [[nodiscard]] bool unit_within(uint64_t begin, uint64_t end, Dwarf_Die& cu) const;

  // Makes the whole unit holding `die` readable. Units' first entries are
  // always readable; the rest of a module's unit is relocated on demand, so
  // call this before walking a unit's children or following a reference
  // into another unit.
  void prepare(const Dwarf_Die& die) const;

  // The entry holding attribute `attr_name`: `die` itself or the one its
  // DW_AT_abstract_origin / DW_AT_specification chain leads to (prepared,
  // bounded against malformed cycles). False when none has it.
  [[nodiscard]] bool integrated(Dwarf_Die die, unsigned attr_name, Dwarf_Die& holder) const;

  // Name and comp_dir of every unit, for SourceTree inference; with
  // `include_dirs` also each unit's line-table directories (reads every line
  // program header: fine for a module, costly for vmlinux).
  [[nodiscard]] std::vector<UnitPaths> unit_paths(bool include_dirs = false) const;

  // Memory this handle holds beyond the file's shared page cache: the
  // relocated (privately copied) debug data, which grows as units are
  // prepared. An estimate, for caches that keep handles open.
  [[nodiscard]] uint64_t approximate_bytes() const;

  // Fails when the file was rewritten or truncated since it was opened (the
  // DWARF read from it may be wrong): check before using what was read.
  [[nodiscard]] Result<void> unchanged() const { return check_unchanged(held_.get(), opened_, path_); }

  // True when the file read is no longer at its path: deleted, or the path
  // names another file now (replaced by a rename). A cache should close
  // such a handle: it pins the old file's disk space and answers for a
  // file that is gone.
  [[nodiscard]] bool gone() const {
    struct stat held {}, now {};
    if (::fstat(held_.get(), &held) != 0 || held.st_nlink == 0) return true;
    return ::stat(path_.c_str(), &now) != 0 || now.st_dev != held.st_dev || now.st_ino != held.st_ino;
  }
  // Descriptors it holds open: its own and, self-relocated, its private
  // mapping's (libdwfl closes the one it is given once it has the file).
  [[nodiscard]] size_t descriptors() const { return (held_.valid() ? 1 : 0) + (own_fd_ >= 0 ? 1 : 0); }

 private:
  DebugInfo() = default;
  void build_unit_ranges() const;
  [[nodiscard]] bool find_unit(uint64_t address, Dwarf_Die& cu) const;

  struct UnitRange {
    uint64_t start;
    uint64_t end;
    Dwarf_Off cu_offset;
  };

  [[nodiscard]] static std::unique_ptr<DebugInfo> open_self_relocated(const ElfFile& file, int held);
  void relocate_unit_heads();

  std::string path_;
  // The file as the ElfFile it was opened from saw it: libelf and libdwfl
  // open it again by path, from this descriptor.
  Fd held_;
  FileStamp opened_;
  // Self-relocated: our own private mapping of the file, and its layout.
  int own_fd_ = -1;
  Elf* own_elf_ = nullptr;
  std::optional<DebugRelocation> own_relocation_;
  struct UnitSpan {
    uint64_t start;
    uint64_t end;
  };
  std::vector<UnitSpan> units_;  // .debug_info units, by offset
  mutable std::vector<bool> unit_ready_;
  mutable uint64_t ready_bytes_ = 0;
  uint64_t libdwfl_bytes_ = 0;  // libdwfl relocates a relocatable object whole
  // Otherwise libdwfl's.
  Dwfl* dwfl_ = nullptr;
  Dwfl_Module* module_ = nullptr;
  Dwarf* dwarf_ = nullptr;
  Elf* elf_ = nullptr;  // libdwfl's view, with the layout in sh_addr
  Dwarf_Addr bias_ = 0;
  bool relocatable_ = false;
  mutable bool unit_ranges_built_ = false;
  mutable std::vector<UnitRange> unit_ranges_;
};

}  // namespace kas
