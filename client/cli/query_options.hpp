// What kas lookup, resolve and decode take: which kernel to ask about (a
// build tree, an installed kernel, the running kernel, or a vmlinux), the
// alias options, the output form and the routing.
#pragma once

#include <string>
#include <vector>

#include "client/cli/command.hpp"
#include "client/render/query_output.hpp"
#include "client/link/routing.hpp"
#include "service/vocabulary.hpp"

namespace kas::cli {

struct QueryOptions {
  std::string tree;
  std::string vmlinux;
  std::vector<std::string> modules_orders;
  std::vector<std::string> module_dirs;
  std::string kernel;
  std::string debug_root;
  bool live = false;
  std::string sysfs_root;  // where --live reads the running kernel's build-ids
  std::string srctree;
  AliasOptions alias;
  bool json = false;
  std::string color;
  unsigned jobs = 0;
  Routing routing;
};

// The options' table, for the query commands' descriptions. It holds the
// hidden --sysfs-root DIR (default /sys): tests give a recorded one.
[[nodiscard]] std::vector<OptionSpec> query_options();
[[nodiscard]] QueryOptions query_options_of(const Invocation& args);

// The kernel the options name (default: the build tree in the working
// directory). Errors: conflicting or incomplete options, the kernel's files
// not found (kNotFound).
[[nodiscard]] Result<QueryTarget> target_of(const QueryOptions& o);

// How tables are coloured: --color, never with --json.
[[nodiscard]] Style style_of(const QueryOptions& o);

}  // namespace kas::cli
