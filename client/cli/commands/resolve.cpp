// kas resolve: the function, file:line and inline chain at code locations
// written as addresses or as oops frames write them.
#include <cstdio>
#include <string>
#include <vector>

#include "client/cli/commands/commands.hpp"
#include "client/cli/query_ask.hpp"
#include "client/render/query_output.hpp"
#include "service/vocabulary.hpp"
#include "core/util/file.hpp"

namespace kas::cli {

namespace {

int run(const Invocation& args) {
  const QueryOptions options = query_options_of(args);
  auto parsed = parse_frame_specs(args.operands());
  if (!parsed) return args.usage_error(parsed.error().message);
  std::vector<FrameQuery> queries = std::move(*parsed);
  auto answers = resolve_all(options, std::move(queries));
  if (!answers) return report(answers.error());
  bool failed = false;
  for (const ResolveAnswer& a : *answers) failed = failed || !a.error.empty();
  if (options.json) {
    if (auto r = write_stdout(resolve_json(*answers)); !r) return report(r.error());
    return failed ? kExitFailure : kExitOk;
  }
  // A location that matches nothing is an error, said on stderr: stdout
  // holds the answers only (the JSON keeps it in its "error" field).
  std::vector<ResolveAnswer> found;
  std::string errors;
  for (ResolveAnswer& a : *answers) {
    if (a.error.empty()) {
      found.push_back(std::move(a));
    } else {
      errors += "kas resolve: " + a.query.text + ": " + a.error + "\n";
    }
  }
  if (auto r = write_stdout(resolve_text(found, style_of(options))); !r) return report(r.error());
  std::fputs(errors.c_str(), stderr);
  return failed ? kExitFailure : kExitOk;
}

}  // namespace

const Command& resolve_command() {
  static const Command command{
      .name = "resolve",
      .summary = "function, file:line and inline chain at an address or func+off/size",
      .usage = "kas resolve LOCATION... [--tree DIR | --kernel RELEASE | --live] [--json]",
      .about = "The function, file:line and chain of inlined calls at a code location:\n"
               "  ADDR                      a vmlinux address (a runtime address with --live)\n"
               "  SYMBOL[+OFF][/SIZE]       as oops frames write it; SYMBOL may be an alias\n"
               "  MODULE:SYMBOL+OFF         a symbol of one module ('vmlinux:' for vmlinux)\n"
               "  'SYMBOL+OFF/SIZE [MODULE]'  the oops form of a module frame\n"
               "A duplicated name is narrowed by the module and by /SIZE; when several\n"
               "definitions still fit, every candidate is listed, never just the first.\n"
               "In an LTO kernel a plain SYMBOL also matches the copies the link renamed\n"
               "(c_start.llvm.N, full LTO's c_start.N).\n"
               "Exits 1 when a location matches nothing.\n",
      .options = query_options(),
      .operands = {.min = 1, .max = Operands::kAny, .expected = "a LOCATION"},
      .examples = "  kas resolve name_show+0x1a/0x40 'uio:name_show+0x10'\n"
                  "  kas resolve ffffffff81234567 --kernel 6.1.0-56-amd64\n"
                  "  kas resolve name_show@drivers_uio_uio_c_215+0x8 --json\n",
      .run = run,
  };
  return command;
}

}  // namespace kas::cli
