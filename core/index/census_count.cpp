#include "core/index/census_count.hpp"

#include <unordered_set>

#include "core/elf/kallsyms_names.hpp"
#include "core/elf/nm_type.hpp"
#include "core/util/path.hpp"

namespace kas {

bool counts_for_vmlinux(const NmLine& line) {
  // Lines of loaded modules (/proc/kallsyms "[mod]") are not vmlinux's:
  // modules are counted from their files.
  return !nm_is_undefined(line.type) && line.module.empty() && !kallsyms_ignores(line.name);
}

void count_vmlinux(Census& census, std::span<const NmLine> lines, Lto lto, const NameSet* wanted) {
  for (const NmLine& line : lines) {
    if (counts_for_vmlinux(line)) count_name(census, line.name, lto, wanted);
  }
}

void count_name(Census& census, std::string_view name, Lto lto, const NameSet* wanted) {
  std::string_view key = census_name(name, lto);
  if (wanted == nullptr || wanted->find(key) != wanted->end()) census.add(key);
}

void count_module(Census& census, const SymbolTable& table, Lto lto, const NameSet* wanted) {
  for (const ElfSymbol& sym : table.symbols) {
    if (sym.defined()) count_name(census, sym.name, lto, wanted);
  }
}

NameSet module_census_keys(const SymbolTable& table, Lto lto) {
  NameSet keys;
  for (const ElfSymbol& sym : table.symbols) {
    if (sym.defined()) keys.emplace(census_name(sym.name, lto));
  }
  return keys;
}

std::string unit_key(std::string_view source_file) {
  return "*/" + std::string(path::basename(source_file));
}

std::vector<std::string> module_unit_keys(const SymbolTable& table) {
  std::vector<std::string> keys;
  std::unordered_set<std::string> seen;  // vmlinux.o has ~10^4 source files
  for (const ElfSymbol& sym : table.symbols) {
    if (sym.type != STT_FILE || sym.name.empty()) continue;
    std::string key = unit_key(sym.name);
    if (seen.insert(key).second) keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace kas
