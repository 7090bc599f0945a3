// kas lookup: every definition of a name, glob or alias, with where it is
// defined and the alias it gets.
#include <cstdio>
#include <string>

#include "client/cli/commands/commands.hpp"
#include "client/cli/common_options.hpp"
#include "client/cli/query_ask.hpp"
#include "client/render/query_output.hpp"
#include "core/util/file.hpp"

namespace kas::cli {

namespace {

int run(const Invocation& args) {
  const QueryOptions options = query_options_of(args);
  const size_t shown = args.flag("all") ? 0 : args.number("limit", 200);
  auto answers = lookup_all(options, args.operands(), shown);
  if (!answers) return report(answers.error());
  // With --vmlinux alone, counts and "unique" cover vmlinux only: a module
  // may define the same name (and the kernel would refuse a probe on it).
  const bool vmlinux_only = !options.vmlinux.empty() && options.modules_orders.empty() && options.module_dirs.empty();
  if (vmlinux_only) {
    std::fputs("kas lookup: read vmlinux only, no modules (add --modules DIR or --modules-order FILE, or use "
               "--kernel/--tree): counts and 'unique' are vmlinux's\n",
               stderr);
  }
  std::string out = options.json ? lookup_json(args.operands(), *answers)
                                 : lookup_table(args.operands(), *answers, style_of(options), vmlinux_only);
  if (auto r = write_stdout(out); !r) return report(r.error());
  bool found = false;
  for (size_t p = 0; p < answers->size(); ++p) {
    found = found || (*answers)[p].total > 0;
    if ((*answers)[p].total == 0) std::fprintf(stderr, "kas lookup: no symbol matches '%s'\n", args.operands()[p].c_str());
  }
  return found ? kExitOk : kExitFailure;
}

}  // namespace

const Command& lookup_command() {
  static const Command command{
      .name = "lookup",
      .summary = "every definition of a symbol: binary, address, file:line, alias",
      .usage = "kas lookup PATTERN... [--tree DIR | --kernel RELEASE | --live] [--json]",
      .about = "Every definition of a symbol name, an fnmatch(3) glob of names, or of aliases\n"
               "(a pattern containing the separator '@' matches aliases): binary (vmlinux or\n"
               "module), nm type, address (vmlinux) or section+offset (modules), size, where it\n"
               "is defined (file:line, and the compilation unit when that differs) and the\n"
               "alias the build gives it ('unique' when its name needs none). In an LTO kernel\n"
               "a plain name also finds the copies the link renamed (c_start.llvm.N; full\n"
               "LTO's c_start.N). The tracers' spellings narrow a name: MODULE:NAME, perf's\n"
               "NAME@SRC (the definition whose file ends with SRC, as perf matches it) and\n"
               "livepatch's NAME,SYMPOS (the SYMPOS-th definition in its object in kallsyms\n"
               "order; the POS column shows each definition's). Exits 1 when no pattern\n"
               "matches anything (as grep does), saying so on stderr.\n",
      .options = option_list({query_options(),
                              {{.long_name = "limit",
                                .arg_name = "N",
                                .help = "show at most N definitions per pattern (default 200)",
                                .check = is_count},
                               {.long_name = "all", .help = "show every match, however many"}}}),
      .operands = {.min = 1, .max = Operands::kAny, .expected = "a PATTERN"},
      .examples = "  kas lookup name_show                         # in a build tree\n"
                  "  kas lookup 'name_show*' --kernel 6.1.0-56-amd64\n"
                  "  kas lookup '*@drivers_uio*' --json\n"
                  "  kas lookup name_show@kernel/irq/irqdesc.c     # perf's FUNC@SRC\n"
                  "  kas lookup name_show,2 uio:name_show          # livepatch's sympos, a module's\n"
                  "  kas lookup name_show --live                  # the running kernel\n",
      .run = run,
  };
  return command;
}

}  // namespace kas::cli
