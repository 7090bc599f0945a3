#include "core/index/census_sources.hpp"

#include "core/index/module_list.hpp"

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

Result<void> check_census_sources(const CensusSources& sources) {
  if (!sources.census_path.empty() && (!sources.modules_orders.empty() || !sources.module_dirs.empty())) {
    return fail(ErrorCode::kInvalidArgument,
                "--census gives the complete census; do not combine it with --modules-order or --modules");
  }
  return {};
}

std::string sources_key(const CensusSources& s, bool lto) {
  std::string key = lto ? "lto\n" : "\n";
  key += "nm=" + s.nm_path + "\ncensus=" + s.census_path + "\n";
  for (const std::string& o : s.modules_orders) key += "order=" + o + "\n";
  for (const std::string& d : s.module_dirs) key += "dir=" + d + "\n";
  return key;
}

}  // namespace kas
