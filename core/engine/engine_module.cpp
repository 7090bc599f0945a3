// kas module: one module in, its aliases out.
//
// Only the module's own names matter, so the census is restricted to them
// (a census file is scanned, not loaded). The module itself counts once:
// module sources of the same module name are skipped (this object replaces
// them), and a census file that already holds every name of the module is
// taken to have counted it. DWARF is opened only when some symbol needs an
// alias.
#include "core/engine/engine_module.hpp"

#include <cctype>

#include "core/alias/module_aliases.hpp"
#include "core/dwarf/symbol_locations.hpp"
#include "core/elf/nm_type.hpp"
#include "core/index/census_count.hpp"
#include "core/index/kernel_snapshot.hpp"
#include "core/index/module_list.hpp"

namespace kas {

Result<ModuleObject> ModuleObject::open(const std::string& path) {
  auto file = ElfFile::open(path);
  if (!file) return std::unexpected(file.error());
  auto checked = [&]() -> Result<SymbolTable> {
    if (!file->is_relocatable()) {
      return fail(ErrorCode::kInvalidArgument,
                  path + ": not a relocatable object (ET_REL); kas module takes a module's .o or .ko");
    }
    // The output is written from the input's bytes (a copy, then the new
    // symbols): an installed module compressed by modules_install is read
    // for the census, not rewritten.
    if (file->compressed()) {
      return fail(ErrorCode::kInvalidArgument, path + ": a compressed module; kas module writes plain ELF: "
                                                      "decompress it first (unxz, unzstd, gunzip)");
    }
    return read_symbols(*file);
  }();
  // Whatever failed on a file rewritten meanwhile (a symbol table of zeros,
  // say), the rewrite is the reason to report.
  if (!checked) {
    if (auto same = file->unchanged(); !same) return std::unexpected(same.error());
    return std::unexpected(checked.error());
  }
  return ModuleObject(std::move(*file), std::move(*checked), module_name_from_path(path));
}

NameSet ModuleObject::census_keys(Lto lto) const { return module_census_keys(table_, lto); }

namespace {

Result<ModuleResult> decide(const ModuleRequest& request, const ModuleObject& object,
                            const RestrictedCensus& counted) {
  const ElfFile& file = object.file();
  ModuleResult result;
  result.input = file.stamp();
  result.symbols = object.table().symbols.size();
  result.census_modules = counted.modules;
  result.census_included_module = counted.included;

  const ModuleBinary binary{object.table(), [&](uint32_t s) { return file.section_name(s); }, object.name()};
  // The daemon may have located this very file's symbols when it indexed
  // the kernel; anything it did not cover is located here.
  const PlacedSymbols* located = request.srctree.empty() ? counted.located.get() : nullptr;
  AliasOptions alias = request.alias;
  alias.lto = counted.lto;
  auto decided = decide_module_aliases(binary, counted, alias, located,
                                       [&](std::span<const ElfSymbol* const> symbols) {
                                         return locate_object_symbols(file, symbols, request.srctree);
                                       });
  if (!decided) return std::unexpected(decided.error());
  result.eligible = decided->eligible;
  result.newly_duplicated = std::move(decided->newly_duplicated);
  result.unlocated = std::move(decided->unlocated);
  result.too_long = std::move(decided->too_long);
  for (DecidedAlias& a : decided->aliases) {
    const ElfSymbol* sym = a.symbol;
    result.aliases.push_back({.symbol = std::string(sym->name),
                              .alias = std::move(a.alias),
                              .section = std::string(file.section_name(sym->section)),
                              .value = sym->value,
                              .nm_type = sym->nm_type,
                              .symbol_index = static_cast<uint32_t>(sym->index),
                              .exists = a.exists});
  }
  // What was decided is only as good as the file it was read from.
  if (auto same = file.unchanged(); !same) return std::unexpected(same.error());
  return result;
}

}  // namespace

Result<ModuleResult> decide_module(const ModuleRequest& request, const ModuleObject& object,
                                   const RestrictedCensus& counted) {
  auto result = decide(request, object, counted);
  if (!result) {
    if (auto same = object.file().unchanged(); !same) return std::unexpected(same.error());
  }
  return result;
}

Result<ModuleResult> alias_module(const ModuleRequest& request) {
  auto object = ModuleObject::open(request.input);
  if (!object) return std::unexpected(object.error());
  // Only the names this module defines are counted, under the kernel's LTO
  // kind, and the files it replaces are not read.
  auto snapshot = KernelSnapshot::build(request.census,
                                        {.jobs = request.jobs,
                                         .lto = request.alias.lto,
                                         .wanted = [&](Lto lto) { return object->census_keys(lto); },
                                         .skip_module = object->name()});
  if (!snapshot) return std::unexpected(snapshot.error());
  const RestrictedCensus counted =
      (*snapshot)->restricted(object->census_keys((*snapshot)->lto()), object->name());
  return decide_module(request, *object, counted);
}

}  // namespace kas
