#include "client/cli/kas.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "client/cli/command_runner.hpp"
#include "client/cli/command_table.hpp"
#include "client/cli/common_options.hpp"
#include "client/cli/completion_table.hpp"
#include "client/link/connection.hpp"
#include "client/cli/help.hpp"

namespace kas::cli {

namespace {

bool given(const ParsedArgs& parsed, std::string_view option) {
  return std::ranges::any_of(parsed.given, [&](const auto& g) { return option == g.first->long_name; });
}

// The command meant when `name` is a typo of one, and where the list is:
// the whole help would bury the one line that matters.
int unknown_command(const std::string& name) {
  std::vector<std::string> names;
  for (const Command* c : command_table()) names.emplace_back(c->name);
  const std::string near = nearest_word(name, names);
  std::fprintf(stderr, "kas: unknown command '%s'%s\n'kas --help' lists the commands.\n", name.c_str(),
               near.empty() ? "" : (" (did you mean '" + near + "'?)").c_str());
  return kExitUsage;
}

}  // namespace

int run_kas(int argc, char** argv) {
  std::vector<OptionSpec> specs = global_options();
  specs.push_back({.long_name = "version", .hidden = true});
  specs.push_back({.long_name = "completion-table", .hidden = true});
  ParsedArgs parsed;
  if (!parse_options("kas", std::vector<std::string>(argv + 1, argv + argc), specs, OptionOrder::kOptionsFirst,
                     parsed)) {
    return kExitUsage;
  }
  const std::vector<std::string>& words = parsed.operands;
  if (parsed.help || (!words.empty() && words[0] == "help")) {
    std::fputs(kas_help().c_str(), stdout);
    return kExitOk;
  }
  if (given(parsed, "version")) {
    std::printf("kas %s\n", build_id());
    return kExitOk;
  }
  if (given(parsed, "completion-table")) {
    if (words.empty()) {
      std::fputs(completion_table().c_str(), stdout);
      return kExitOk;
    }
    const Command* command = find_command(words[0]);
    if (command == nullptr) return unknown_command(words[0]);
    std::fputs(completion_table(*command).c_str(), stdout);
    return kExitOk;
  }
  if (words.empty()) {
    std::fputs(kas_help().c_str(), stderr);
    return kExitUsage;
  }
  const Command* command = find_command(words[0]);
  if (command == nullptr) return unknown_command(words[0]);
  // Spelled out in full: an abbreviation unique among the global options
  // may not be among the command's.
  std::vector<std::string> args;
  for (const auto& [spec, value] : parsed.given) {
    args.push_back(std::string("--") + spec->long_name);
    if (spec->arg_name != nullptr) args.push_back(value);
  }
  args.insert(args.end(), words.begin() + 1, words.end());
  return run_command(*command, args);
}

}  // namespace kas::cli
