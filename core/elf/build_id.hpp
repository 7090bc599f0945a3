// The GNU build-id note of an ELF file (linked .ko files carry one; the .o
// a module is made from usually does not).
#pragma once

#include <span>
#include <string>

#include "core/elf/elf_file.hpp"

namespace kas {

// Lower-case hex of NT_GNU_BUILD_ID, or "" when the file has none.
[[nodiscard]] std::string build_id_of(const ElfFile& file);

// The same from raw note bytes in the file's byte order, as the running
// kernel exposes them (/sys/kernel/notes, /sys/module/M/notes/*): native
// order, 4-byte aligned. "" when none is there or the notes are malformed.
[[nodiscard]] std::string build_id_from_notes(std::span<const unsigned char> notes);

}  // namespace kas
