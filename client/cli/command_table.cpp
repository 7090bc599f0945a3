#include "client/cli/command_table.hpp"

#include "client/cli/commands/commands.hpp"

namespace kas::cli {

const std::vector<const Command*>& command_table() {
  static const std::vector<const Command*> table = {&vmlinux_command(), &module_command(), &census_command(),
                                                    &lookup_command(),  &resolve_command(), &decode_command(),
                                                    &probe_command(),   &daemon_command()};
  return table;
}

const Command* find_command(std::string_view name) {
  for (const Command* c : command_table()) {
    if (name == c->name) return c;
  }
  return nullptr;
}

}  // namespace kas::cli
