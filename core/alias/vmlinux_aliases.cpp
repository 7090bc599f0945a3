#include "core/alias/vmlinux_aliases.hpp"

#include <gelf.h>

#include <optional>
#include <unordered_map>

#include "core/alias/decorate.hpp"
#include "core/dwarf/locator.hpp"
#include "core/elf/linked_address_map.hpp"

namespace kas {

Result<VmlinuxDebug> VmlinuxDebug::open(const std::string& path, const std::string& srctree,
                                       const SymbolTable* known) {
  auto object = ElfFile::open(path);
  if (!object) return std::unexpected(object.error());
  auto info = DebugInfo::open(*object);
  if (!info) return std::unexpected(info.error());
  auto symbols = known != nullptr ? Result<SymbolTable>(*known) : read_symbols(*object);
  if (!symbols) return std::unexpected(symbols.error());
  SourceTree tree(srctree);
  tree.infer_from((*info)->unit_paths());
  return VmlinuxDebug{std::move(*object), std::move(*symbols), std::move(*info), std::move(tree)};
}

namespace {

// The ELF symbol behind a listing line, which an nm listing does not carry:
// its st_size (a function is matched to its DWARF entry over its whole
// extent) and its type (a variable is sought as one, whatever its letter).
// Found by name and place (section and offset in vmlinux.o, address in
// vmlinux).
class ElfSymbolsByName {
 public:
  explicit ElfSymbolsByName(const SymbolTable& table) {
    by_name_.reserve(table.symbols.size());
    for (const ElfSymbol& sym : table.symbols) {
      if (sym.defined()) by_name_.emplace(sym.name, &sym);
    }
  }
  // nullptr when the file has no such symbol; of two at one place, one
  // with a size.
  [[nodiscard]] const ElfSymbol* find(std::string_view name, std::optional<uint32_t> section, uint64_t value) const {
    const ElfSymbol* best = nullptr;
    auto [first, last] = by_name_.equal_range(name);
    for (auto it = first; it != last; ++it) {
      const ElfSymbol& sym = *it->second;
      if (sym.value != value || (section && sym.section != *section)) continue;
      if (sym.size > 0) return &sym;
      if (best == nullptr) best = &sym;
    }
    return best;
  }

 private:
  std::unordered_multimap<std::string_view, const ElfSymbol*> by_name_;
};

}  // namespace

Result<VmlinuxDecision> decide_vmlinux_aliases(std::span<const NmLine> lines, const Census& census,
                                               const AliasOptions& options, const VmlinuxDebug& debug) {
  VmlinuxDecision decision;
  std::vector<size_t> eligible;
  for (size_t i = 0; i < lines.size(); ++i) {
    const NmLine& line = lines[i];
    if (!line.address.empty() && alias_eligible(line.name, line.type, {}, false, census, options)) {
      eligible.push_back(i);
    }
  }
  decision.counts.eligible = eligible.size();

  const DebugInfo& info = *debug.info;
  const ElfSymbolsByName elf_symbols(debug.symbols);
  std::optional<LinkedAddressMap> map;
  if (info.relocatable()) {
    auto built = LinkedAddressMap::build(debug.object, debug.symbols, lines);
    if (!built) return std::unexpected(built.error());
    map = std::move(*built);
  }
  std::vector<LocateQuery> queries;
  std::vector<size_t> queried;  // index into `eligible`
  queries.reserve(eligible.size());
  for (size_t k = 0; k < eligible.size(); ++k) {
    const NmLine& line = lines[eligible[k]];
    uint64_t address = line.value;
    const ElfSymbol* sym = nullptr;
    if (map) {
      auto place = map->to_object(line.value);
      auto base = place ? info.section_address(place->section) : std::nullopt;
      if (!base) continue;  // not from the object: no location
      address = *base + place->offset;
      sym = elf_symbols.find(line.name, place->section, place->offset);
    } else {
      sym = elf_symbols.find(line.name, std::nullopt, line.value);
    }
    bool function = sought_as_function(sym != nullptr ? sym->type : STT_NOTYPE, line.type);
    queries.push_back({address, function, sym != nullptr ? sym->size : 0, line.name});
    queried.push_back(k);
  }
  std::vector<std::optional<SourceLocation>> located = locate(info, debug.tree, queries);
  std::vector<std::optional<SourceLocation>> locations(eligible.size());
  for (size_t q = 0; q < queried.size(); ++q) locations[queried[q]] = std::move(located[q]);

  std::vector<AliasCandidate> candidates;
  std::vector<size_t> candidate_line;
  for (size_t k = 0; k < eligible.size(); ++k) {
    const NmLine& line = lines[eligible[k]];
    if (!locations[k]) {
      ++decision.counts.unlocated;
      decision.unlocated_names.emplace_back(line.text);
      continue;
    }
    if (locations[k]->from_line_table) ++decision.counts.from_line_table;
    // The alias is spelled with the name the census counted: never with a
    // number the LTO link chose.
    candidates.push_back({census_name(line.name, options.lto), {}, line.value, std::move(*locations[k])});
    candidate_line.push_back(eligible[k]);
  }
  AliasLimits limits;
  std::vector<std::string> aliases = assign_aliases(candidates, options, &limits);
  decision.counts.shortened = limits.shortened;
  for (size_t c : limits.omitted) decision.too_long_names.emplace_back(lines[candidate_line[c]].name);

  decision.alias_of_line.resize(lines.size());
  for (size_t c = 0; c < candidates.size(); ++c) {
    const AliasCandidate& cand = candidates[c];
    if (aliases[c].empty()) continue;  // too long (limits.omitted)
    std::string short_form = std::string(cand.name) + options.separator + decorate_path(cand.location.file) + "_" +
                             std::to_string(cand.location.line);
    if (aliases[c] != short_form) ++decision.counts.disambiguated;
    decision.alias_of_line[candidate_line[c]] = std::move(aliases[c]);
  }
  decision.counts.aliases = candidates.size() - limits.omitted.size();
  return decision;
}

}  // namespace kas
