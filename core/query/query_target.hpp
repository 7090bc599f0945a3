// What `kas lookup / resolve / decode` ask about: one kernel's vmlinux and
// modules, with their debug info. Three ways to name it — a build tree, an
// installed kernel whose distribution debug package is on disk, the running
// kernel (the installed one of `uname -r`) — all end up as these paths.
#pragma once

#include <string>
#include <vector>

#include "core/alias/policy.hpp"
#include "core/index/census_sources.hpp"
#include "core/util/result.hpp"

namespace kas {

struct QueryTarget {
  std::string vmlinux;                      // ELF with DWARF (the census reads its symbols too)
  std::vector<std::string> modules_orders;  // kbuild modules.order files
  std::vector<std::string> module_dirs;     // directories searched for *.ko
  std::string srctree;                      // "" = infer from DWARF
  AliasOptions alias;
};

// A kbuild object tree: DIR/vmlinux and, when present, DIR/modules.order.
// Error kNotFound naming DIR/vmlinux.
[[nodiscard]] Result<QueryTarget> build_tree_target(const std::string& objtree);

// An installed kernel `release` with its debug files below `root` ("" or
// "/": the system): ROOT/usr/lib/debug/boot/vmlinux-R and the modules of
// ROOT/usr/lib/debug/lib/modules/R (Debian's linux-image-R-dbg layout).
// Error kNotFound saying which package would provide them.
[[nodiscard]] Result<QueryTarget> installed_kernel_target(const std::string& release, const std::string& root);

// The census sources of a target (its vmlinux read as its nm listing).
[[nodiscard]] CensusSources census_sources_of(const QueryTarget& target);

// A key identifying the target (the daemon caches one index per key).
[[nodiscard]] std::string target_key(const QueryTarget& target);

}  // namespace kas
