// kas census: how often each symbol name is defined over vmlinux and the
// modules, in the modules.symbfreq format kas module --census reads.
#include <string>

#include "client/cli/commands/commands.hpp"
#include "client/cli/common_options.hpp"
#include "client/render/output.hpp"
#include "client/link/routing.hpp"

namespace kas::cli {

namespace {

int run(const Invocation& args) {
  const Output output(args.value("output"));
  const CensusRequest request{.sources = kernel_files_of(args), .lto = lto_of(args), .units = args.flag("units")};
  const KernelFiles& sources = request.sources;
  if (sources.vmlinux.empty() && sources.modules_orders.empty() && sources.module_dirs.empty()) {
    return args.usage_error("nothing to count: give --nm, --modules-order or --modules");
  }
  Services services(routing_of(args), jobs_of(args));
  auto census = services.ask<service::CensusOperation>(request);
  if (!census) return report(census.error());
  return output.write(census->symbfreq);
}

}  // namespace

const Command& census_command() {
  static const Command command{
      .name = "census",
      .summary = "count symbol names over vmlinux and modules (name:count)",
      .usage = "kas census [--nm IN] [--modules-order FILE | --modules DIR]... [-o FILE]",
      .about = "Counts how often each symbol name is defined in vmlinux (its nm listing) and\n"
               "the modules, and writes one 'name:count' line per name, sorted by name (the\n"
               "modules.symbfreq format). Undefined symbols do not count. With --units it\n"
               "also counts, per source file path, the modules compiling it: a census file\n"
               "for kas module must have them to keep aliases unique when one .c is linked\n"
               "into several modules.\n",
      .options = option_list(
          {census_source_options(),
           {{.long_name = "units", .help = "also count each module's source files (for kas module --census)"},
            lto_option(),
            jobs_option(),
            output_option("write here atomically (default: stdout)")},
           routing_options()}),
      .operands = {},
      .examples = "  kas census --nm System.map --modules-order modules.order --units -o modules.symbfreq\n",
      .run = run,
  };
  return command;
}

}  // namespace kas::cli
