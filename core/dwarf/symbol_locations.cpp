#include "core/dwarf/symbol_locations.hpp"

#include <algorithm>

#include "core/dwarf/debug_info.hpp"

namespace kas {

Result<std::vector<SymbolPlace>> locate_object_symbols(const ElfFile& file, std::span<const ElfSymbol* const> symbols,
                                                       const std::string& srctree) {
  auto info = DebugInfo::open(file);
  if (!info) return std::unexpected(info.error());
  SourceTree tree(srctree);
  const DebugInfo& opened = **info;
  tree.infer_from(opened.unit_paths(), [&] { return opened.unit_paths(/*include_dirs=*/true); });

  std::vector<SymbolPlace> places(symbols.size());
  std::vector<LocateQuery> queries;
  std::vector<size_t> queried;
  for (size_t k = 0; k < symbols.size(); ++k) {
    places[k].symbol_index = symbols[k]->index;
    auto base = (*info)->section_address(symbols[k]->section);
    if (!base) continue;
    places[k].placed = true;
    places[k].address = *base + symbols[k]->value;
    queries.push_back({places[k].address, sought_as_function(symbols[k]->type, symbols[k]->nm_type), symbols[k]->size,
                       symbols[k]->name});
    queried.push_back(k);
  }
  auto locations = locate(**info, tree, queries);
  for (size_t q = 0; q < queried.size(); ++q) places[queried[q]].location = std::move(locations[q]);
  // (DebugInfo read the same file: checked against `file` when opened.)
  if (auto same = file.unchanged(); !same) return std::unexpected(same.error());
  return places;
}

PlacedSymbols::PlacedSymbols(std::vector<SymbolPlace> places) : places_(std::move(places)) {
  std::sort(places_.begin(), places_.end(),
            [](const SymbolPlace& a, const SymbolPlace& b) { return a.symbol_index < b.symbol_index; });
}

std::vector<SymbolPlace> PlacedSymbols::find(std::span<const ElfSymbol* const> symbols) const {
  std::vector<SymbolPlace> found;
  found.reserve(symbols.size());
  for (const ElfSymbol* sym : symbols) {
    auto it = std::lower_bound(places_.begin(), places_.end(), sym->index,
                               [](const SymbolPlace& p, uint32_t index) { return p.symbol_index < index; });
    if (it == places_.end() || it->symbol_index != sym->index) return {};
    found.push_back(*it);
  }
  return found;
}

}  // namespace kas
