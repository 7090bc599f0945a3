// The vmlinux and census entry points of the engine (engine_module.cpp has
// the module one): read -> census -> eligibility -> locate -> policy -> render.
#include "core/engine.hpp"

#include <optional>
#include <unordered_map>

#include "core/alias/decorate.hpp"
#include "core/dwarf/debug_info.hpp"
#include "core/dwarf/locator.hpp"
#include "core/elf/elf_file.hpp"
#include "core/elf/nm_type.hpp"
#include "core/elf/symtab.hpp"
#include "core/index/census_sources.hpp"
#include "core/index/linked_address_map.hpp"
#include "core/index/nm_listing.hpp"
#include "core/index/vmlinux_listing.hpp"
#include "core/util/mapped_file.hpp"

namespace kas {

Result<CensusResult> build_census(const CensusSources& sources, unsigned jobs, bool lto, bool units) {
  if (!sources.census_path.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a census is built from --nm and modules, not read from --census");
  }
  std::optional<VmlinuxListing> listing;
  if (!sources.nm_path.empty()) {
    auto opened = VmlinuxListing::open(sources.nm_path);
    if (!opened) return std::unexpected(opened.error());
    listing.emplace(std::move(*opened));
  }
  CensusResult result;
  auto census = census_for_build(sources, listing ? listing->lines() : std::span<const NmLine>(), jobs, lto,
                                 &result.modules, units);
  if (!census) return std::unexpected(census.error());
  result.census = std::move(*census);
  return result;
}

namespace {

// st_size of the listing's symbols, which an nm listing does not carry: a
// function is matched to its DWARF entry over its whole extent. Found by
// name and place (section and offset in vmlinux.o, address in vmlinux).
class SymbolSizes {
 public:
  explicit SymbolSizes(const SymbolTable& table) {
    by_name_.reserve(table.symbols.size());
    for (const ElfSymbol& sym : table.symbols) {
      if (sym.defined() && sym.size > 0) by_name_.emplace(sym.name, &sym);
    }
  }
  // 0 when the file has no such symbol.
  [[nodiscard]] uint64_t size_of(std::string_view name, std::optional<uint32_t> section, uint64_t value) const {
    auto [first, last] = by_name_.equal_range(name);
    for (auto it = first; it != last; ++it) {
      const ElfSymbol& sym = *it->second;
      if (sym.value == value && (!section || sym.section == *section)) return sym.size;
    }
    return 0;
  }

