// The GNU build-id note of an ELF file (linked .ko files carry one; the .o
// a module is made from usually does not).
#pragma once

#include <string>

#include "core/elf/elf_file.hpp"

namespace kas {

// Lower-case hex of NT_GNU_BUILD_ID, or "" when the file has none.
[[nodiscard]] std::string build_id_of(const ElfFile& file);

}  // namespace kas
