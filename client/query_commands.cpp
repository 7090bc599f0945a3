// kas lookup / resolve / decode: the interactive questions. Each names a
// target (a build tree, an installed kernel, the running kernel), asks the
// daemon (one round trip per command: a whole trace is one request), and
// prints a table or JSON.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "client/command_support.hpp"
#include "client/debuginfo_fetch.hpp"
#include "client/progress_display.hpp"
#include "client/query_output.hpp"
#include "client/remote.hpp"
#include "core/query/frame_spec.hpp"
#include "core/query/live_kernel.hpp"
#include "core/query/symbol_index.hpp"
#include "core/util/file.hpp"
#include "core/util/parallel.hpp"

namespace kas::cli {

namespace {

bool readable(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

// What every query command takes.
struct QueryOptions {
  std::string tree;
  std::string vmlinux;
  std::vector<std::string> modules_orders;
  std::vector<std::string> module_dirs;
  std::string kernel;
  std::string debug_root;
  bool live = false;
  std::string srctree;
  AliasOptions alias;
  bool json = false;
  std::string color = "auto";
  unsigned jobs = default_jobs();
  Routing routing;
};

void add_query_options(std::vector<OptionSpec>& specs, QueryOptions& o) {
  specs.push_back({"tree", 0, "DIR", "a kbuild object tree: DIR/vmlinux and DIR/modules.order (default: . when "
                                     "./vmlinux exists)",
                   [&](const std::string& v) { o.tree = v; return true; }});
  specs.push_back({"kernel", 0, "RELEASE", "an installed kernel's debug files: /usr/lib/debug/boot/vmlinux-RELEASE "
                                           "and /usr/lib/debug/lib/modules/RELEASE (Debian linux-image-RELEASE-dbg)",
                   [&](const std::string& v) { o.kernel = v; return true; }});
  specs.push_back({"live", 0, nullptr, "the running kernel: --kernel $(uname -r), addresses read as runtime "
                                       "addresses through /proc/kallsyms (KASLR, module load addresses)",
                   [&](const std::string&) { o.live = true; return true; }});
  specs.push_back({"debug-root", 0, "DIR", "with --kernel/--live: look below DIR instead of / (an unpacked -dbg "
                                           "package)",
                   [&](const std::string& v) { o.debug_root = v; return true; }});
  specs.push_back({"vmlinux", 0, "FILE", "vmlinux with DWARF, for a layout that is none of the above",
                   [&](const std::string& v) { o.vmlinux = v; return true; }});
  specs.push_back({"modules-order", 0, "FILE", "with --vmlinux: the modules a modules.order lists (repeatable)",
                   [&](const std::string& v) { o.modules_orders.push_back(v); return true; }});
  specs.push_back({"modules", 0, "DIR", "with --vmlinux: every *.ko below DIR (repeatable)",
                   [&](const std::string& v) { o.module_dirs.push_back(v); return true; }});
  specs.push_back({"srctree", 0, "DIR", "kernel source tree (default: inferred from DWARF)",
                   [&](const std::string& v) { o.srctree = v; return true; }});
  add_alias_options(specs, o.alias);
  specs.push_back({"json", 0, nullptr, "print JSON (schema: doc/json-output.md)",
                   [&](const std::string&) { o.json = true; return true; }});
  specs.push_back({"color", 0, "WHEN", "colour the table: auto (on a terminal), always, never",
                   [&](const std::string& v) {
                     bool ignored = false;
                     o.color = v;
                     return parse_color(v, 1, ignored);
                   }});
  specs.push_back(jobs_option(o.jobs));
  add_routing_options(specs, o.routing);
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
      const char* sysfs = std::getenv("KAS_SYSFS");  // tests: a recorded /sys
      target = fetched_running_kernel(sysfs != nullptr ? sysfs : "/sys");
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

// The in-process index, built once per command and reused by its
// questions; a bar on a terminal while modules are read.
class LocalIndex {
 public:
  explicit LocalIndex(const QueryOptions& options) : options_(options) {}
  Result<std::shared_ptr<const SymbolIndex>> get(const QueryTarget& target) {
    if (index_) return index_;
    const bool tty = ::isatty(2) == 1;
    std::mutex mutex;
    ProgressLine line;
    auto progress = [&](std::string_view stage, size_t done, size_t total) {
      if (!tty) return;
      std::lock_guard lock(mutex);
      line.show(progress_bar(stage, done, total));
    };
    auto built = SymbolIndex::build(target, options_.jobs, progress);
    if (!built) return std::unexpected(built.error());
    index_ = *built;
    return index_;
  }

 private:
  const QueryOptions& options_;
  std::shared_ptr<const SymbolIndex> index_;
};

Result<std::vector<LookupAnswer>> ask_lookup(const QueryOptions& o, LocalIndex& local, const QueryTarget& target,
                                             const std::vector<std::string>& patterns, size_t limit) {
  return routed(
      o.routing,
      [&] {
        WaitIndicator wait([&] { return remote_progress(o.routing.daemon, target); });
        return remote_lookup(o.routing.daemon, target, patterns, limit);
      },
      [&]() -> Result<std::vector<LookupAnswer>> {
        auto index = local.get(target);
        if (!index) return std::unexpected(index.error());
        std::vector<LookupAnswer> answers;
        for (const std::string& p : patterns) answers.push_back((*index)->lookup(p, limit));
        return answers;
      });
}

Result<std::vector<ResolveAnswer>> ask_resolve(const QueryOptions& o, LocalIndex& local, const QueryTarget& target,
                                               const std::vector<FrameQuery>& queries) {
  return routed(
      o.routing,
      [&] {
        WaitIndicator wait([&] { return remote_progress(o.routing.daemon, target); });
        return remote_resolve(o.routing.daemon, target, queries);
      },
      [&]() -> Result<std::vector<ResolveAnswer>> {
        auto index = local.get(target);
        if (!index) return std::unexpected(index.error());
        return (*index)->resolve(queries);
      });
}

// --live: runtime addresses become link addresses or MODULE:SYMBOL+OFF.
Result<void> translate_live(const QueryOptions& o, LocalIndex& local, const QueryTarget& target,
                            std::vector<FrameQuery>& queries) {
  bool any = false;
  for (const FrameQuery& q : queries) any = any || q.by_address;
  if (!any) return {};
  auto live = LiveKernel::read();
  if (!live) return std::unexpected(live.error());
  auto runtime_text = live->vmlinux_address("_text");
  if (!runtime_text) return fail(ErrorCode::kBadInput, "/proc/kallsyms: no _text symbol");
  auto link = ask_lookup(o, local, target, {"_text"}, 1);
  if (!link) return std::unexpected(link.error());
  if (link->empty() || link->front().definitions.empty() || link->front().definitions.front().binary != "vmlinux") {
    return fail(ErrorCode::kBadInput, target.vmlinux + ": no _text symbol");
  }
  auto offset = static_cast<int64_t>(*runtime_text - link->front().definitions.front().address);
  for (FrameQuery& q : queries) {
    if (!q.by_address) continue;
    std::string text = q.text;
    auto translated = live->translate(q.address, offset);
    if (!translated) return std::unexpected(translated.error());
    q = *translated;
    q.text = text;
  }
  return {};
}

// --live when the running kernel's debug info is nowhere: /proc/kallsyms
// alone still names every symbol, its binary and runtime address (and the
// alias, in a kernel built with kas). Says so on stderr; nullopt (after
// reporting why) when even that cannot be read.
std::optional<LiveKernel> kallsyms_only(const QueryOptions& o, const Error& missing, std::string& note) {
  if (!o.live || missing.code != ErrorCode::kNotFound) return std::nullopt;
  auto live = LiveKernel::read();
  if (!live) {
    (void)report(live.error());
    return std::nullopt;
  }
  std::fprintf(stderr, "kas: %s\nkas: answering from /proc/kallsyms alone: no sizes, files, lines or inline calls\n",
               missing.message.c_str());
  note = "no debug info for the running kernel; from /proc/kallsyms";
  return std::move(*live);
}

// The answers to `queries` about the options' kernel: from its index
// (through kasd or in-process), or from /proc/kallsyms alone for --live
// without debug info. --live addresses are translated first.
Result<std::vector<ResolveAnswer>> resolve_all(const QueryOptions& o, std::vector<FrameQuery> queries) {
  auto target = target_of(o);
  if (!target) {
    std::string note;
    auto live = kallsyms_only(o, target.error(), note);
    if (!live) return std::unexpected(target.error());
    std::vector<ResolveAnswer> answers;
    for (const FrameQuery& q : queries) answers.push_back(live->resolve(q, note));
    return answers;
  }
  LocalIndex local(o);
  if (o.live) {
    if (auto r = translate_live(o, local, *target, queries); !r) return std::unexpected(r.error());
  }
  return ask_resolve(o, local, *target, queries);
}

bool parse_query_args(const char* command, int argc, char** argv, std::vector<OptionSpec>& specs,
                      QueryOptions& options, ParsedArgs& args, Style& style) {
  if (!parse_options(command, argc, argv, 2, specs, args)) return false;
  bool color = false;
  (void)parse_color(options.color, 1, color);
  style.color = color && !options.json;
  return true;
}

// The whole of `in` (kas decode's stdin).
std::string read_all(std::istream& in) {
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) data.append(buf, static_cast<size_t>(in.gcount()));
  return data;
}

}  // namespace

int run_lookup(int argc, char** argv) {
  QueryOptions options;
  unsigned limit = 0;
  bool all = false;
  std::vector<OptionSpec> specs;
  add_query_options(specs, options);
  specs.push_back({"limit", 0, "N", "show at most N definitions per pattern (default 200)",
                   [&](const std::string& v) { return parse_unsigned(v, limit); }});
  specs.push_back({"all", 0, nullptr, "show every match, however many",
                   [&](const std::string&) { all = true; return true; }});
  ParsedArgs args;
  Style style;
  if (!parse_query_args("lookup", argc, argv, specs, options, args, style)) return kExitUsage;
  if (args.help) {
    std::printf(
        "usage: kas lookup PATTERN... [--tree DIR | --kernel RELEASE | --live] [--json]\n\n"
        "Every definition of a symbol name, an fnmatch(3) glob of names, or of aliases\n"
        "(a pattern containing the separator '@' matches aliases): binary (vmlinux or\n"
        "module), nm type, address (vmlinux) or section+offset (modules), size, where it\n"
        "is defined (file:line, and the compilation unit when that differs) and the\n"
        "alias the build gives it ('unique' when its name needs none). Exits 1 when no\n"
        "pattern matches anything (as grep does).\n\n%s\n"
        "examples:\n"
        "  kas lookup name_show                         # in a build tree\n"
        "  kas lookup 'name_show*' --kernel 6.1.0-56-amd64\n"
        "  kas lookup '*@drivers_uio*' --json\n"
        "  kas lookup name_show --live                  # the running kernel\n",
        format_options(specs).c_str());
    return kExitOk;
  }
  if (args.positional.empty()) {
    std::fprintf(stderr, "kas lookup: expected a PATTERN (see 'kas lookup --help')\n");
    return kExitUsage;
  }
  const size_t shown = all ? 0 : (limit == 0 ? 200 : limit);
  auto target = target_of(options);
  Result<std::vector<LookupAnswer>> answers = fail(ErrorCode::kInternal, "not asked");
  if (!target) {
    std::string note;
    auto live = kallsyms_only(options, target.error(), note);
    if (!live) return report(target.error());
    std::vector<LookupAnswer> from_kallsyms;
    for (const std::string& p : args.positional) from_kallsyms.push_back(live->lookup(p, shown, note));
    answers = std::move(from_kallsyms);
  } else {
    LocalIndex local(options);
    answers = ask_lookup(options, local, *target, args.positional, shown);
  }
  if (!answers) return report(answers.error());
  std::string out = options.json ? lookup_json(args.positional, *answers) : lookup_table(args.positional, *answers, style);
  if (auto r = write_stdout(out); !r) return report(r.error());
  bool found = false;
  for (const LookupAnswer& a : *answers) found = found || a.total > 0;
  return found ? kExitOk : kExitFailure;
}

int run_resolve(int argc, char** argv) {
  QueryOptions options;
  std::vector<OptionSpec> specs;
  add_query_options(specs, options);
  ParsedArgs args;
  Style style;
  if (!parse_query_args("resolve", argc, argv, specs, options, args, style)) return kExitUsage;
  if (args.help) {
    std::printf(
        "usage: kas resolve LOCATION... [--tree DIR | --kernel RELEASE | --live] [--json]\n\n"
        "The function, file:line and chain of inlined calls at a code location:\n"
        "  ADDR                      a vmlinux address (a runtime address with --live)\n"
        "  SYMBOL[+OFF][/SIZE]       as oops frames write it; SYMBOL may be an alias\n"
        "  MODULE:SYMBOL+OFF         a symbol of one module ('vmlinux:' for vmlinux)\n"
        "  'SYMBOL+OFF/SIZE [MODULE]'  the oops form of a module frame\n"
        "A duplicated name is narrowed by the module and by /SIZE; when several\n"
        "definitions still fit, every candidate is listed, never just the first.\n"
        "Exits 1 when a location matches nothing.\n\n%s\n"
        "examples:\n"
        "  kas resolve name_show+0x1a/0x40 'uio:name_show+0x10'\n"
        "  kas resolve ffffffff81234567 --kernel 6.1.0-56-amd64\n"
        "  kas resolve name_show@drivers_uio_uio_c_215+0x8 --json\n",
        format_options(specs).c_str());
    return kExitOk;
  }
  if (args.positional.empty()) {
    std::fprintf(stderr, "kas resolve: expected a LOCATION (see 'kas resolve --help')\n");
    return kExitUsage;
  }
  std::vector<FrameQuery> queries;
  for (const std::string& text : args.positional) {
    auto q = parse_frame_spec(text);
    if (!q) {
      std::fprintf(stderr, "kas resolve: %s\n", q.error().message.c_str());
      return kExitUsage;
    }
    queries.push_back(std::move(*q));
  }
  auto answers = resolve_all(options, std::move(queries));
  if (!answers) return report(answers.error());
  std::string out = options.json ? resolve_json(*answers) : resolve_text(*answers, style);
  if (auto r = write_stdout(out); !r) return report(r.error());
  for (const ResolveAnswer& a : *answers) {
    if (!a.error.empty()) return kExitFailure;
  }
  return kExitOk;
}

int run_decode(int argc, char** argv) {
  QueryOptions options;
  std::vector<OptionSpec> specs;
  add_query_options(specs, options);
  ParsedArgs args;
  Style style;
  if (!parse_query_args("decode", argc, argv, specs, options, args, style)) return kExitUsage;
  if (args.help) {
    std::printf(
        "usage: kas decode [--tree DIR | --kernel RELEASE | --live] [--json] < LOG\n\n"
        "Reads a kernel log or oops on stdin and prints it back with every stack frame\n"
        "(func+0x1a/0x40 [module]) followed by its file:line, the alias of a duplicated\n"
        "name, and one line per inlined call. Like scripts/decode_stacktrace.sh, but a\n"
        "duplicated name resolves to the definition in the frame's module with the\n"
        "frame's size, or lists every candidate; call-trace frames are return\n"
        "addresses, so their line is the call's (looked up at OFF-1, as the kernel's\n"
        "%%pB picks the symbol), the RIP/pc frame's is the faulting instruction's; and\n"
        "the whole trace is one question to kasd.\n\n%s\n"
        "examples:\n"
        "  dmesg | kas decode --live\n"
        "  kas decode --tree ~/linux/build < oops.txt\n"
        "  journalctl -k -b -1 | kas decode --kernel 6.1.0-56-amd64\n",
        format_options(specs).c_str());
    return kExitOk;
  }
  if (!args.positional.empty()) {
    std::fprintf(stderr, "kas decode: reads the log on stdin; unexpected argument '%s'\n", args.positional[0].c_str());
    return kExitUsage;
  }
  const std::string log = read_all(std::cin);
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < log.size();) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    lines.push_back(std::string_view(log).substr(start, end - start));
    start = end + 1;
  }
  std::vector<std::optional<LogFrame>> frames;
  std::vector<FrameQuery> queries;
  for (std::string_view line : lines) {
    frames.push_back(find_log_frame(line));
    if (frames.back()) queries.push_back(frames.back()->query);
  }
  std::vector<ResolveAnswer> answers;
  if (!queries.empty()) {
    auto asked = resolve_all(options, queries);
    if (!asked) return report(asked.error());
    answers = std::move(*asked);
  }
  if (options.json) {
    if (auto r = write_stdout(resolve_json(answers)); !r) return report(r.error());
    return kExitOk;
  }
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (frames[i] && next < answers.size()) {
      out += decode_line(lines[i], *frames[i], answers[next++], style);
    } else {
      out.append(lines[i]);
      out += '\n';
    }
  }
  if (auto r = write_stdout(out); !r) return report(r.error());
  return kExitOk;
}

}  // namespace kas::cli
