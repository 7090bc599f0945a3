// kas probe: probe locations a kernel accepts for aliases, including a
// kernel built without the kbuild series (a distribution's), from its debug
// files.
#include <cstdio>
#include <string>
#include <vector>

#include "client/commands/commands.hpp"
#include "client/common_options.hpp"
#include "client/probe_format.hpp"
#include "client/query_ask.hpp"
#include "core/query/frame_spec.hpp"
#include "core/util/file.hpp"

namespace kas::cli {

namespace {

bool is_format(const std::string& value) { return value == "kprobe"; }

int run(const Invocation& args) {
  const QueryOptions options = query_options_of(args);
  auto parsed = parse_frame_specs(args.operands());
  if (!parsed) return args.usage_error(parsed.error().message);
  std::vector<FrameQuery> queries = std::move(*parsed);
  const std::string event = args.value("event");
  if (!event.empty() && queries.size() > 1) return args.usage_error("--event names one probe: give one SPEC");
  auto answers = probe_all(options, queries);
  if (!answers) return report(answers.error());
  std::string out;
  std::string err;
  for (const ProbeAnswer& a : *answers) {
    if (!a.error.empty()) {
      err += "kas probe: " + a.query.text + ": " + a.error + "\n";
      for (const SymbolDefinition& c : a.candidates) {
        err += "  " + c.binary + " " + c.name + (c.alias.empty() ? "" : " alias " + c.alias) +
               (c.file.empty() ? "" : " " + c.file + ":" + std::to_string(c.line)) + "\n";
      }
      continue;
    }
    out += kprobe_line(a, probe_event_name(a, event), args.flag("return")) + "\n";
  }
  if (auto r = write_stdout(out); !r) return report(r.error());
  if (!err.empty()) {
    std::fputs(err.c_str(), stderr);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

const Command& probe_command() {
  static const Command command{
      .name = "probe",
      .summary = "a kprobe location the kernel accepts for an alias, even without the kbuild series",
      .usage = "kas probe SPEC... [--tree DIR | --kernel RELEASE | --live] [--return] [--event NAME]",
      .about = "For each SPEC (an alias such as name_show@kernel_irq_irqdesc_c_230, MODULE:ALIAS,\n"
               "a name no other function shares, each optionally +OFF) prints a kprobe_events\n"
               "line whose location the target kernel accepts on every boot: the alias itself\n"
               "when the kernel was built with aliases (CONFIG_KALLSYMS_ALIAS_SRCLINE in its\n"
               "config); else the name when no other symbol has it; MODULE:NAME when no other\n"
               "symbol of its module has it; else the closest uniquely named symbol before it\n"
               "in its section plus the distance (UNIQUE+0xOFF). A SPEC that names no function,\n"
               "or several, is listed with its candidates and the exit status is 1.\n",
      .options = option_list({query_options(),
                              {{.long_name = "format",
                                .arg_name = "FORMAT",
                                .help = "what to print: kprobe (a kprobe_events line; the default)",
                                .check = is_format,
                                .complete = Completion::kWords,
                                .words = "kprobe"},
                               {.long_name = "return", .help = "a return probe (r: instead of p:)"},
                               {.long_name = "event",
                                .arg_name = "NAME",
                                .help = "the event's name (default: from the alias; group kas)"}}}),
      .operands = {.min = 1, .max = Operands::kAny, .expected = "a SPEC"},
      .examples = "  kas probe name_show@kernel_irq_irqdesc_c_230 --kernel 6.1.0-56-amd64\n"
                  "  kas probe 'uio:name_show@drivers_uio_uio_c_215' --live >> /sys/kernel/tracing/kprobe_events\n",
      .run = run,
  };
  return command;
}

}  // namespace kas::cli
