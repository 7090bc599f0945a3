#include "core/query/query_target.hpp"

#include "core/util/file.hpp"
#include "core/util/path.hpp"

namespace kas {

Result<QueryTarget> build_tree_target(const std::string& objtree) {
  QueryTarget target;
  target.vmlinux = path::join(objtree, "vmlinux");
  if (!is_regular_file(target.vmlinux)) {
    return fail(ErrorCode::kNotFound, target.vmlinux + ": no vmlinux in this build tree (build it, or give --kernel)");
  }
  std::string order = path::join(objtree, "modules.order");
  if (is_regular_file(order)) target.modules_orders.push_back(order);
  return target;
}

Result<QueryTarget> installed_kernel_target(const std::string& release, const std::string& root) {
  const std::string base = root.empty() ? std::string("/") : root;
  QueryTarget target;
  target.vmlinux = path::join(base, "usr/lib/debug/boot/vmlinux-" + release);
  if (!is_regular_file(target.vmlinux)) {
    return fail(ErrorCode::kNotFound, target.vmlinux + ": no debug vmlinux for kernel '" + release +
                                          "' (Debian: apt-get install linux-image-" + release +
                                          "-dbg; or set DEBUGINFOD_URLS to fetch it by build-id)");
  }
  std::string modules = path::join(base, "usr/lib/debug/lib/modules/" + release);
  if (is_directory(modules)) target.module_dirs.push_back(modules);
  return target;
}

CensusSources census_sources_of(const QueryTarget& target) {
  CensusSources sources;
  sources.nm_path = target.vmlinux;
  sources.modules_orders = target.modules_orders;
  sources.module_dirs = target.module_dirs;
  return sources;
}

std::string target_key(const QueryTarget& t) {
  std::string key = "vmlinux=" + t.vmlinux + "\nsrctree=" + t.srctree + "\nsep=" + t.alias.separator +
                    (t.alias.data ? "\ndata" : "\n") + (t.alias.lto ? "\nlto\n" : "\n");
  for (const std::string& o : t.modules_orders) key += "order=" + o + "\n";
  for (const std::string& d : t.module_dirs) key += "dir=" + d + "\n";
  return key;
}

}  // namespace kas
