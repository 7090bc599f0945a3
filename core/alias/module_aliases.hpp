// The aliases of one module: which of its symbols get one and which, given
// the census of its names. The one decision `kas module` writes and
// `kas lookup` shows, so the two cannot disagree.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/alias/policy.hpp"
#include "core/census/census.hpp"
#include "core/census/lto.hpp"
#include "core/dwarf/symbol_locations.hpp"
#include "core/elf/symtab.hpp"
#include "core/index/binary_record.hpp"
#include "core/index/module_census.hpp"
#include "core/util/result.hpp"

namespace kas {

struct ModuleBinary {
  const SymbolTable& table;
  std::function<std::string_view(uint32_t section)> section_name;
  std::string module;  // its module name (uio, fpga_mgr)
};

struct DecidedAlias {
  const ElfSymbol* symbol = nullptr;
  std::string alias;
  bool exists = false;  // the binary already defines it (a re-run on its own output)
};

struct ModuleDecision {
  std::vector<DecidedAlias> aliases;  // in .symtab order of their symbols
  // Names that were unique before this module was counted and are duplicated
  // now: other objects defining them need a rebuild to get their alias.
  std::vector<std::string> newly_duplicated;
  std::vector<std::string> unlocated;  // eligible but without a DWARF location
  std::vector<std::string> too_long;   // eligible, no alias: the name alone is too long for one
  size_t eligible = 0;
};

// Locates the given symbols in the module's DWARF (locate_object_symbols on
// the open file, or on a file opened for it).
using LocateSymbols = std::function<Result<std::vector<SymbolPlace>>(std::span<const ElfSymbol* const>)>;

// A module's alias candidates over `census` (counted under `lto`) with the
// default options (text only): the symbols the index locates ahead of
// requests, a BinaryRecord::CandidateSelector.
[[nodiscard]] std::vector<const ElfSymbol*> alias_candidates(const BinaryRecord& record, const Census& census, Lto lto);

// Decides the aliases of `binary` over `counted` (its names' counts from the
// rest of the kernel). `located` (may be null) holds places found earlier
// for this very file; what it does not cover is located with `locate`.
// Errors: locate's, with the number of symbols that needed a location.
[[nodiscard]] Result<ModuleDecision> decide_module_aliases(const ModuleBinary& binary, const RestrictedCensus& counted,
                                                           const AliasOptions& options, const PlacedSymbols* located,
                                                           const LocateSymbols& locate);

}  // namespace kas
