// Adds alias symbols to a relocatable object (a module before its final
// `ld -r`), writing a new object; the input is never modified.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/elf/elf_file.hpp"
#include "core/util/result.hpp"

namespace kas {

struct NewSymbol {
  std::string name;
  uint32_t source_index = 0;  // .symtab index of the symbol it aliases
  bool global = false;        // STB_GLOBAL, else STB_LOCAL
};

// Writes `input` with `symbols` added to `out_fd` (positioned at 0, empty).
// Each new symbol copies its source's value, size, type, visibility and
// section (SHN_XINDEX included). Errors: kInvalidArgument for a non-ET_REL
// input or a bad source index, kBadElf/kIo naming `out_path` or the input.
[[nodiscard]] Result<void> write_object_with_symbols(const ElfFile& input, std::span<const NewSymbol> symbols,
                                                     int out_fd, const std::string& out_path);

}  // namespace kas
