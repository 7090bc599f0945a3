// The skeleton every command shares, written once: parse the words after
// the command name against its option table, answer --help from its
// description, check its operands, then run it.
#pragma once

#include <string>
#include <vector>

#include "client/cli/command.hpp"

namespace kas::cli {

// `args`: the words after the command name. Returns the exit status:
// kExitUsage (2) for any usage error, after saying why on stderr.
[[nodiscard]] int run_command(const Command& command, const std::vector<std::string>& args);

}  // namespace kas::cli
