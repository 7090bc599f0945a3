// The one table of kas commands, in the order kas --help lists them.
#pragma once

#include <string_view>
#include <vector>

#include "client/cli/command.hpp"

namespace kas::cli {

[[nodiscard]] const std::vector<const Command*>& command_table();

// nullptr when there is no such command.
[[nodiscard]] const Command* find_command(std::string_view name);

}  // namespace kas::cli
