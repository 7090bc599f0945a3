// kas vmlinux: the nm listing of vmlinux with alias lines added, for the
// kallsyms step of scripts/link-vmlinux.sh. Output goes through an atomic
// file so make never sees a partial one.
#include <cstdio>
#include <string>

#include "client/cli/commands/commands.hpp"
#include "client/cli/common_options.hpp"
#include "client/render/output.hpp"
#include "client/link/routing.hpp"

namespace kas::cli {

namespace {

int run(const Invocation& args) {
  const Output output(args.value("output"));
  VmlinuxRequest request;
  request.census = kernel_files_of(args);
  request.census.census_path = args.value("census");
  request.elf_path = args.value("elf");
  request.srctree = args.value("srctree");
  request.alias = alias_of(args);
  if (args.value("nm").empty() || request.elf_path.empty()) {
    return args.usage_error("--nm and --elf are required" + args.see_help());
  }

  Services services(routing_of(args), jobs_of(args));
  auto result = services.ask<service::VmlinuxOperation>(request);
  if (!result) return report(result.error());
  for (const std::string& name : result->too_long_names) {
    std::fprintf(stderr, "kas: warning: no alias for duplicated '%s': the name alone leaves no room for one under "
                         "KSYM_NAME_LEN (%zu)\n",
                 name.c_str(), kKsymNameLen);
  }
  if (args.flag("verbose")) {
    const VmlinuxStats& s = result->stats;
    std::fprintf(stderr,
                 "kas: %zu lines, %zu census names from vmlinux + %zu modules, %zu eligible, %zu aliases "
                 "(%zu disambiguated, %zu from line table, %zu shortened to fit KSYM_NAME_LEN), %zu without "
                 "location, %zu too long; LTO suffixes: %s\n",
                 s.input_lines, s.census_names, s.modules, s.counts.eligible, s.counts.aliases,
                 s.counts.disambiguated, s.counts.from_line_table, s.counts.shortened, s.counts.unlocated, result->too_long_names.size(), s.lto.c_str());
    for (const std::string& name : result->unlocated_names) std::fprintf(stderr, "kas: no location: %s\n", name.c_str());
  }
  return output.write(result->text);
}

}  // namespace

const Command& vmlinux_command() {
  static const Command command{
      .name = "vmlinux",
      .summary = "add alias lines to vmlinux's nm listing (kallsyms input)",
      .usage = "kas vmlinux --nm IN --elf VMLINUX [--modules-order FILE | --modules DIR]...\n"
               "                   [--census FILE] [--srctree DIR] [--data] [--separator C] [-o OUT]",
      .about = "Copies the nm listing IN and adds, after each duplicated symbol, an alias line\n"
               "at the same address: NAME@PATH_LINE (e.g. name_show@kernel_irq_irqdesc_c_264).\n"
               "The drop-in for the kallsyms step of scripts/link-vmlinux.sh.\n",
      .options = option_list(
          {census_source_options(),
           {{.long_name = "census",
             .arg_name = "FILE",
             .help = "use this complete census (name:count lines) instead of counting modules",
             .complete = Completion::kFiles},
            {.long_name = "elf",
             .arg_name = "VMLINUX",
             .help = "the vmlinux whose DWARF gives locations",
             .complete = Completion::kFiles},
            srctree_option()},
           alias_options(),
           {jobs_option(),
            output_option("write here atomically (default: stdout)"),
            {.long_name = "verbose", .short_name = 'v', .help = "print statistics and unlocated symbols on stderr"}},
           routing_options()}),
      .operands = {},
      .examples = "  kas vmlinux --nm System.map --elf vmlinux --modules-order modules.order -o System.map.alias\n",
      .run = run,
  };
  return command;
}

}  // namespace kas::cli
