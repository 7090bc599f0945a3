#include "core/query/query_target.hpp"

namespace kas {

std::string target_key(const QueryTarget& t) {
  std::string key = "vmlinux=" + t.kernel.vmlinux + "\nsrctree=" + t.srctree + "\nsep=" + t.alias.separator +
                    (t.alias.data ? "\ndata" : "\n") + "\nlto=" + std::string(lto_spelling(t.alias.lto)) + "\n";
  for (const std::string& o : t.kernel.modules_orders) key += "order=" + o + "\n";
  for (const std::string& d : t.kernel.module_dirs) key += "dir=" + d + "\n";
  return key;
}

}  // namespace kas
