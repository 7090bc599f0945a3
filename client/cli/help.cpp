#include "client/cli/help.hpp"

#include <algorithm>

#include "client/cli/command_table.hpp"
#include "client/cli/common_options.hpp"

namespace kas::cli {

namespace {

bool takes(const Command& command, const OptionSpec& option) {
  return std::ranges::any_of(command.options,
                             [&](const OptionSpec& o) { return std::string_view(o.long_name) == option.long_name; });
}

// "kas daemon takes --socket only.": the commands that lack some global
// option, which are errors there as after the command.
std::string global_exceptions(const std::vector<OptionSpec>& globals) {
  std::string out;
  for (const Command* c : command_table()) {
    std::string taken;
    bool lacks = false;
    for (const OptionSpec& g : globals) {
      if (!takes(*c, g)) {
        lacks = true;
      } else {
        taken += (taken.empty() ? "--" : ", --") + std::string(g.long_name);
      }
    }
    if (!lacks) continue;
    out += "kas " + std::string(c->name) + " takes " + (taken.empty() ? "none of them" : taken + " only") + ".\n";
  }
  return out;
}

}  // namespace

std::string command_help(const Command& command) {
  std::string examples = command.examples;
  bool several = std::ranges::count(examples, '\n') > 1;
  return "usage: " + std::string(command.usage) + "\n\n" + command.about + "\n" + format_options(command.options) +
         "\n" + (several ? "examples:\n" : "example:\n") + examples;
}

std::string kas_help() {
  std::string out =
      "usage: kas [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\n"
      "Unique, probe-able aliases for duplicated kernel symbols.\n\n"
      "commands:\n";
  for (const Command* c : command_table()) {
    std::string name = "  " + std::string(c->name);
    name.resize(std::max<size_t>(name.size() + 1, 12), ' ');
    out += name + c->summary + "\n";
  }
  const std::vector<OptionSpec> globals = global_options();
  out += "\nglobal options (before COMMAND or after it, as its own options):\n" + format_options(globals) +
         global_exceptions(globals) + "\n'kas COMMAND --help' describes each command.\n";
  return out;
}

}  // namespace kas::cli
