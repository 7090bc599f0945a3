// Relocating a relocatable object's DWARF ourselves, without libdwfl.
//
// In a module (ET_REL) every string offset, line-table offset and code
// address in .debug_* is a relocation against a section symbol. libdwfl
// applies them all, for every debug section, entry by entry through libelf,
// which for a 100 MB module costs more than everything else kas does. Only
// the sections a source lookup reads need it, and on x86-64 (the kernel
// build this is tuned for) the relocations found there are a handful of
// absolute and PC-relative types: those are applied here directly into the
// file's private (copy-on-write) mapping. Anything else (another machine,
// another relocation type, compressed sections) is reported as unsupported
// and the caller falls back to libdwfl.
//
// Allocated sections get distinct addresses, laid out in section order at
// their alignment, so that .text, .text.unlikely and .init.text (all at
// offset 0 in the file) do not overlap.
#pragma once

#include <libelf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kas {

struct DebugRelocation {
  // Address of offset 0 of each section (index), nullopt if not allocated.
  std::vector<std::optional<uint64_t>> section_address;
};

// Relocates the debug sections of `elf`, which must be opened with
// ELF_C_READ_MMAP_PRIVATE (or read into memory). nullopt: not handled here
// (the reason in `why`, for the log); use libdwfl instead.
[[nodiscard]] std::optional<DebugRelocation> relocate_debug_sections(Elf* elf, std::string& why);

}  // namespace kas
