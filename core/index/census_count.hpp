// The counting of the census: which names of vmlinux's listing and of a
// module's symbol table count, under which key. Every census kas makes (a
// whole kernel's, or the few names a module request needs) is counted by
// these functions, and the alias decision of one module counts its own
// names with them too.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/census/census.hpp"
#include "core/census/lto.hpp"
#include "core/elf/nm_listing.hpp"
#include "core/elf/symtab.hpp"

namespace kas {

// Whether an nm line counts as a vmlinux definition (not U/w/v, not a
// /proc/kallsyms line of a loaded module, not a name kallsyms drops).
[[nodiscard]] bool counts_for_vmlinux(const NmLine& line);

// Adds vmlinux's definitions in `lines` to `census` under their census key
// (LTO-stripped when `lto`); with `wanted`, only the keys in it.
void count_vmlinux(Census& census, std::span<const NmLine> lines, Lto lto, const NameSet* wanted = nullptr);

// Counts `name` under its census key (LTO-stripped when `lto`); with
// `wanted`, only when the key is in it.
void count_name(Census& census, std::string_view name, Lto lto, const NameSet* wanted = nullptr);
// Counts a module's defined symbols so: its contribution to a census.
void count_module(Census& census, const SymbolTable& table, Lto lto, const NameSet* wanted = nullptr);
// The census keys a module defines: the names its request restricts the
// census to.
[[nodiscard]] NameSet module_census_keys(const SymbolTable& table, Lto lto);

// The census key of a module's source file: "*/" + its base name (the '/'
// keeps keys apart from symbol names). A module's symbol table names its
// sources by base name only (STT_FILE), and kbuild may compile one file
// into modules of other directories (hns3's hns3_common/hclge_comm_cmd.c
// into hns3pf/hclge.ko and hns3vf/hclgevf.ko), so the base name is all two
// modules can be compared by without reading DWARF. A file name shared by
// chance only makes an alias longer (module-qualified), never wrong.
[[nodiscard]] std::string unit_key(std::string_view source_file);
// unit_key of each STT_FILE symbol of a module (its source files).
[[nodiscard]] std::vector<std::string> module_unit_keys(const SymbolTable& table);

}  // namespace kas
