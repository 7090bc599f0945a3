#include "core/index/census_sources.hpp"

#include <algorithm>
#include <optional>

#include "core/alias/lto.hpp"
#include "core/elf/nm_type.hpp"
#include "core/elf/symtab.hpp"
#include "core/index/census_builder.hpp"
#include "core/index/module_list.hpp"
#include "core/index/vmlinux_listing.hpp"
#include "core/util/file.hpp"
#include "core/util/mapped_file.hpp"
#include "core/util/parallel.hpp"
#include "core/util/path.hpp"
#include "core/util/text.hpp"

namespace kas {

Result<std::vector<std::string>> collect_module_files(const CensusSources& sources) {
  std::vector<std::string> files;
  for (const std::string& order : sources.modules_orders) {
    auto listed = read_modules_order(order);
    if (!listed) return std::unexpected(listed.error());
    files.insert(files.end(), std::make_move_iterator(listed->begin()), std::make_move_iterator(listed->end()));
  }
  for (const std::string& dir : sources.module_dirs) {
    auto found = find_modules(dir);
    if (!found) return std::unexpected(found.error());
    files.insert(files.end(), std::make_move_iterator(found->begin()), std::make_move_iterator(found->end()));
  }
  return files;
}

std::string unit_key(std::string_view source_file) {
  return "*/" + std::string(path::basename(source_file));
}

std::vector<std::string> module_unit_keys(const SymbolTable& table) {
  std::vector<std::string> keys;
  for (const ElfSymbol& sym : table.symbols) {
    if (sym.type != STT_FILE || sym.name.empty()) continue;
    std::string key = unit_key(sym.name);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  }
  return keys;
}

Result<void> check_census_sources(const CensusSources& sources) {
  if (!sources.census_path.empty() && (!sources.modules_orders.empty() || !sources.module_dirs.empty())) {
    return fail(ErrorCode::kInvalidArgument,
                "--census gives the complete census; do not combine it with --modules-order or --modules");
  }
  return {};
}

RestrictedCensus restrict_complete_census(const Census& names, std::shared_ptr<const Census> units,
                                          const NameSet& wanted) {
  RestrictedCensus result;
  result.other_units = UnitHolders(std::move(units));
  size_t present = 0;
  for (const std::string& name : wanted) {
    uint32_t n = names.count(name);
    if (n > 0) {
      result.counts.add(name, n);
      ++present;
    }
  }
  // A census that already knows every name this module defines counted it
  // (a census of the same build, or an installed copy it replaces).
  result.included = !wanted.empty() && present == wanted.size();
  result.self_counted = result.included;
  return result;
}

Result<Census> census_for_build(const CensusSources& sources, std::span<const NmLine> vmlinux, unsigned jobs,
                                bool lto, size_t* modules, bool units) {
  if (auto r = check_census_sources(sources); !r) return std::unexpected(r.error());
  if (modules != nullptr) *modules = 0;
  if (!sources.census_path.empty()) {
    auto mapped = MappedFile::open(sources.census_path);
    if (!mapped) return std::unexpected(mapped.error());
    Census file_units;  // source-file keys are no names: kept out, as CensusIndex does
    return Census::from_symbfreq(mapped->data(), sources.census_path, file_units);
  }
  auto files = collect_module_files(sources);
  if (!files) return std::unexpected(files.error());
  // One pass over the modules: names, and their source files when asked.
  std::vector<Census> partial(std::max(1u, jobs));
  auto ok = for_each_symbol_table(*files, jobs, [&](unsigned worker, size_t, const SymbolTable& table) {
    for (const ElfSymbol& sym : table.symbols) {
      if (sym.defined()) partial[worker].add(census_name(sym.name, lto));
    }
    if (units) {
      for (const std::string& unit : module_unit_keys(table)) partial[worker].add(unit);
    }
  });
  if (!ok) return std::unexpected(ok.error());
  Census census = std::move(partial[0]);
  for (size_t w = 1; w < partial.size(); ++w) census.merge(partial[w]);
  add_nm_listing(census, vmlinux, CensusOptions{.jobs = jobs, .lto = lto});
  if (modules != nullptr) *modules = files->size();
  return census;
}

Result<RestrictedCensus> census_for_names(const CensusSources& sources, const NameSet& wanted,
                                          const std::string& skip_module, unsigned jobs, bool lto) {
  if (auto r = check_census_sources(sources); !r) return std::unexpected(r.error());
  RestrictedCensus result;
  auto want = [&](std::string_view name) -> std::optional<std::string_view> {
    std::string_view key = census_name(name, lto);
    if (wanted.find(key) != wanted.end()) return key;
    return std::nullopt;
  };

  if (!sources.nm_path.empty()) {
    auto listing = VmlinuxListing::open(sources.nm_path);
    if (!listing) return std::unexpected(listing.error());
    for (const NmLine& line : listing->lines()) {
      if (!counts_for_vmlinux(line)) continue;
      if (auto key = want(line.name)) result.counts.add(*key);
    }
  }

  if (!sources.census_path.empty()) {
    auto mapped = MappedFile::open(sources.census_path);
    if (!mapped) return std::unexpected(mapped.error());
    Census units;
    auto census = Census::from_symbfreq(mapped->data(), sources.census_path, wanted, units);
    if (!census) return std::unexpected(census.error());
    RestrictedCensus from_file =
        restrict_complete_census(*census, std::make_shared<const Census>(std::move(units)), wanted);
    from_file.counts.merge(result.counts);  // vmlinux names from --nm, if any
    return from_file;
  }

  auto files = collect_module_files(sources);
  if (!files) return std::unexpected(files.error());
  std::vector<std::string> read;
  for (std::string& f : *files) {
    if (!skip_module.empty() && module_name_from_path(f) == skip_module) {
      result.included = true;
    } else {
      read.push_back(std::move(f));
    }
  }
  std::vector<Census> partial(std::max(1u, jobs));
  std::vector<Census> partial_units(std::max(1u, jobs));
  auto ok = for_each_symbol_table(read, jobs, [&](unsigned worker, size_t, const SymbolTable& table) {
    for (const ElfSymbol& sym : table.symbols) {
      if (!sym.defined()) continue;
      if (auto key = want(sym.name)) partial[worker].add(*key);
    }
    for (const std::string& unit : module_unit_keys(table)) partial_units[worker].add(unit);
  });
  if (!ok) return std::unexpected(ok.error());
  for (const Census& c : partial) result.counts.merge(c);
  auto units = std::make_shared<Census>();
  for (const Census& c : partial_units) units->merge(c);
  result.other_units = UnitHolders(std::move(units));
  result.modules = read.size();
  return result;
}

}  // namespace kas
