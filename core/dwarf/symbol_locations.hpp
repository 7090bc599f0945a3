// Where some symbols of a relocatable object (a module) are defined: its
// DWARF opened, the source tree inferred from it unless given, and each
// symbol located at its section's address plus its value. One function for
// the module engine and for the daemon, which locates every module's
// duplicated text symbols once when it indexes a tree, so that both give
// the same answer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dwarf/locator.hpp"
#include "core/elf/elf_file.hpp"
#include "core/elf/symtab.hpp"
#include "core/util/result.hpp"

namespace kas {

struct SymbolPlace {
  uint32_t symbol_index = 0;  // .symtab index (ElfSymbol::index)
  bool placed = false;        // its section has an address (allocated)
  uint64_t address = 0;       // in DWARF terms, when placed
  std::optional<SourceLocation> location;  // nullopt: DWARF has none
};

// One SymbolPlace per symbol, in order. Errors: DebugInfo::open's (no
// debug info, bad DWARF).
[[nodiscard]] Result<std::vector<SymbolPlace>> locate_object_symbols(const ElfFile& file,
                                                                     std::span<const ElfSymbol* const> symbols,
                                                                     const std::string& srctree);

// A module's symbols located ahead of time (the daemon's index), by .symtab
// index: valid for the very file they were read from (same stamp).
class PlacedSymbols {
 public:
  explicit PlacedSymbols(std::vector<SymbolPlace> places);
  // The places of `symbols`, in order; empty when any of them is not here
  // (a name that became duplicated since, a data symbol): then locate all.
  [[nodiscard]] std::vector<SymbolPlace> find(std::span<const ElfSymbol* const> symbols) const;
  [[nodiscard]] size_t size() const { return places_.size(); }
  [[nodiscard]] std::span<const SymbolPlace> places() const { return places_; }

 private:
  std::vector<SymbolPlace> places_;  // by symbol_index
};

}  // namespace kas
