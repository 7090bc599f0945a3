#include "daemon/tree_cache.hpp"

namespace kas::daemon {

std::string TreeCache::key_of(const CensusSources& s, bool lto) {
  std::string key = lto ? "lto\n" : "\n";
  key += "nm=" + s.nm_path + "\ncensus=" + s.census_path + "\n";
  for (const std::string& o : s.modules_orders) key += "order=" + o + "\n";
  for (const std::string& d : s.module_dirs) key += "dir=" + d + "\n";
  return key;
}

Result<std::shared_ptr<const CensusIndex>> TreeCache::get(const CensusSources& sources, bool lto,
                                                          const std::string& module_path) {
  const std::string key = key_of(sources, lto);
  bool fresh = false;
  auto index = cache_.get_or_build(key, [&] { return CensusIndex::build(sources, jobs_, lto); }, &fresh);
  if (!index || fresh) return index;
  // Refresh: a changed input means a new tree; a changed module, one file.
  std::shared_ptr<const CensusIndex> current = *index;
  Result<std::shared_ptr<const CensusIndex>> next = current;
  if (current->sources_changed()) {
    next = CensusIndex::build(sources, jobs_, lto);
  } else if (!module_path.empty() && current->module_changed(module_path)) {
    next = current->with_module_reread(module_path);
  } else {
    return current;
  }
  if (!next) return next;
  cache_.put(key, *next);
  return next;
}

}  // namespace kas::daemon
