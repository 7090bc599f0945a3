// Census building is the only step that reads every module, so it is the one
// that must be cheap: each worker opens a module, walks its .symtab (libelf
// maps the file; DWARF is never touched) and counts into its own partial
// Census. Partials are merged on one thread; counts are sums, so the result
// is identical for any thread count or order.
#include "core/index/census_builder.hpp"

#include <optional>

#include "core/alias/lto.hpp"
#include "core/elf/elf_file.hpp"
#include "core/elf/kallsyms_names.hpp"
#include "core/elf/nm_type.hpp"
#include "core/elf/symtab.hpp"
#include "core/util/parallel.hpp"

namespace kas {

bool counts_for_vmlinux(const NmLine& line) {
  // Lines of loaded modules (/proc/kallsyms "[mod]") are not vmlinux's:
  // modules are counted from their files.
  return !nm_is_undefined(line.type) && line.module.empty() && !kallsyms_ignores(line.name);
}

void add_nm_listing(Census& census, std::span<const NmLine> lines, const CensusOptions& options) {
  for (const NmLine& line : lines) {
    if (counts_for_vmlinux(line)) census.add(census_name(line.name, options.lto));
  }
}

Result<void> for_each_symbol_table(
    std::span<const std::string> paths, unsigned jobs,
    const std::function<void(unsigned worker, size_t index, const SymbolTable& table)>& visit) {
  std::vector<std::optional<Error>> errors(paths.size());
  parallel_for(paths.size(), std::max(1u, jobs), [&](size_t i, unsigned worker) {
    auto file = ElfFile::open(paths[i]);
    if (!file) {
      errors[i] = file.error();
      return;
    }
    auto table = read_symbols(*file);
    if (!table) {
      errors[i] = table.error();
      return;
    }
    visit(worker, i, *table);
  });
  for (const auto& error : errors) {
    if (error) return std::unexpected(*error);
  }
  return {};
}

}  // namespace kas
