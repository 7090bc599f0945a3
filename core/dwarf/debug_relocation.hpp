// Relocating a relocatable object's DWARF ourselves, without libdwfl.
//
// In a module (ET_REL) every string offset, line-table offset and code
// address in .debug_* is a relocation against a section symbol. libdwfl
// applies them all, for every debug section, entry by entry through libelf,
// which for a 100 MB module costs more than everything else kas does. Only
// the sections a source lookup reads need it, and on x86-64 and arm64 (the
// kernel builds this is tuned for) the relocations found there are a handful
// of absolute and PC-relative types, listed per machine with their size:
// those are applied here directly into the file's private (copy-on-write)
// mapping. Anything else (another machine, big-endian arm64, another
// relocation type, compressed sections) is reported as unsupported and the
// caller falls back to libdwfl.
//
// .debug_info, most of a module's DWARF, is relocated one unit at a time, on
// demand (DebugInfo asks before libdw reads a unit): a lookup reads the few
// units holding the symbols it locates, plus each unit's header and first
// entry. A relocation writes S + A whatever the bytes held, so applying a
// range twice is harmless.
//
// Allocated sections get distinct addresses, laid out in section order at
// their alignment, so that .text, .text.unlikely and .init.text (all at
// offset 0 in the file) do not overlap.
#pragma once

#include <libelf.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace kas {

// What one relocation type writes: `bytes` of S + A (little-endian), minus P
// when `pc_relative`; nothing when `bytes` is 0 (the machine's *_NONE).
struct RelocationKind {
  uint32_t type;
  size_t bytes;
  bool pc_relative;
};

// Relocations of one section. The small sections' entries are checked
// (types, bounds, symbols, order) before anything is applied; .debug_info's
// (millions in a large module: reading them all costs more than the
// lookups) are checked as each range is applied: an entry that cannot be
// applied is skipped and counted, and entries found out of order make the
// whole section be applied at once.
class SectionRelocations {
 public:
  // `kinds`: the types of the file's machine (static tables).
  SectionRelocations(std::span<const RelocationKind> kinds, unsigned char* target, uint64_t target_base,
                     uint64_t target_size, const unsigned char* relas, size_t count, const uint64_t* symbol_value,
                     size_t symbols)
      : kinds_(kinds), target_(target), target_base_(target_base), target_size_(target_size), relas_(relas),
        count_(count), symbol_value_(symbol_value), symbols_(symbols) {}
  // Applies the relocations at offsets in [begin, end).
  void apply(uint64_t begin, uint64_t end) const;
  void apply_all() const;
  // Entries skipped because they could not be applied (none in toolchain
  // output; a damaged file).
  [[nodiscard]] size_t skipped() const { return skipped_; }

 private:
  void apply_entries(size_t first, size_t last) const;
  [[nodiscard]] uint64_t offset_of(size_t k) const;

  std::span<const RelocationKind> kinds_;
  unsigned char* target_;
  uint64_t target_base_;
  uint64_t target_size_;
  const unsigned char* relas_;
  size_t count_;
  const uint64_t* symbol_value_;  // DebugRelocation::symbol_value's data
  size_t symbols_;
  mutable size_t skipped_ = 0;
  mutable bool all_applied_ = false;
};

struct DebugRelocation {
  // Address of offset 0 of each section (index), nullopt if not allocated.
  std::vector<std::optional<uint64_t>> section_address;
  // S of each symbol (section address + value), for the deferred relocations.
  std::vector<uint64_t> symbol_value;
  // Bytes of the sections relocated when opened (private copies of their
  // pages once written).
  uint64_t eager_bytes = 0;
  // .debug_info's relocations, applied per unit by the caller; nullopt when
  // there are none.
  std::optional<SectionRelocations> debug_info;
};

// Whether relocate_debug_sections knows the relocations of ELF machine
// `machine` (EM_*): x86-64 and arm64.
[[nodiscard]] bool relocates_machine(unsigned machine);

// Relocates the debug sections of `elf`, which must be opened with
// ELF_C_READ_MMAP_PRIVATE (or read into memory). nullopt: not handled here
// (another machine, an unexpected relocation type, compressed or unreadable
// sections); use libdwfl instead. The result points into `elf`.
[[nodiscard]] std::optional<DebugRelocation> relocate_debug_sections(Elf* elf);

}  // namespace kas
