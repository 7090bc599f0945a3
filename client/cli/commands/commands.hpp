// The kas commands, one file each in this folder; client/cli/command_table.cpp
// lists them.
#pragma once

#include "client/cli/command.hpp"

namespace kas::cli {

[[nodiscard]] const Command& vmlinux_command();
[[nodiscard]] const Command& module_command();
[[nodiscard]] const Command& census_command();
[[nodiscard]] const Command& lookup_command();
[[nodiscard]] const Command& resolve_command();
[[nodiscard]] const Command& decode_command();
[[nodiscard]] const Command& probe_command();
[[nodiscard]] const Command& daemon_command();

}  // namespace kas::cli
