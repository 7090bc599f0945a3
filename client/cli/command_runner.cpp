#include "client/cli/command_runner.hpp"

#include <cstdio>

#include "client/cli/help.hpp"

namespace kas::cli {

namespace {

// True when the operand count fits; else says why and returns false.
bool check_operands(const Command& command, const std::vector<std::string>& operands) {
  const Operands& o = command.operands;
  if (operands.size() >= o.min && operands.size() <= o.max) return true;
  if (o.max == 0) {
    std::fprintf(stderr, "kas %s: %s%sunexpected argument '%s'\n", command.name, o.instead != nullptr ? o.instead : "",
                 o.instead != nullptr ? "; " : "", operands[0].c_str());
  } else if (o.expected != nullptr) {
    std::fprintf(stderr, "kas %s: expected %s (see 'kas %s --help')\n", command.name, o.expected, command.name);
  } else {
    // A usage error: the help, which lists what is expected, is its message.
    std::fputs(command_help(command).c_str(), stderr);
  }
  return false;
}

}  // namespace

int run_command(const Command& command, const std::vector<std::string>& args) {
  ParsedArgs parsed;
  if (!parse_options(std::string("kas ") + command.name, args, command.options, OptionOrder::kMixed, parsed)) {
    return kExitUsage;
  }
  if (parsed.help) {
    std::fputs(command_help(command).c_str(), stdout);
    return kExitOk;
  }
  if (!check_operands(command, parsed.operands)) return kExitUsage;
  return command.run(Invocation(command, std::move(parsed)));
}

}  // namespace kas::cli
