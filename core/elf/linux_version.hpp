// Which Linux a vmlinux is, from its linux_banner ("Linux version 7.3.4+deb13-amd64
// (...)", init/version-timestamp.c), the string /proc/version prints: what
// a kernel's own code accepts can differ between releases (kprobe_rules).
#pragma once

#include <optional>
#include <string_view>

#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"

namespace kas {

struct LinuxVersion {
  int version = 0;     // 7
  int patchlevel = 0;  // 3
  int sublevel = 0;    // 4

  [[nodiscard]] bool at_least(int v, int p) const { return version != v ? version > v : patchlevel >= p; }
};

// "Linux version X.Y[.Z]..." at the start of `banner`; nullopt otherwise.
[[nodiscard]] std::optional<LinuxVersion> parse_linux_banner(std::string_view banner);

// The version in `file`'s linux_banner (a linked vmlinux or vmlinux.o),
// found in `symbols`, its symbol table as read_symbols gave it; nullopt
// when it has none or it cannot be read (not a kernel).
[[nodiscard]] std::optional<LinuxVersion> read_linux_version(const ElfFile& file, const SymbolTable& symbols);

}  // namespace kas
