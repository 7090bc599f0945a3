#include "client/query_options.hpp"

#include <unistd.h>

#include <cstdlib>

#include "client/common_options.hpp"
#include "client/debuginfo_fetch.hpp"
#include "core/query/live_kernel.hpp"

namespace kas::cli {

namespace {

bool readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

bool is_color_word(const std::string& value) {
  bool ignored = false;
  return parse_color(value, 1, ignored);
}

}  // namespace

std::vector<OptionSpec> query_options() {
  return option_list(
      {{{.long_name = "tree",
         .arg_name = "DIR",
         .help = "a kbuild object tree: DIR/vmlinux and DIR/modules.order (default: . when ./vmlinux exists)",
         .complete = Completion::kDirectories},
        {.long_name = "kernel",
         .arg_name = "RELEASE",
         .help = "an installed kernel's debug files: /usr/lib/debug/boot/vmlinux-RELEASE and "
                 "/usr/lib/debug/lib/modules/RELEASE (Debian linux-image-RELEASE-dbg)",
         .complete = Completion::kReleases},
        {.long_name = "live",
         .help = "the running kernel: --kernel $(uname -r), addresses read as runtime addresses through "
                 "/proc/kallsyms (KASLR, module load addresses)"},
        {.long_name = "debug-root",
         .arg_name = "DIR",
         .help = "with --kernel/--live: look below DIR instead of / (an unpacked -dbg package)",
         .complete = Completion::kDirectories},
        {.long_name = "sysfs-root", .arg_name = "DIR", .hidden = true},
        {.long_name = "vmlinux",
         .arg_name = "FILE",
         .help = "vmlinux with DWARF, for a layout that is none of the above",
         .complete = Completion::kFiles},
        {.long_name = "modules-order",
         .arg_name = "FILE",
         .help = "with --vmlinux: the modules a modules.order lists (repeatable)",
         .complete = Completion::kFiles},
        {.long_name = "modules",
         .arg_name = "DIR",
         .help = "with --vmlinux: every *.ko below DIR (repeatable)",
         .complete = Completion::kDirectories},
        srctree_option()},
       alias_options(),
       {{.long_name = "json", .help = "print JSON (schema: doc/json-output.md)"},
        {.long_name = "color",
         .arg_name = "WHEN",
         .help = "colour the table: auto (on a terminal), always, never",
         .check = is_color_word,
         .complete = Completion::kWords, .words = "auto always never"},
        jobs_option()},
       routing_options()});
}

QueryOptions query_options_of(const Invocation& args) {
  QueryOptions o;
  o.tree = args.value("tree");
  o.vmlinux = args.value("vmlinux");
  o.modules_orders = args.values("modules-order");
  o.module_dirs = args.values("modules");
  o.kernel = args.value("kernel");
  o.debug_root = args.value("debug-root");
  o.live = args.flag("live");
  o.sysfs_root = args.value("sysfs-root", "/sys");
  o.srctree = args.value("srctree");
  o.alias = alias_of(args);
  o.json = args.flag("json");
  o.color = args.value("color", "auto");
  o.jobs = jobs_of(args);
  o.routing = routing_of(args);
  return o;
}

Result<QueryTarget> target_of(const QueryOptions& o) {
  int given = (o.tree.empty() ? 0 : 1) + (o.kernel.empty() ? 0 : 1) + (o.live ? 1 : 0) + (o.vmlinux.empty() ? 0 : 1);
  if (given > 1) return fail(ErrorCode::kInvalidArgument, "give one of --tree, --kernel, --live, --vmlinux");
  if (!o.debug_root.empty() && o.kernel.empty() && !o.live) {
    return fail(ErrorCode::kInvalidArgument, "--debug-root goes with --kernel or --live");
  }
  if ((!o.modules_orders.empty() || !o.module_dirs.empty()) && o.vmlinux.empty()) {
    return fail(ErrorCode::kInvalidArgument, "--modules-order and --modules go with --vmlinux");
  }
  Result<QueryTarget> target = fail(ErrorCode::kInternal, "no target");
  if (!o.vmlinux.empty()) {
    QueryTarget t;
    t.vmlinux = o.vmlinux;
    t.modules_orders = o.modules_orders;
    t.module_dirs = o.module_dirs;
    if (!readable(t.vmlinux)) return fail(ErrorCode::kNotFound, t.vmlinux + ": no such file");
    target = t;
  } else if (!o.kernel.empty() || o.live) {
    std::string release = o.live ? running_release() : o.kernel;
    target = installed_kernel_target(release, o.debug_root);
    const char* urls = std::getenv("DEBUGINFOD_URLS");
    if (!target && o.live && urls != nullptr && *urls != '\0') {
      // Not installed: by build-id from the debuginfod servers.
      target = fetched_running_kernel(o.sysfs_root);
    }
    if (!target && o.live) {
      target = fail(target.error().code, "the running kernel " + release + ": " + target.error().message);
    }
  } else if (!o.tree.empty()) {
    target = build_tree_target(o.tree);
  } else {
    target = build_tree_target(".");
    if (!target) {
      return fail(ErrorCode::kInvalidArgument,
                  "no kernel to ask about: run in a build tree, or give --tree DIR, --kernel RELEASE or --live");
    }
  }
  if (!target) return target;
  target->srctree = o.srctree;
  target->alias = o.alias;
  return target;
}

Style style_of(const QueryOptions& o) {
  bool color = false;
  (void)parse_color(o.color, 1, color);
  Style style;
  style.color = color && !o.json;
  return style;
}

}  // namespace kas::cli
