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

#include "core/alias/module_aliases.hpp"
#include "core/dwarf/symbol_locations.hpp"
#include "core/elf/elf_file.hpp"
#include "core/elf/nm_type.hpp"
#include "core/elf/symtab.hpp"
#include "core/engine/engine.hpp"
#include "core/index/census_count.hpp"
#include "core/index/kernel_name.hpp"
#include "core/index/module_list.hpp"
#include "core/output/object_rewriter.hpp"
#include "core/util/atomic_file.hpp"
#include "core/util/file.hpp"

namespace kas {

Result<KernelFiles> module_census_sources(const ModuleRequest& request) {
  KernelFiles sources = request.census;
  if (!sources.census_path.empty() && !sources.vmlinux.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "--census is the complete census (vmlinux was counted into it); do not combine it with --nm");
  }
  if (request.kernel.empty()) return sources;
  if (!sources.census_path.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--kernel and --census are two censuses; give one");
  }
  auto kernel = find_kernel_files(
      {.kind = KernelName::Kind::kInstalled, .where = request.kernel, .system_map = request.system_map},
      KernelNeeds::kNames);
  if (!kernel) return std::unexpected(kernel.error());
  if (sources.vmlinux.empty()) sources.vmlinux = kernel->vmlinux;
  sources.module_dirs.insert(sources.module_dirs.end(), kernel->module_dirs.begin(), kernel->module_dirs.end());
  return sources;
}

Result<ModuleResult> alias_module(const ModuleRequest& request) {
  auto sources = module_census_sources(request);
  if (!sources) return std::unexpected(sources.error());
  return alias_module(request, [&](const ModuleKeys& keys, const std::string& skip_module) -> Result<RestrictedCensus> {
    // Only the names this module defines are counted (under any LTO kind:
    // the snapshot decides which), and the files it replaces are not read.
    const NameSet wanted = keys.any();
    auto snapshot = KernelSnapshot::build(
        *sources, {.jobs = request.jobs, .lto = request.alias.lto, .wanted = &wanted, .skip_module = skip_module});
    if (!snapshot) return std::unexpected(snapshot.error());
    return (*snapshot)->restricted(keys.under((*snapshot)->lto()), skip_module);
  });
}

NameSet ModuleKeys::any() const {
  NameSet all = none;
  all.insert(thin.begin(), thin.end());
  all.insert(full.begin(), full.end());
  return all;
}

namespace {

Result<ModuleResult> alias_open_module(const ModuleRequest& request, const ModuleCensusProvider& census_provider,
                                       const ElfFile& file, const OutputTarget* output) {
  ModuleResult result;
  result.output_path = module_output_path(request);
  if (!file.is_relocatable()) {
    return fail(ErrorCode::kInvalidArgument, request.input + ": not a relocatable object (ET_REL); kas module "
                                                             "takes a module's .o or .ko");
  }
  // The output is written from the input's bytes (a copy, then the new
  // symbols): an installed module compressed by modules_install is read for
  // the census, not rewritten.
  if (file.compressed() && !request.dry_run) {
    return fail(ErrorCode::kInvalidArgument, request.input + ": a compressed module; kas module writes plain ELF: "
                                                             "decompress it first (unxz, unzstd, gunzip)");
  }
  auto table = read_symbols(file);
  if (!table) return std::unexpected(table.error());
  result.symbols = table->symbols.size();

  const ModuleKeys keys{.none = module_census_keys(*table, Lto::kNone),
                        .thin = module_census_keys(*table, Lto::kThin),
                        .full = module_census_keys(*table, Lto::kFull)};

  const std::string module = module_name_from_path(request.input);
  auto counted = census_provider(keys, module);
  if (!counted) return std::unexpected(counted.error());
  result.census_modules = counted->modules;
  result.census_included_module = counted->included;

  const ModuleBinary binary{*table, [&](uint32_t s) { return file.section_name(s); }, module};
  // The daemon may have located this very file's symbols when it indexed
  // the kernel; anything it did not cover is located here.
  const PlacedSymbols* located = request.srctree.empty() ? counted->located.get() : nullptr;
  AliasOptions alias = request.alias;
  alias.lto = counted->lto;
  auto decided = decide_module_aliases(binary, *counted, alias, located,
                                       [&](std::span<const ElfSymbol* const> symbols) {
                                         return locate_object_symbols(file, symbols, request.srctree);
                                       });
  if (!decided) return std::unexpected(decided.error());
  result.eligible = decided->eligible;
  result.newly_duplicated = std::move(decided->newly_duplicated);
  result.unlocated = std::move(decided->unlocated);
  result.too_long = std::move(decided->too_long);

  std::vector<NewSymbol> new_symbols;
  for (DecidedAlias& a : decided->aliases) {
    // Already aliased (a re-run on its own output): nothing to add, but a
    // dry run still reports it.
    if (a.exists && !request.dry_run) continue;
    const ElfSymbol* sym = a.symbol;
    bool global = std::isupper(static_cast<unsigned char>(sym->nm_type)) != 0;
    new_symbols.push_back({a.alias, sym->index, global});
    result.aliases.push_back(
        {std::string(sym->name), std::move(a.alias), std::string(file.section_name(sym->section)), sym->value,
         sym->nm_type});
  }

  if (request.dry_run || (new_symbols.empty() && request.in_place)) return result;  // nothing to write
  auto out = AtomicFile::create(*output, request.umask.value_or(current_umask()));
  if (!out) return std::unexpected(out.error());
  struct stat st {};
  if (request.in_place && ::fstat(file.fd(), &st) == 0) out->set_mode(st.st_mode & 07777);
  if (new_symbols.empty()) {
    if (auto r = copy_file_contents(file.fd(), file.image(), out->fd(), out->temp_path()); !r) {
      return std::unexpected(r.error());
    }
  } else {
    if (auto r = write_object_with_symbols(file, new_symbols, out->fd(), result.output_path); !r) {
      return std::unexpected(r.error());
    }
    result.rewritten = true;
  }
  // Never a module made of two versions of its input (or of the zeros a
  // truncated mapping reads as: core/util/bus_fault).
  if (auto same = file.unchanged(); !same) return std::unexpected(same.error());
  if (auto r = out->commit(); !r) return std::unexpected(r.error());
  return result;
}

}  // namespace

std::string module_output_path(const ModuleRequest& request) {
  if (request.in_place) return request.input;
  return request.output.empty() ? request.input + ".kas" : request.output;
}

std::shared_ptr<const OutputTarget> open_module_output(const ModuleRequest& request) {
  if (request.dry_run) return nullptr;
  return std::make_shared<const OutputTarget>(OutputTarget::open(module_output_path(request)));
}

Result<ModuleResult> alias_module(const ModuleRequest& request, const ModuleCensusProvider& census_provider) {
  // The output's directory is opened before the input is read and never
  // looked up again (atomic_file.hpp says why).
  const std::shared_ptr<const OutputTarget> output = request.output_dir ? request.output_dir
                                                                        : open_module_output(request);
  auto file = ElfFile::open(request.input);
  if (!file) return std::unexpected(file.error());
  auto result = alias_open_module(request, census_provider, *file, output.get());
  // Whatever failed on a file rewritten meanwhile (a symbol table of zeros,
  // say), the rewrite is the reason to report.
  if (!result) {
    if (auto same = file->unchanged(); !same) return std::unexpected(same.error());
  }
  return result;
}

}  // namespace kas
