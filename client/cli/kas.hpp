// kas's command line as a whole: global options, then a command name from
// the table and the command's own words, git style:
//   kas [GLOBAL OPTIONS] COMMAND [OPTIONS AND OPERANDS]
// A global option before the command is handed to the command as if written
// after its name, so it means the same in both places, and a command that
// does not take it says so as for any unknown option.
#pragma once

namespace kas::cli {

// The process's exit status (see client/cli/command.hpp).
[[nodiscard]] int run_kas(int argc, char** argv);

}  // namespace kas::cli