 private:
  std::unordered_multimap<std::string_view, const ElfSymbol*> by_name_;
};

// The alias of each listing line ("" for none), filling the location part
// of `stats` and `unlocated_names`.
Result<std::vector<std::string>> line_aliases(const VmlinuxRequest& request, std::span<const NmLine> lines,
                                              const Census& census, VmlinuxStats& stats,
                                              std::vector<std::string>& unlocated_names) {
  std::vector<size_t> eligible;
  for (size_t i = 0; i < lines.size(); ++i) {
    const NmLine& line = lines[i];
    if (!line.address.empty() &&
        alias_eligible(line.name, line.type, {}, false, census, request.alias)) {
      eligible.push_back(i);
    }
  }
  stats.eligible = eligible.size();

  auto object = ElfFile::open(request.elf_path);
  if (!object) return std::unexpected(object.error());
  auto info = DebugInfo::open(*object);
  if (!info) return std::unexpected(info.error());
  SourceTree tree(request.srctree);
  tree.infer_from((*info)->unit_paths());

  // A relocatable object (vmlinux.o, for kbuild's debug-less kallsyms
  // links) is located through the map from the listing's addresses to its
  // sections; a linked vmlinux by the addresses themselves.
  auto symbols = read_symbols(*object);
  if (!symbols) return std::unexpected(symbols.error());
  const SymbolSizes sizes(*symbols);
  std::optional<LinkedAddressMap> map;
  if ((*info)->relocatable()) {
    auto built = LinkedAddressMap::build(*object, *symbols, lines);
    if (!built) return std::unexpected(built.error());
    map = std::move(*built);
  }
  std::vector<LocateQuery> queries;
  std::vector<size_t> queried;  // index into `eligible`
  queries.reserve(eligible.size());
  for (size_t k = 0; k < eligible.size(); ++k) {
    const NmLine& line = lines[eligible[k]];
    uint64_t address = line.value;
    uint64_t size = 0;
    if (map) {
      auto place = map->to_object(line.value);
      auto base = place ? (*info)->section_address(place->section) : std::nullopt;
      if (!base) continue;  // not from the object: no location
      address = *base + place->offset;
      size = sizes.size_of(line.name, place->section, place->offset);
    } else {
      size = sizes.size_of(line.name, std::nullopt, line.value);
    }
    queries.push_back({address, nm_is_text(line.type), size, line.name});
    queried.push_back(k);
  }
  std::vector<std::optional<SourceLocation>> located = locate(**info, tree, queries);
  std::vector<std::optional<SourceLocation>> locations(eligible.size());
  for (size_t q = 0; q < queried.size(); ++q) locations[queried[q]] = std::move(located[q]);

  std::vector<AliasCandidate> candidates;
  std::vector<size_t> candidate_line;
  for (size_t k = 0; k < eligible.size(); ++k) {
    const NmLine& line = lines[eligible[k]];
    if (!locations[k]) {
      ++stats.unlocated;
      unlocated_names.emplace_back(line.name);
      continue;
    }
    if (locations[k]->from_line_table) ++stats.from_line_table;
    candidates.push_back({line.name, {}, line.value, std::move(*locations[k])});
    candidate_line.push_back(eligible[k]);
  }
  std::vector<std::string> aliases = assign_aliases(candidates, request.alias);

  std::vector<std::string> alias_of_line(lines.size());
  for (size_t c = 0; c < candidates.size(); ++c) {
    const AliasCandidate& cand = candidates[c];
    std::string short_form = std::string(cand.name) + request.alias.separator + decorate_path(cand.location.file) +
                             "_" + std::to_string(cand.location.line);
    if (aliases[c] != short_form) ++stats.disambiguated;
    alias_of_line[candidate_line[c]] = std::move(aliases[c]);
  }
  stats.aliases = candidates.size();
  return alias_of_line;
}

Result<VmlinuxResult> alias_vmlinux_lines(const VmlinuxRequest& request, std::string_view data,
                                          const std::vector<NmLine>& lines, const Census& census,
                                          size_t census_modules) {
  VmlinuxResult result;
  result.stats.modules = census_modules;
  result.stats.input_lines = lines.size();
  result.stats.census_names = census.size();
  auto aliases = line_aliases(request, lines, census, result.stats, result.unlocated_names);
  if (!aliases) return std::unexpected(aliases.error());

  std::string& out = result.text;
  out.reserve(data.size() + result.stats.aliases * 80);
  for (size_t i = 0; i < lines.size(); ++i) {
    const NmLine& line = lines[i];
    out += line.text;
    out += '\n';
    if (const std::string& alias = (*aliases)[i]; !alias.empty()) {
      out += line.address;
      out += ' ';
      out += line.type;
      out += ' ';
      out += alias;
      out += '\n';
    }
  }
  return result;
}

}  // namespace

Result<VmlinuxResult> alias_vmlinux(const VmlinuxRequest& request) {
  auto mapped = MappedFile::open(request.census.nm_path);
  if (!mapped) return std::unexpected(mapped.error());
  auto lines = parse_nm_listing(mapped->data(), request.census.nm_path);
  if (!lines) return std::unexpected(lines.error());
  size_t modules = 0;
  auto census = census_for_build(request.census, *lines, request.jobs, request.alias.lto, &modules);
  if (!census) return std::unexpected(census.error());
  return alias_vmlinux_lines(request, mapped->data(), *lines, *census, modules);
}

Result<VmlinuxResult> alias_vmlinux(const VmlinuxRequest& request, const Census& census, size_t census_modules) {
  auto mapped = MappedFile::open(request.census.nm_path);
  if (!mapped) return std::unexpected(mapped.error());
  auto lines = parse_nm_listing(mapped->data(), request.census.nm_path);
  if (!lines) return std::unexpected(lines.error());
  return alias_vmlinux_lines(request, mapped->data(), *lines, census, census_modules);
}

Result<std::vector<VmlinuxAlias>> vmlinux_aliases(const VmlinuxRequest& request, std::span<const NmLine> lines,
                                                  const Census& census) {
  VmlinuxStats stats;
  std::vector<std::string> unlocated;
  auto aliases = line_aliases(request, lines, census, stats, unlocated);
  if (!aliases) return std::unexpected(aliases.error());
  std::vector<VmlinuxAlias> out;
  out.reserve(stats.aliases);
  for (size_t i = 0; i < lines.size(); ++i) {
    if ((*aliases)[i].empty()) continue;
    out.push_back({lines[i].value, lines[i].type, std::string(lines[i].name), std::move((*aliases)[i])});
  }
  return out;
}

}  // namespace kas
