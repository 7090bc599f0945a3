#include "core/index/census_sources.hpp"

#include <optional>

#include "core/alias/lto.hpp"
#include "core/elf/nm_type.hpp"
#include "core/elf/symtab.hpp"
#include "core/index/census_builder.hpp"
#include "core/index/module_list.hpp"
#include "core/util/file.hpp"
#include "core/util/mapped_file.hpp"
#include "core/util/parallel.hpp"
#include "core/util/text.hpp"

namespace kas {

Result<std::vector<std::string>> collect_module_paths(const CensusSources& sources) {
  std::vector<std::string> paths;
  for (const std::string& order : sources.modules_orders) {
    auto listed = read_modules_order(order);
    if (!listed) return std::unexpected(listed.error());
    paths.insert(paths.end(), listed->begin(), listed->end());
  }
  for (const std::string& dir : sources.module_dirs) {
    auto found = find_modules(dir);
    if (!found) return std::unexpected(found.error());
    paths.insert(paths.end(), found->begin(), found->end());
  }
  return paths;
}

namespace {

Result<void> reject_mixed_sources(const CensusSources& sources) {
  if (!sources.census_path.empty() && (!sources.modules_orders.empty() || !sources.module_dirs.empty())) {
    return fail(ErrorCode::kInvalidArgument,
                "--census gives the complete census; do not combine it with --modules-order or --modules");
  }
  return {};
}

}  // namespace

Result<Census> census_for_build(const CensusSources& sources, std::span<const NmLine> vmlinux, unsigned jobs,
                                bool lto, size_t* modules) {
  if (auto r = reject_mixed_sources(sources); !r) return std::unexpected(r.error());
  if (modules != nullptr) *modules = 0;
  if (!sources.census_path.empty()) {
    auto mapped = MappedFile::open(sources.census_path);
    if (!mapped) return std::unexpected(mapped.error());
    return Census::from_symbfreq(mapped->data(), sources.census_path);
  }
  auto paths = collect_module_paths(sources);
  if (!paths) return std::unexpected(paths.error());
  CensusOptions options{.jobs = jobs, .lto = lto};
  auto census = count_module_symbols(*paths, options);
  if (!census) return std::unexpected(census.error());
  add_nm_listing(*census, vmlinux, options);
  if (modules != nullptr) *modules = paths->size();
  return census;
}

Result<RestrictedCensus> census_for_names(const CensusSources& sources, const NameSet& wanted,
                                          const std::string& skip_module, unsigned jobs, bool lto) {
  if (auto r = reject_mixed_sources(sources); !r) return std::unexpected(r.error());
  RestrictedCensus result;
  auto want = [&](std::string_view name) -> std::optional<std::string_view> {
    std::string_view key = lto ? strip_lto_suffix(name) : name;
    if (wanted.find(key) != wanted.end()) return key;
    return std::nullopt;
  };

  if (!sources.nm_path.empty()) {
    auto mapped = MappedFile::open(sources.nm_path);
    if (!mapped) return std::unexpected(mapped.error());
    auto lines = parse_nm_listing(mapped->data(), sources.nm_path);
    if (!lines) return std::unexpected(lines.error());
    for (const NmLine& line : *lines) {
      // /proc/kallsyms also lists loaded modules: those are counted from
      // their files, not twice.
      if (!line.module.empty() || nm_is_undefined(line.type)) continue;
      if (auto key = want(line.name)) result.counts.add(*key);
    }
  }

  if (!sources.census_path.empty()) {
    auto mapped = MappedFile::open(sources.census_path);
    if (!mapped) return std::unexpected(mapped.error());
    auto census = Census::from_symbfreq(mapped->data(), sources.census_path, wanted);
    if (!census) return std::unexpected(census.error());
    size_t present = 0;
    for (const std::string& name : wanted) {
      uint32_t n = census->count(name);
      if (n > 0) {
        result.counts.add(name, n);
        ++present;
      }
    }
    // A census that already knows every name this module defines counted it
    // (a census of the same build, or an installed copy it replaces).
    result.included = !wanted.empty() && present == wanted.size();
    return result;
  }

  auto paths = collect_module_paths(sources);
  if (!paths) return std::unexpected(paths.error());
  std::vector<std::string> read;
  for (std::string& p : *paths) {
    if (!skip_module.empty() && module_name_from_path(p) == skip_module) {
      result.included = true;
    } else {
      read.push_back(std::move(p));
    }
  }
  std::vector<Census> partial(std::max(1u, jobs));
  std::vector<std::optional<Error>> errors(read.size());
  parallel_for(read.size(), jobs, [&](size_t i, unsigned worker) {
    auto file = ElfFile::open(read[i]);
    if (!file) {
      errors[i] = file.error();
      return;
    }
    auto table = read_symbols(*file);
    if (!table) {
      errors[i] = table.error();
      return;
    }
    for (const ElfSymbol& sym : table->symbols) {
      if (!sym.defined()) continue;
      if (auto key = want(sym.name)) partial[worker].add(*key);
    }
  });
  for (const auto& e : errors) {
    if (e) return std::unexpected(*e);
  }
  for (const Census& c : partial) result.counts.merge(c);
  result.modules = read.size();
  return result;
}

}  // namespace kas
