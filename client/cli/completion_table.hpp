// What bash completion (completion/kas.bash) needs to know, printed from the
// command table by the hidden `kas --completion-table [COMMAND]`, so the
// script holds no command or option of its own. One entry a line:
//   command NAME                     (without COMMAND: every command)
//   operands KIND [WORD...]          (with COMMAND, when it takes operands)
//   option SPELLING [KIND [WORD...]] (no KIND: a flag)
// KIND is what a value may be: none (nothing to offer), file, dir, release
// (an installed kernel's), words (one of the WORDs).
#pragma once

#include <string>

#include "client/cli/command.hpp"

namespace kas::cli {

// The global options (with --help and --version) and the commands.
[[nodiscard]] std::string completion_table();

// `command`'s operands and options (with --help).
[[nodiscard]] std::string completion_table(const Command& command);

}  // namespace kas::cli
