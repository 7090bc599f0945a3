// kas module: a module object with an alias symbol added for each
// duplicated symbol, before kbuild's final link (or a finished .ko in place).
#include <cstdio>
#include <string>

#include "client/cli/commands/commands.hpp"
#include "client/cli/common_options.hpp"
#include "client/link/routing.hpp"
#include "service/module_output.hpp"
#include "service/request_paths.hpp"

namespace kas::cli {

namespace {

int run(const Invocation& args) {
  ModuleRequest request;
  request.input = args.operands()[0];
  request.census = kernel_files_of(args);
  request.census.census_path = args.value("census");
  request.srctree = args.value("srctree");
  request.alias = alias_of(args);
  const std::string kernel = args.value("kernel");
  const bool in_place = args.flag("in-place");
  if (in_place && !args.value("output").empty()) {
    return args.usage_error("--in-place and -o exclude each other");
  }
  if (request.census.vmlinux.empty() && request.census.census_path.empty() && kernel.empty() &&
      request.census.modules_orders.empty() && request.census.module_dirs.empty()) {
    return args.usage_error("no census: give --census, --kernel, or --nm with module sources");
  }
  auto sources = service::module_census_sources(request.census, kernel, args.value("system-map"));
  if (!sources) return report(sources.error());
  request.census = std::move(*sources);
  const auto output = service::ModuleOutput::open(request.input, args.value("output"), in_place);
  Services services(routing_of(args), jobs_of(args));
  auto result = services.ask<service::ModuleOperation>(request);
  if (!result) return report(result.error());
  auto added = output.write(*result);
  if (!added) return report(added.error());
  for (const std::string& name : result->newly_duplicated) {
    std::fprintf(stderr, "kas: %s: '%s' was unique and is now duplicated: rebuild the object that also defines it\n",
                 request.input.c_str(), name.c_str());
  }
  for (const std::string& name : result->unlocated) {
    std::fprintf(stderr, "kas: %s: no DWARF location for duplicated '%s': no alias\n", request.input.c_str(),
                 name.c_str());
  }
  for (const std::string& name : result->too_long) {
    std::fprintf(stderr, "kas: %s: warning: no alias for duplicated '%s': the name alone leaves no room for one "
                         "under KSYM_NAME_LEN (%zu)\n",
                 request.input.c_str(), name.c_str(), kKsymNameLen);
  }
  if (args.flag("verbose")) {
    for (const ModuleAlias& a : *added) {
      std::fprintf(stderr, "kas: %s: %s+0x%llx %c %s\n", request.input.c_str(), a.section.c_str(),
                   static_cast<unsigned long long>(a.value), a.nm_type, a.alias.c_str());
    }
    std::fprintf(stderr, "kas: %s: %zu symbols, %zu eligible, %zu aliases, census of %zu modules%s -> %s\n",
                 request.input.c_str(), result->symbols, result->eligible, added->size(), result->census_modules,
                 result->census_included_module ? " (including this one)" : "", output.path().c_str());
  }
  return kExitOk;
}

}  // namespace

const Command& module_command() {
  static const Command command{
      .name = "module",
      .summary = "add alias symbols to a module object (before its final link)",
      .usage = "kas module IN [-o OUT | --in-place] [--census FILE | --kernel DIR|RELEASE |\n"
               "                  --nm FILE [--modules-order FILE | --modules DIR]...] [--srctree DIR] [--data]",
      .about = "Writes the module object IN with an alias symbol added for each duplicated\n"
               "symbol (same section, value, size and type; local for lowercase nm types,\n"
               "global for uppercase): NAME@PATH_LINE. IN is never modified (unless --in-place).\n"
               "The module itself counts in the census. Names it makes newly duplicate are\n"
               "reported on stderr: the objects that also define them need a rebuild.\n",
      .options = option_list(
          {census_source_options(),
           {{.long_name = "census",
             .arg_name = "FILE",
             .help = "a complete census (name:count lines, e.g. the build's modules.symbfreq)",
             .complete = Completion::kFiles},
            {.long_name = "kernel",
             .arg_name = "DIR|RELEASE",
             .help = "census of an installed kernel: System.map + /lib/modules/RELEASE",
             .complete = Completion::kReleases},
            {.long_name = "system-map",
             .arg_name = "FILE",
             .help = "with --kernel: its System.map, when not found beside it",
             .complete = Completion::kFiles},
            srctree_option()},
           alias_options(),
           {jobs_option(), output_option("write here atomically (default: IN.kas)"),
            {.long_name = "in-place", .help = "atomically replace IN (for finished .ko files)"},
            {.long_name = "verbose", .short_name = 'v', .help = "list the aliases added on stderr"}},
           routing_options()}),
      .operands = {.min = 1, .max = 1, .expected = "one module object", .complete = Completion::kFiles},
      .examples = "  kas module drivers/uio/uio.o --census modules.symbfreq        # writes uio.o.kas\n"
                  "  kas module drivers/uio/uio.o --nm vmlinux.o --modules-order modules.order   # in kbuild\n"
                  "  kas module hello.ko --kernel $(uname -r) --in-place          # out-of-tree, after the build\n",
      .run = run,
  };
  return command;
}

}  // namespace kas::cli
