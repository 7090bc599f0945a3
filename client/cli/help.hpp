// The --help texts, made from the command descriptions. help2man turns them
// into the man page (man/), so they are its source too.
#pragma once

#include <string>

#include "client/cli/command.hpp"

namespace kas::cli {

// kas COMMAND --help: usage, about, options, examples.
[[nodiscard]] std::string command_help(const Command& command);

// kas --help: the commands of the table with their summaries, and the
// global options.
[[nodiscard]] std::string kas_help();

}  // namespace kas::cli
