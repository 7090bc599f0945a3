// kas module: one module in, the same module with alias symbols out.
//
// Only the module's own names matter, so the census is restricted to them
// (a census file is scanned, not loaded). The module itself counts once:
// module sources of the same module name are skipped (this object replaces
// them), and a census file that already holds every name of the module is
// taken to have counted it. DWARF is opened only when some symbol needs an
// alias; otherwise the output is a plain copy.
#include <sys/stat.h>

#include <cctype>
#include <unordered_set>

#include "core/alias/lto.hpp"
#include "core/dwarf/symbol_locations.hpp"
#include "core/elf/elf_file.hpp"
#include "core/elf/nm_type.hpp"
#include "core/elf/symtab.hpp"
#include "core/engine.hpp"
#include "core/index/installed_kernel.hpp"
#include "core/index/module_list.hpp"
#include "core/output/object_rewriter.hpp"
#include "core/util/atomic_file.hpp"
#include "core/util/file.hpp"

namespace kas {

Result<CensusSources> module_census_sources(const ModuleRequest& request) {
  CensusSources sources = request.census;
  if (request.kernel.empty()) return sources;
  if (!sources.census_path.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--kernel and --census are two censuses; give one");
  }
  auto kernel = installed_kernel_sources(request.kernel, request.system_map);
  if (!kernel) return std::unexpected(kernel.error());
  if (sources.nm_path.empty()) sources.nm_path = kernel->nm_path;
  sources.module_dirs.insert(sources.module_dirs.end(), kernel->module_dirs.begin(), kernel->module_dirs.end());
  return sources;
}

Result<ModuleResult> alias_module(const ModuleRequest& request) {
  auto sources = module_census_sources(request);
  if (!sources) return std::unexpected(sources.error());
  return alias_module(request, [&](const NameSet& wanted, const std::string& skip_module) {
    return census_for_names(*sources, wanted, skip_module, request.jobs, request.alias.lto);
  });
}

Result<ModuleResult> alias_module(const ModuleRequest& request, const ModuleCensusProvider& census_provider) {
  ModuleResult result;
  result.output_path = request.in_place ? request.input
                                        : (request.output.empty() ? request.input + ".kas" : request.output);
  auto file = ElfFile::open(request.input);
  if (!file) return std::unexpected(file.error());
  if (!file->is_relocatable()) {
    return fail(ErrorCode::kInvalidArgument, request.input + ": not a relocatable object (ET_REL); kas module "
                                                             "takes a module's .o or .ko");
  }
  auto table = read_symbols(*file);
  if (!table) return std::unexpected(table.error());
  result.symbols = table->symbols.size();

  auto census_key = [&](std::string_view name) {
    return std::string(census_name(name, request.alias.lto));
  };
  Census self;
  NameSet wanted;
  std::unordered_set<std::string_view> existing;
  for (const ElfSymbol& sym : table->symbols) {
    existing.insert(sym.name);
    if (!sym.defined()) continue;
    std::string key = census_key(sym.name);
    self.add(key);
    wanted.insert(key);
  }

  const std::string module = module_name_from_path(request.input);
  auto counted = census_provider(wanted, module);
  if (!counted) return std::unexpected(counted.error());
  result.census_modules = counted->modules;
  result.census_included_module = counted->included;

  // base: everyone but this module; total: with it, once.
  Census base;
  Census total;
  const bool file_counted_self = counted->self_counted;
  for (const std::string& name : wanted) {
    uint32_t others = counted->counts.count(name);
    if (file_counted_self) others = others > self.count(name) ? others - self.count(name) : 0;
    if (others > 0) base.add(name, others);
    total.add(name, others + self.count(name));
  }

  const std::vector<const ElfSymbol*> eligible = module_alias_symbols(*file, *table, total, request.alias);
  std::unordered_set<std::string> reported;
  for (const ElfSymbol* sym : eligible) {
    std::string key = census_key(sym->name);
    if (!counted->included && base.count(key) == 1 && reported.insert(key).second) {
      result.newly_duplicated.push_back(key);
    }
  }
  result.eligible = eligible.size();

  std::vector<NewSymbol> new_symbols;
  if (!eligible.empty()) {
    // The daemon may have located this very file's symbols when it indexed
    // the tree; anything it did not cover is located here.
    std::vector<SymbolPlace> places;
    if (counted->located != nullptr && request.srctree.empty()) places = counted->located->find(eligible);
    if (places.empty()) {
      auto located = locate_object_symbols(*file, eligible, request.srctree);
      if (!located) {
        Error e = located.error();
        if (e.code == ErrorCode::kNoDebugInfo) {
          e.message += "; " + std::to_string(eligible.size()) + " duplicated symbols (first: " +
                       std::string(eligible.front()->name) + ") need a location";
        }
        return std::unexpected(e);
      }
      places = std::move(*located);
    }

    std::vector<AliasCandidate> candidates;
    std::vector<const ElfSymbol*> candidate_symbols;
    for (size_t k = 0; k < eligible.size(); ++k) {
      SymbolPlace& place = places[k];
      if (!place.placed) continue;
      if (!place.location) {
        result.unlocated.emplace_back(eligible[k]->name);
        continue;
      }
      uint32_t holders = counted->other_units.count(unit_key(place.location->unit));
      if (file_counted_self && holders > 0) --holders;  // the file's count includes this module
      bool shared = holders > 0;
      candidates.push_back({eligible[k]->name, module, place.address, std::move(*place.location), shared});
      candidate_symbols.push_back(eligible[k]);
    }
    std::vector<std::string> aliases = assign_aliases(candidates, request.alias);
    for (size_t c = 0; c < candidates.size(); ++c) {
      const ElfSymbol* sym = candidate_symbols[c];
      // Already aliased (a re-run on its own output): nothing to add, but a
      // dry run still reports it.
      if (existing.count(aliases[c]) != 0 && !request.dry_run) continue;
      bool global = std::isupper(static_cast<unsigned char>(sym->nm_type)) != 0;
      new_symbols.push_back({aliases[c], sym->index, global});
      result.aliases.push_back(
          {std::string(sym->name), aliases[c], std::string(file->section_name(sym->section)), sym->value, sym->nm_type});
    }
  }

  if (request.dry_run || (new_symbols.empty() && request.in_place)) return result;  // nothing to write
  auto out = AtomicFile::create(result.output_path);
  if (!out) return std::unexpected(out.error());
  struct stat st {};
  if (request.in_place && ::fstat(file->fd(), &st) == 0) out->set_mode(st.st_mode & 07777);
  if (new_symbols.empty()) {
    if (auto r = copy_file_contents(file->fd(), file->image(), out->fd(), out->temp_path()); !r) {
      return std::unexpected(r.error());
    }
  } else {
    if (auto r = write_object_with_symbols(*file, new_symbols, out->fd(), result.output_path); !r) {
      return std::unexpected(r.error());
    }
    result.rewritten = true;
  }
  if (auto r = out->commit(); !r) return std::unexpected(r.error());
  return result;
}

}  // namespace kas
