// The counting of the census: which names of vmlinux's listing and of a
// module's symbol table count, under which key. Every census kas makes (a
// whole kernel's, or the few names a module request needs) is counted by
// these two functions.
#pragma once

#include <span>

#include "core/alias/module_aliases.hpp"
#include "core/census/census.hpp"
#include "core/elf/nm_listing.hpp"
#include "core/elf/symtab.hpp"

namespace kas {

// Whether an nm line counts as a vmlinux definition (not U/w/v, not a
// /proc/kallsyms line of a loaded module, not a name kallsyms drops).
[[nodiscard]] bool counts_for_vmlinux(const NmLine& line);

// Adds vmlinux's definitions in `lines` to `census` under their census key
// (LTO-stripped when `lto`); with `wanted`, only the keys in it. A module's
// are counted by count_module (alias/module_aliases.hpp), which the alias
// decision of one module uses too.
void count_vmlinux(Census& census, std::span<const NmLine> lines, Lto lto, const NameSet* wanted = nullptr);

}  // namespace kas
