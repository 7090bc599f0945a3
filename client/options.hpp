// A small getopt_long front end shared by the subcommands: declare the
// options once and get parsing, error messages and the option list in
// --help from the same table.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace kas::cli {

struct OptionSpec {
  const char* long_name;
  char short_name;       // 0 when there is none
  const char* arg_name;  // nullptr for a flag
  const char* help;
  std::function<bool(const std::string&)> apply;  // false: invalid value
};

struct ParsedArgs {
  std::vector<std::string> positional;
  bool help = false;
};

// Parses argv[first..] (argv[first - 1] is the subcommand). On a usage error
// prints "kas COMMAND: reason" to stderr and returns false.
[[nodiscard]] bool parse_options(const char* command, int argc, char** argv, int first,
                                 const std::vector<OptionSpec>& specs, ParsedArgs& out);

// The option table formatted for --help.
[[nodiscard]] std::string format_options(const std::vector<OptionSpec>& specs);

// Parses a whole positive number; false on anything else.
[[nodiscard]] bool parse_unsigned(const std::string& text, unsigned& out);

}  // namespace kas::cli
