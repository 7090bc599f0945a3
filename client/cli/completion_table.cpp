#include "client/cli/completion_table.hpp"

#include "client/cli/command_table.hpp"
#include "client/cli/common_options.hpp"

namespace kas::cli {

namespace {

std::string kind_of(Completion complete, const char* words) {
  switch (complete) {
    case Completion::kNothing: return "none";
    case Completion::kFiles: return "file";
    case Completion::kDirectories: return "dir";
    case Completion::kReleases: return "release";
    case Completion::kWords: return std::string("words ") + (words != nullptr ? words : "");
  }
  return "none";
}

std::string option_lines(const std::vector<OptionSpec>& options) {
  std::string out;
  for (const OptionSpec& o : options) {
    if (o.hidden) continue;
    std::string value = o.arg_name != nullptr ? " " + kind_of(o.complete, o.words) : "";
    if (o.short_name != 0) out += std::string("option -") + o.short_name + value + "\n";
    out += std::string("option --") + o.long_name + value + "\n";
  }
  return out + "option --help\n";
}

}  // namespace

std::string completion_table() {
  std::string out;
  for (const Command* c : command_table()) out += std::string("command ") + c->name + "\n";
  return out + option_lines(global_options()) + "option --version\n";
}

std::string completion_table(const Command& command) {
  std::string out;
  if (command.operands.max > 0) out += "operands " + kind_of(command.operands.complete, command.operands.words) + "\n";
  return out + option_lines(command.options);
}

}  // namespace kas::cli
