// kas lookup: every definition of a name, glob or alias, with where it is
// defined and the alias it gets.
#include <string>

#include "client/commands/commands.hpp"
#include "client/common_options.hpp"
#include "client/query_ask.hpp"
#include "client/query_output.hpp"
#include "core/util/file.hpp"

namespace kas::cli {

namespace {

int run(const Invocation& args) {
  const QueryOptions options = query_options_of(args);
  const size_t shown = args.flag("all") ? 0 : args.number("limit", 200);
  auto answers = lookup_all(options, args.operands(), shown);
  if (!answers) return report(answers.error());
  std::string out = options.json ? lookup_json(args.operands(), *answers)
                                 : lookup_table(args.operands(), *answers, style_of(options));
  if (auto r = write_stdout(out); !r) return report(r.error());
  bool found = false;
  for (const LookupAnswer& a : *answers) found = found || a.total > 0;
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
               "LTO's c_start.N). Exits 1 when no pattern matches anything (as grep does).\n",
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
                  "  kas lookup name_show --live                  # the running kernel\n",
      .run = run,
  };
  return command;
}

}  // namespace kas::cli
