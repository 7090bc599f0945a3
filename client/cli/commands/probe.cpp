// kas probe: probe locations a kernel accepts for aliases, including a
// kernel built without the kbuild series (a distribution's), from its debug
// files; printed for kprobe_events, bpftrace or perf, or written to tracefs.
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "client/cli/commands/commands.hpp"
#include "client/cli/common_options.hpp"
#include "client/render/probe_format.hpp"
#include "client/render/probe_output.hpp"
#include "client/cli/query_ask.hpp"
#include "client/tracefs/tracefs.hpp"
#include "client/tracefs/tracefs_names.hpp"
#include "service/vocabulary.hpp"
#include "core/util/file.hpp"
#include "core/util/text.hpp"

namespace kas::cli {

namespace {

constexpr const char* kProcKallsyms = "/proc/kallsyms";

bool is_format(const std::string& value) { return parse_probe_format(value).has_value(); }

// --event goes into the kprobe_events command as it is: refused here when
// tracefs would not take it, before anything is read or written.
bool is_event_name(const std::string& value) { return check_event_name(value).has_value(); }
std::string event_name_problem(const std::string& value) {
  auto r = check_event_name(value);
  return r ? std::string() : r.error().message;
}

// The kallsyms to read the running kernel from: --kallsyms FILE, else
// /proc/kallsyms with --live; "" without either.
std::string kallsyms_of(const Invocation& args, const QueryOptions& options) {
  if (!args.value("kallsyms").empty()) return args.value("kallsyms");
  return options.live ? kProcKallsyms : "";
}

// --address: the location as the running kernel's address of its symbol
// plus offset (kallsyms names it once in its binary).
void to_runtime_address(const LiveKernel& live, ProbeOutcome& o) {
  const LocationParts parts = split_location(o.answer.location);
  const uint64_t offset = parts.offset.empty() ? 0 : std::stoull(parts.offset.substr(1), nullptr, 16);
  const std::string& module = parts.module;
  auto base = live.unique_address(module, parts.name);
  if (!base) {
    o.error = "the running kernel's kallsyms lists '" + parts.name + "'" + (module.empty() ? "" : " in " + module) +
              " not exactly once" + (module.empty() ? "" : " (is the module loaded?)");
    return;
  }
  o.address = text::hex(*base + offset);
  o.answer.location = o.address;
}

// --address for a function with no uniquely named symbol before it: the
// runtime address of the first one after it, less the distance.
void to_runtime_address_before(const LiveKernel& live, ProbeOutcome& o) {
  const std::string module = o.answer.symbol.binary == "vmlinux" ? "" : o.answer.symbol.binary;
  auto base = live.unique_address(module, o.answer.anchor);
  if (!base) {
    o.error += "; the running kernel's kallsyms lists '" + o.answer.anchor + "' not exactly once" +
               (module.empty() ? "" : " (is " + module + " loaded?)");
    return;
  }
  o.address = text::hex(*base - o.answer.anchor_offset);
  o.answer.location = o.address;
  o.answer.how = "anchor";
  o.answer.error.clear();
  o.error.clear();
}

void report_failures(const std::vector<ProbeOutcome>& outcomes) {
  for (const ProbeOutcome& o : outcomes) {
    // Read with vmlinux alone: unique there, unknown over the modules.
    if (o.error.empty() && o.answer.how.ends_with("-in-vmlinux")) {
      const std::string name = o.answer.how == "anchor-in-vmlinux" ? o.answer.anchor : o.answer.symbol.name;
      std::fprintf(stderr,
                   "kas probe: %s: '%s' is unique in vmlinux, but kas read no modules: the kernel refuses the probe "
                   "if a loaded module defines '%s' too (add --modules DIR or --modules-order FILE, or use "
                   "--kernel RELEASE)\n",
                   o.answer.query.text.c_str(), name.c_str(), name.c_str());
    }
    if (o.error.empty()) continue;
    std::string err = "kas probe: " + o.answer.query.text + ": " + o.error + "\n";
    for (const SymbolDefinition& c : o.answer.candidates) {
      err += "  " + c.binary + " " + c.name + (c.alias.empty() ? "" : " alias " + c.alias) +
             (c.file.empty() ? "" : " " + c.file + ":" + std::to_string(c.line)) + "\n";
    }
    std::fputs(err.c_str(), stderr);
  }
}

// Without a target: the build tree here when there is one, else the
// running kernel (what a probe is usually for).
QueryOptions probe_options_of(const Invocation& args) {
  QueryOptions options = query_options_of(args);
  const bool named = !options.tree.empty() || !options.kernel.empty() || options.live || !options.vmlinux.empty();
  if (!named && ::access("vmlinux", R_OK) != 0) options.live = true;
  return options;
}

int run(const Invocation& args) {
  const QueryOptions options = probe_options_of(args);
  auto parsed = parse_frame_specs(args.operands());
  if (!parsed) return args.usage_error(parsed.error().message);
  const std::vector<FrameQuery> queries = std::move(*parsed);
  const std::string event = args.value("event");
  const ProbeFormat format = parse_probe_format(args.value("format").empty() ? "kprobe" : args.value("format"))
                                 .value_or(ProbeFormat::kKprobe);
  const bool install = args.flag("install");
  const bool remove = args.flag("remove");
  const bool return_probe = args.flag("return");
  const bool address = args.flag("address");
  const std::string kallsyms = kallsyms_of(args, options);
  if (!event.empty() && queries.size() > 1) return args.usage_error("--event names one probe: give one SPEC");
  if (install && remove) return args.usage_error("--install and --remove exclude each other");
  if (address && kallsyms.empty()) {
    return args.usage_error("--address gives the running kernel's addresses: add --live (or --kallsyms FILE)");
  }
  if (address && format != ProbeFormat::kKprobe) return args.usage_error("--address is for --format kprobe");

  // Whether the kernel has aliases: its kallsyms says so when we have it
  // (what runs, whatever the config beside the debug files claims).
  std::optional<bool> has_aliases;
  std::optional<LiveKernel> live;
  if (!kallsyms.empty()) {
    auto listed = LiveKernel::lists_aliases(kallsyms, options.alias.separator);
    if (!listed) return report(listed.error());
    has_aliases = *listed;
    if (address) {
      auto read = LiveKernel::read(kallsyms);
      if (!read) return report(read.error());
      live = std::move(*read);
    }
  }
  std::optional<Tracefs> tracefs;
  if (install || remove) {
    auto found = find_tracefs(args.value("tracefs"));
    if (!found) return report(found.error());
    tracefs = *found;
  }

  auto answers = probe_all(options, queries, has_aliases);
  if (!answers) return report(answers.error());
  std::vector<ProbeOutcome> outcomes;
  for (ProbeAnswer& a : *answers) {
    ProbeOutcome o;
    o.error = a.error;
    if (o.error.empty() && return_probe && a.query.offset != 0) {
      o.error = "a return probe goes on a function's entry: drop +" + text::hex(a.query.offset).substr(2) +
                " (the kernel refuses it, BAD_RETPROBE)";
    }
    o.answer = std::move(a);
    if (live && o.answer.anchor_after && o.error == o.answer.error) {
      to_runtime_address_before(*live, o);
    } else if (o.error.empty() && live) {
      to_runtime_address(*live, o);
    }
    if (o.error.empty()) o.event = probe_event_name(o.answer, event, return_probe);
    // A symbol is whatever its ELF file says: one holding a newline or '#'
    // would print, or write, a command of its own.
    if (o.error.empty()) {
      if (auto r = check_kprobe_command(kprobe_line(o.answer, o.event, return_probe)); !r) o.error = r.error().message;
    }
    outcomes.push_back(std::move(o));
  }
  for (ProbeOutcome& o : outcomes) {
    if (!o.error.empty() || !tracefs) continue;
    const std::string group_event = std::string(kProbeGroup) + "/" + o.event;
    if (remove) {
      auto r = remove_kprobe(*tracefs, group_event);
      if (r) o.tracefs = "removed";
      else o.error = r.error().message;
      continue;
    }
    auto r = install_kprobe(*tracefs, kprobe_line(o.answer, o.event, return_probe));
    if (!r) o.error = r.error().message;
    else o.tracefs = *r == Installed::kAdded ? "added" : "already there";
  }

  const std::string out = options.json ? probe_json(outcomes, return_probe)
                                       : probe_text(outcomes, format, return_probe);
  if (auto r = write_stdout(out); !r) return report(r.error());
  bool failed = false;
  for (const ProbeOutcome& o : outcomes) {
    failed = failed || !o.error.empty();
    if (!o.error.empty() || options.json) continue;
    const std::string where = std::string(kProbeGroup) + "/" + o.event;
    if (o.tracefs == "removed") {
      std::fprintf(stderr, "kas probe: removed %s\n", where.c_str());
    } else if (!o.tracefs.empty()) {
      std::fprintf(stderr, "kas probe: %s %s; enable it: echo 1 > %s\n", where.c_str(),
                   o.tracefs == "added" ? "added" : "was there already",
                   tracefs->file("events/" + where + "/enable").c_str());
    } else if (format_probe(o.answer, o.event, return_probe, format).needs_event) {
      std::fprintf(stderr,
                   "kas probe: %s: %s checks an offset against the size of the symbol it counts from, and %s "
                   "lies past %s's end: this names the kprobe event instead; add it first (kas probe --install)\n",
                   o.answer.query.text.c_str(), format == ProbeFormat::kPerf ? "perf" : "bpftrace",
                   o.answer.location.c_str(), o.answer.anchor.c_str());
    }
  }
  report_failures(outcomes);
  return failed ? kExitFailure : kExitOk;
}

}  // namespace

const Command& probe_command() {
  static const Command command{
      .name = "probe",
      .summary = "a kprobe the kernel accepts for an alias, even without the kbuild series",
      .usage = "kas probe SPEC... [--tree DIR | --kernel RELEASE | --live] [--format kprobe|bpftrace|perf]\n"
               "          [--return] [--event NAME] [--install | --remove] [--address] [--json]",
      .about = "Without --tree, --kernel or --vmlinux, and outside a build tree, the target is\n"
               "the running kernel (--live).\n"
               "For each SPEC (an alias such as name_show@kernel_irq_irqdesc_c_230, MODULE:ALIAS,\n"
               "a name no other function shares, each optionally +OFF) prints a probe whose\n"
               "location the target kernel accepts on every boot (KASLR moves nothing it uses):\n"
               "  - the alias itself when the kernel has aliases (its kallsyms lists them, with\n"
               "    --live or --kallsyms; else CONFIG_KALLSYMS_ALIAS_SRCLINE in its config);\n"
               "  - NAME when no other symbol has it, MODULE:NAME when no other symbol of its\n"
               "    module has it;\n"
               "  - else the closest uniquely named symbol before it in its section plus the\n"
               "    distance (UNIQUE+0xOFF), which the kernel resolves to the function itself.\n"
               "--format kprobe (default) prints a kprobe_events line (event kas/NAME); bpftrace\n"
               "an attach point; perf a perf probe command. bpftrace and perf refuse an offset\n"
               "past a symbol's end, so for UNIQUE+0xOFF they get the kprobe event (after\n"
               "--install): tracepoint:kas:NAME, perf record -e kas:NAME.\n"
               "--install adds the kprobe event to tracefs, --remove deletes it; when the\n"
               "kernel refuses, its reason (tracing/error_log) is shown.\n"
               "A notrace function (no ftrace call site: a header's inline, kernel/trace/) gets\n"
               "no location: kprobe_events refuses it whatever the name (within_notrace_func),\n"
               "unless the kernel's config has CONFIG_KPROBE_EVENTS_ON_NOTRACE.\n"
               "SPEC is also perf's NAME@SRC or livepatch's NAME,SYMPOS (see kas lookup).\n"
               "A SPEC that names no function, or several, is listed with its candidates and\n"
               "the exit status is 1.\n",
      .options = option_list({query_options(),
                              {{.long_name = "format",
                                .arg_name = "FORMAT",
                                .help = "kprobe (a kprobe_events line; the default), bpftrace or perf",
                                .check = is_format,
                                .complete = Completion::kWords,
                                .words = "kprobe bpftrace perf"},
                               {.long_name = "return", .help = "a return probe (r:, kretprobe:, %return)"},
                               {.long_name = "event",
                                .arg_name = "NAME",
                                .help = "the event's name (default: from the alias, and __return after it for --return, "
                                        "as perf names it; group kas)",
                                .check = is_event_name,
                                .why_invalid = event_name_problem},
                               {.long_name = "install", .help = "add the kprobe event to tracefs (root)"},
                               {.long_name = "remove", .help = "delete the kprobe event from tracefs (root)"},
                               {.long_name = "tracefs",
                                .arg_name = "DIR",
                                .help = "the tracefs to use (default /sys/kernel/tracing, else "
                                        "/sys/kernel/debug/tracing)",
                                .complete = Completion::kDirectories},
                               {.long_name = "address",
                                .help = "the running kernel's address instead of a name (valid until reboot "
                                        "or module reload; needs --live)"},
                               {.long_name = "kallsyms",
                                .arg_name = "FILE",
                                .help = "the target kernel's symbol table as /proc/kallsyms shows it (default "
                                        "with --live: /proc/kallsyms)",
                                .complete = Completion::kFiles}}}),
      .operands = {.min = 1, .max = Operands::kAny, .expected = "a SPEC"},
      .examples = "  kas probe name_show@kernel_irq_irqdesc_c_230 --kernel 6.1.0-56-amd64\n"
                  "  kas probe 'uio:name_show@drivers_uio_uio_c_215' --live --install\n"
                  "  kas probe name_show@kernel_irq_irqdesc_c_230 --live --format bpftrace\n",
      .run = run,
  };
  return command;
}

}  // namespace kas::cli
