// The module itself counts once: `counted` either leaves it out (module
// lists skip the files of its name) or holds it (a census file that already
// knew every name), and self_counted says which, so that "duplicated" means
// the same in both.
#include "core/alias/module_aliases.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/census/lto.hpp"
#include "core/index/census_count.hpp"

namespace kas {

std::vector<const ElfSymbol*> alias_candidates(const BinaryRecord& record, const Census& census, Lto lto) {
  AliasOptions options;
  options.lto = lto;
  return module_alias_symbols([&record](uint32_t s) { return record.section_name(s); }, record.table(), census,
                              options);
}

Result<ModuleDecision> decide_module_aliases(const ModuleBinary& binary, const RestrictedCensus& counted,
                                             const AliasOptions& options, const PlacedSymbols* located,
                                             const LocateSymbols& locate) {
  ModuleDecision decision;
  Census self;
  count_module(self, binary.table, options.lto);
  // base: everyone but this module; total: with it, once.
  Census base;
  Census total;
  for (const auto& [name, mine] : self.sorted()) {
    uint32_t others = counted.counts.count(name);
    if (counted.self_counted) others = others > mine ? others - mine : 0;
    if (others > 0) base.add(name, others);
    total.add(name, others + mine);
  }

  const std::vector<const ElfSymbol*> eligible =
      module_alias_symbols(binary.section_name, binary.table, total, options);
  std::unordered_set<std::string_view> reported;
  for (const ElfSymbol* sym : eligible) {
    std::string_view key = census_name(sym->name, options.lto);
    if (!counted.included && base.count(key) == 1 && reported.insert(key).second) {
      decision.newly_duplicated.emplace_back(key);
    }
  }
  decision.eligible = eligible.size();
  if (eligible.empty()) return decision;

  std::vector<SymbolPlace> places;
  if (located != nullptr) places = located->find(eligible);
  if (places.empty()) {
    auto found = locate(eligible);
    if (!found) {
      Error e = found.error();
      if (e.code == ErrorCode::kNoDebugInfo) {
        e.message += "; " + std::to_string(eligible.size()) + " duplicated symbols (first: " +
                     std::string(eligible.front()->name) + ") need a location";
      }
      return std::unexpected(e);
    }
    places = std::move(*found);
  }

  std::vector<AliasCandidate> candidates;
  std::vector<const ElfSymbol*> candidate_symbols;
  for (size_t k = 0; k < eligible.size(); ++k) {
    SymbolPlace& place = places[k];
    if (!place.placed) continue;
    if (!place.location) {
      decision.unlocated.emplace_back(eligible[k]->name);
      continue;
    }
    uint32_t holders = counted.other_units.count(unit_key(place.location->unit));
    if (counted.self_counted && holders > 0) --holders;  // the count includes this module
    candidates.push_back({census_name(eligible[k]->name, options.lto), binary.module, place.address,
                          std::move(*place.location), holders > 0});
    candidate_symbols.push_back(eligible[k]);
  }
  AliasLimits limits;
  std::vector<std::string> aliases = assign_aliases(candidates, options, &limits);
  for (size_t c : limits.omitted) decision.too_long.emplace_back(candidate_symbols[c]->name);
  std::unordered_set<std::string_view> existing;
  for (const ElfSymbol& sym : binary.table.symbols) existing.insert(sym.name);
  for (size_t c = 0; c < candidates.size(); ++c) {
    if (aliases[c].empty()) continue;  // too long (limits.omitted)
    const bool exists = existing.count(aliases[c]) != 0;
    decision.aliases.push_back({candidate_symbols[c], std::move(aliases[c]), exists});
  }
  return decision;
}

}  // namespace kas
