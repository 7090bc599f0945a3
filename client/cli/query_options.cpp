#include "client/cli/query_options.hpp"

#include <unistd.h>

#include <cstdlib>

#include "client/cli/common_options.hpp"
#include "client/fetch/debuginfo_fetch.hpp"
#include "service/vocabulary.hpp"

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
                 "/usr/lib/debug/lib/modules/RELEASE (Debian linux-image-RELEASE-dbg); or the path of such a "
                 "vmlinux-RELEASE, the modules taken from beside it",
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
         .help = "with --vmlinux: every *.ko (or .ko.xz, .ko.zst, .ko.gz) below DIR (repeatable)",
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
  Result<KernelFiles> kernel = fail(ErrorCode::kInternal, "no target");
  if (!o.vmlinux.empty()) {
    KernelFiles files;
    files.vmlinux = o.vmlinux;
    files.modules_orders = o.modules_orders;
    files.module_dirs = o.module_dirs;
    if (!readable(files.vmlinux)) return fail(ErrorCode::kNotFound, files.vmlinux + ": no such file");
    kernel = files;
  } else if (o.live) {
    kernel = find_kernel_files({.kind = KernelName::Kind::kRunning, .root = o.debug_root}, KernelNeeds::kDebugInfo);
    const char* urls = std::getenv("DEBUGINFOD_URLS");
    if (!kernel && urls != nullptr && *urls != '\0') {
      // Not installed: by build-id from the debuginfod servers.
      kernel = fetched_running_kernel(o.sysfs_root);
    }
    if (!kernel) {
      kernel = fail(kernel.error().code, "the running kernel " + running_release() + ": " + kernel.error().message);
    }
  } else if (!o.kernel.empty()) {
    kernel = find_kernel_files({.kind = KernelName::Kind::kInstalled, .where = o.kernel, .root = o.debug_root},
                               KernelNeeds::kDebugInfo);
  } else if (!o.tree.empty()) {
    kernel = find_kernel_files({.kind = KernelName::Kind::kBuildTree, .where = o.tree}, KernelNeeds::kDebugInfo);
  } else {
    kernel = find_kernel_files({.kind = KernelName::Kind::kBuildTree, .where = "."}, KernelNeeds::kDebugInfo);
    if (!kernel) {
      return fail(ErrorCode::kInvalidArgument,
                  "no kernel to ask about: run in a build tree, or give --tree DIR, --kernel RELEASE or --live");
    }
  }
  if (!kernel) return std::unexpected(kernel.error());
  return QueryTarget{std::move(*kernel), o.srctree, o.alias};
}

Style style_of(const QueryOptions& o) {
  bool color = false;
  (void)parse_color(o.color, 1, color);
  Style style;
  style.color = color && !o.json;
  return style;
}

}  // namespace kas::cli
