#include "core/engine.hpp"

#include "core/alias/decorate.hpp"
#include "core/dwarf/debug_info.hpp"
#include "core/dwarf/locator.hpp"
#include "core/elf/nm_type.hpp"
#include "core/index/census_builder.hpp"
#include "core/index/module_list.hpp"
#include "core/index/nm_listing.hpp"
#include "core/util/file.hpp"

namespace kas {

namespace {

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

Result<CensusResult> census_from(const CensusSources& sources, std::span<const NmLine> vmlinux, unsigned jobs,
                                 bool lto) {
  CensusResult result;
  if (!sources.census_path.empty()) {
    if (!sources.modules_orders.empty() || !sources.module_dirs.empty()) {
      return fail(ErrorCode::kInvalidArgument,
                  "--census gives the complete census; do not combine it with --modules-order or --modules");
    }
    auto data = read_file(sources.census_path);
    if (!data) return std::unexpected(data.error());
    auto census = Census::from_symbfreq(*data, sources.census_path);
    if (!census) return std::unexpected(census.error());
    result.census = std::move(*census);
    return result;
  }
  auto paths = collect_module_paths(sources);
  if (!paths) return std::unexpected(paths.error());
  CensusOptions options{.jobs = jobs, .lto = lto};
  auto modules = count_module_symbols(*paths, options);
  if (!modules) return std::unexpected(modules.error());
  result.census = std::move(*modules);
  add_nm_listing(result.census, vmlinux, options);
  result.modules = paths->size();
  return result;
}

}  // namespace

Result<CensusResult> build_census(const CensusSources& sources, unsigned jobs, bool lto) {
  std::string data;
  std::vector<NmLine> lines;
  if (!sources.nm_path.empty()) {
    auto read = read_file(sources.nm_path);
    if (!read) return std::unexpected(read.error());
    data = std::move(*read);
    auto parsed = parse_nm_listing(data, sources.nm_path);
    if (!parsed) return std::unexpected(parsed.error());
    lines = std::move(*parsed);
  }
  if (!sources.census_path.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a census is built from --nm and modules, not read from --census");
  }
  return census_from(sources, lines, jobs, lto);
}

Result<VmlinuxResult> alias_vmlinux(const VmlinuxRequest& request) {
  auto data = read_file(request.census.nm_path);
  if (!data) return std::unexpected(data.error());
  auto lines = parse_nm_listing(*data, request.census.nm_path);
  if (!lines) return std::unexpected(lines.error());

  auto census = census_from(request.census, *lines, request.jobs, request.alias.lto);
  if (!census) return std::unexpected(census.error());

  VmlinuxResult result;
  result.stats.input_lines = lines->size();
  result.stats.census_names = census->census.size();
  result.stats.modules = census->modules;

  std::vector<size_t> eligible;
  for (size_t i = 0; i < lines->size(); ++i) {
    const NmLine& line = (*lines)[i];
    if (!line.address.empty() &&
        alias_eligible(line.name, line.type, {}, false, census->census, request.alias)) {
      eligible.push_back(i);
    }
  }
  result.stats.eligible = eligible.size();

  auto info = DebugInfo::open(request.elf_path);
  if (!info) return std::unexpected(info.error());
  if ((*info)->relocatable()) {
    return fail(ErrorCode::kInvalidArgument,
                request.elf_path + ": is a relocatable object; kas vmlinux needs the linked vmlinux its nm listing came from");
  }
  SourceTree tree(request.srctree);
  if (tree.root().empty()) tree.infer_from((*info)->unit_paths());

  std::vector<LocateQuery> queries;
  queries.reserve(eligible.size());
  for (size_t i : eligible) {
    const NmLine& line = (*lines)[i];
    queries.push_back({line.value, nm_is_text(line.type)});
  }
  std::vector<std::optional<SourceLocation>> locations = locate(**info, tree, queries);

  std::vector<AliasCandidate> candidates;
  std::vector<size_t> candidate_line;
  for (size_t k = 0; k < eligible.size(); ++k) {
    const NmLine& line = (*lines)[eligible[k]];
    if (!locations[k]) {
      ++result.stats.unlocated;
      result.unlocated_names.emplace_back(line.name);
      continue;
    }
    if (locations[k]->from_line_table) ++result.stats.from_line_table;
    candidates.push_back({line.name, {}, line.value, std::move(*locations[k])});
    candidate_line.push_back(eligible[k]);
  }
  std::vector<std::string> aliases = assign_aliases(candidates, request.alias);

  std::vector<const std::string*> alias_of_line(lines->size(), nullptr);
  for (size_t c = 0; c < candidates.size(); ++c) {
    alias_of_line[candidate_line[c]] = &aliases[c];
    const AliasCandidate& cand = candidates[c];
    std::string short_form = std::string(cand.name) + request.alias.separator + decorate_path(cand.location.file) +
                             "_" + std::to_string(cand.location.line);
    if (aliases[c] != short_form) ++result.stats.disambiguated;
  }
  result.stats.aliases = candidates.size();

  std::string& out = result.text;
  out.reserve(data->size() + candidates.size() * 80);
  for (size_t i = 0; i < lines->size(); ++i) {
    const NmLine& line = (*lines)[i];
    out += line.text;
    out += '\n';
    if (const std::string* alias = alias_of_line[i]) {
      out += line.address;
      out += ' ';
      out += line.type;
      out += ' ';
      out += *alias;
      out += '\n';
    }
  }
  return result;
}

}  // namespace kas
