#include "core/index/kernel_files.hpp"

#include <sys/stat.h>

#include <set>
#include <utility>

#include "core/index/module_list.hpp"

namespace kas {

Result<std::vector<std::string>> collect_module_files(const KernelFiles& files) {
  std::vector<std::string> out;
  for (const std::string& order : files.modules_orders) {
    auto listed = read_modules_order(order);
    if (!listed) return std::unexpected(listed.error());
    out.insert(out.end(), std::make_move_iterator(listed->begin()), std::make_move_iterator(listed->end()));
  }
  for (const std::string& dir : files.module_dirs) {
    auto found = find_modules(dir);
    if (!found) return std::unexpected(found.error());
    out.insert(out.end(), std::make_move_iterator(found->begin()), std::make_move_iterator(found->end()));
  }
  // One file counts once, however often and however spelled it is given
  // (--modules D --modules D/., two modules.order listing it): the census
  // would count its names twice. A file that cannot be stat'ed is kept, for
  // its reader to report.
  std::set<std::pair<dev_t, ino_t>> seen;
  std::vector<std::string> unique;
  unique.reserve(out.size());
  for (std::string& path : out) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !seen.emplace(st.st_dev, st.st_ino).second) continue;
    unique.push_back(std::move(path));
  }
  return unique;
}

Result<void> check_census_sources(const KernelFiles& files) {
  if (!files.census_path.empty() && (!files.modules_orders.empty() || !files.module_dirs.empty())) {
    return fail(ErrorCode::kInvalidArgument,
                "--census gives the complete census; do not combine it with --modules-order or --modules");
  }
  return {};
}

std::string sources_key(const KernelFiles& f, Lto lto) {
  std::string key = "lto=" + std::string(lto_spelling(lto)) + "\n";
  key += "nm=" + f.vmlinux + "\ncensus=" + f.census_path + "\n";
  for (const std::string& o : f.modules_orders) key += "order=" + o + "\n";
  for (const std::string& d : f.module_dirs) key += "dir=" + d + "\n";
  return key;
}

}  // namespace kas
